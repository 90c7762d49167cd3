package release

import (
	"archive/tar"
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestAttackTarMetaHeaderBytes: the blocks archive/tar reads before an
// entry's own header were not checked: a pax extended header's or a GNU
// long name header's unused fields, the padding after their data (up to
// 511 bytes an entry, that no extractor reads), and the header blocks of
// a global pax header and of a GNU sparse file, and the bytes of a long
// name past its NUL. Each is reported now, in
// plain and gzip'd tarballs; the untouched tarballs have no problem.
func TestAttackTarMetaHeaderBytes(t *testing.T) {
	build := func(hs ...*tar.Header) []byte {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		for _, h := range hs {
			if err := tw.WriteHeader(h); err != nil {
				t.Fatal(err)
			}
			tw.Write(bytes.Repeat([]byte("x"), int(h.Size)))
		}
		tw.Close()
		return b.Bytes()
	}
	pax := build(&tar.Header{Name: "a", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644, PAXRecords: map[string]string{"SCHILY.fflags": "nodump"}, Format: tar.FormatPAX})
	long := build(&tar.Header{Name: strings.Repeat("d/", 80) + "a", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644, Format: tar.FormatGNU})
	global := build(&tar.Header{Typeflag: tar.TypeXGlobalHeader, PAXRecords: map[string]string{"comment": strings.Repeat("0123456789abcdef", 4)}},
		&tar.Header{Name: "a", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644})
	sparse, mapAt, _ := sparse1Tar(t)
	// A long name header whose size runs past the name's NUL: archive/tar
	// and GNU tar stop at the NUL.
	pastNUL := bytes.Clone(long)
	copy(pastNUL[124:136], fmt.Sprintf("%011o\x00", 300))
	reseal(pastNUL)
	for _, c := range []struct {
		name string
		b    []byte
		at   int // -1: untouched
		want string
	}{
		{"pax", pax, -1, ""},
		{"pax header pad", pax, 505, "header holds non-zero bytes in its unused field"},
		{"pax data padding", pax, 1000, "pax extended header holds non-zero bytes past its end"},
		{"long name", long, -1, ""},
		{"long name header pad", long, 500, "header holds non-zero bytes in its unused field"},
		{"long name padding", long, 512 + 200, "GNU long name holds non-zero bytes past its end"},
		{"long name past its NUL", pastNUL, 512 + 250, "GNU long name holds non-zero bytes past its end"},
		{"global", global, -1, ""},
		{"global header pad", global, 505, "header holds non-zero bytes in its unused field"},
		{"sparse header pad", sparse, mapAt - 512 + 505, "header holds non-zero bytes in its unused field"},
	} {
		for _, compress := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/%v", c.name, compress), func(t *testing.T) {
				b := bytes.Clone(c.b)
				if c.at >= 0 {
					b[c.at] = 'X'
					if c.at%512 >= 500 { // a header block: keep its checksum right
						reseal(b[c.at/512*512:])
					}
				}
				_, ps := readAllTar(t, b, compress)
				if c.want == "" {
					if len(ps) != 0 {
						t.Errorf("problems %+v", ps)
					}
					return
				}
				if len(ps) != 1 || ps[0].Kind != ProblemHiddenData || !strings.Contains(ps[0].Message, c.want) || ps[0].Offset != int64(c.at) {
					t.Errorf("problems %+v, want one hidden-data problem at %d saying %q", ps, c.at, c.want)
				}
			})
		}
	}
}

// TestTarMetaHeadersTooLong: a chain of pax headers longer than the bytes
// recorded to check them (archive/tar reads any number of them, 1 MiB
// each) is reported as not checked, not passed.
func TestTarMetaHeadersTooLong(t *testing.T) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	if err := tw.WriteHeader(&tar.Header{Name: "a", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644, PAXRecords: map[string]string{"SCHILY.fflags": strings.Repeat("n", 900<<10)}, Format: tar.FormatPAX}); err != nil {
		t.Fatal(err)
	}
	tw.Write([]byte("x"))
	tw.Close()
	one := b.Bytes()
	hdrAt := 512 + (len("SCHILY.fflags=")+900<<10+10+511)/512*512
	if one[hdrAt+156] != tar.TypeReg {
		t.Fatalf("no file header at %d", hdrAt)
	}
	chain := append(bytes.Repeat(one[:hdrAt], 5), one[hdrAt:]...)
	names, ps := readAllTar(t, chain, false)
	if names != "a:1" || len(ps) != 1 || !strings.Contains(ps[0].Message, "were not checked") {
		t.Errorf("entries %s, problems %+v", names, ps)
	}
}
