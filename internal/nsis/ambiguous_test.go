package nsis

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// readingsThatDecode opens the installer b and returns every reading
// under which its header block decodes to a valid header, with the error
// NewReader returned.
func readingsThatDecode(t *testing.T, b []byte) ([]string, error) {
	t.Helper()
	var valid []string
	read := func(rd *Reader) ([]byte, error) {
		hdr, err := rd.readHeader()
		if err == nil {
			if _, perr := parseHeader(hdr); perr == nil {
				valid = append(valid, readingName(rd.Method, rd.Solid, rd.FilterFlag))
			}
		}
		return hdr, err
	}
	r := bytes.NewReader(b)
	h, err := Find(r, int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewReader(r, h, Options{readHeader: read})
	return valid, err
}

// TestAmbiguousReadings: data that decodes to a valid header under two
// readings (here a non-solid deflate installer whose solid deflate
// reading is made, through the reader's internals, to decode to another
// installer's header; TestStoredDeflatePolyglot builds a real one) is
// refused, as a FormatError naming both readings, rather than read the
// first way.
func TestAmbiguousReadings(t *testing.T) {
	t.Parallel()
	b := Stub(stub, Build(sample(), BuildOptions{Deflate: true}))
	other := []BuildFile{{Name: `$INSTDIR\other.dll`, Data: []byte("another file")}}
	ob := Stub(stub, Build(other, BuildOptions{Solid: true}))
	or := bytes.NewReader(ob)
	oh, err := Find(or, int64(len(ob)))
	if err != nil {
		t.Fatal(err)
	}
	ord, err := NewReader(or, oh, Options{})
	if err != nil {
		t.Fatal(err)
	}
	otherHdr, err := ord.readHeader()
	if err != nil {
		t.Fatal(err)
	}
	read := func(rd *Reader) ([]byte, error) {
		if rd.Solid && rd.Method == MethodDeflate {
			return otherHdr, nil
		}
		return rd.readHeader()
	}
	r := bytes.NewReader(b)
	h, err := Find(r, int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewReader(r, h, Options{readHeader: read})
	var ae *AmbiguousError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "ambiguous") {
		t.Fatalf("ambiguous data read: error %v", err)
	}
	if want := "both as non-solid zlib and as solid zlib"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	// The control: another reading that decodes to bytes that are no
	// valid header leaves the installer read the one way.
	read = func(rd *Reader) ([]byte, error) {
		if rd.Solid && rd.Method == MethodDeflate {
			return bytes.Repeat([]byte{0xff}, len(otherHdr)), nil
		}
		return rd.readHeader()
	}
	rd, err := NewReader(r, h, Options{readHeader: read})
	if err != nil || rd.Solid || rd.Method != MethodDeflate || len(rd.Header.Files) != len(sample()) {
		t.Errorf("an undecodable other reading refused the installer: %v", err)
	}
}

// TestFixturesNotAmbiguous: every installer the tests build, and those
// makensis builds when it is installed, decodes to a valid header under
// exactly one reading, so the ambiguity check refuses none of them.
func TestFixturesNotAmbiguous(t *testing.T) {
	t.Parallel()
	cases := map[string][]byte{}
	for _, o := range []BuildOptions{{}, {Deflate: true}, {Solid: true}, {Deflate: true, LZMA: true}, {Solid: true, LZMA: true}, {Deflate: true, LZMA: true, X86: true}, {Solid: true, LZMA: true, X86: true}} {
		cases[fmt.Sprintf("build %+v", o)] = Stub(stub, Build(sample(), o))
		if o.Deflate {
			cases[fmt.Sprintf("stored header %+v", o)] = storedHeader(t, sample(), o)
		}
	}
	if tool, err := exec.LookPath("makensis"); err != nil {
		t.Log("makensis is not installed (apt-get install nsis); its installers were not checked for ambiguity")
	} else {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "app.dll"), bytes.Repeat([]byte("not really a dll "), 4000), 0o644)
		for _, comp := range []string{"zlib", "lzma", "bzip2"} {
			for _, solid := range []string{"", "/SOLID "} {
				script := "Unicode true\nSetCompressor " + solid + comp + "\nOutFile setup.exe\nRequestExecutionLevel user\nSection\nSetOutPath \"$INSTDIR\"\nFile app.dll\nSectionEnd\n"
				os.WriteFile(filepath.Join(dir, "t.nsi"), []byte(script), 0o644)
				cmd := exec.Command(tool, "-V1", "t.nsi")
				cmd.Dir = dir
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("makensis: %v\n%s", err, out)
				}
				cases["makensis "+solid+comp], _ = os.ReadFile(filepath.Join(dir, "setup.exe"))
			}
		}
	}
	for name, b := range cases {
		valid, err := readingsThatDecode(t, b)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if len(valid) != 1 {
			t.Errorf("%s: decodes to a valid header as %q", name, valid)
		}
	}
}
