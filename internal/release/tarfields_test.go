package release

import (
	"archive/tar"
	"bytes"
	"fmt"
	"testing"
)

// TestAttackTarHeaderFieldTails: a header's text and numeric fields end at
// a NUL, and no extractor reads what follows it up to the field's end: a
// name field "app/readme.txt\x00HIDDEN…" carried 85 bytes past every
// check (and a uname, a ustar prefix, a mode or a GNU header's access time
// as many). Reported, in plain and compressed tarballs; a checksum's
// trailing space and a base-256 size (binary) are not.
func TestAttackTarHeaderFieldTails(t *testing.T) {
	hdrOf := func(format tar.Format, size int64) []byte {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		h := &tar.Header{Name: "app/readme.txt", Typeflag: tar.TypeReg, Size: size, Mode: 0o644, Uname: "ci", Format: format}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(make([]byte, size))
		tw.Close()
		return b.Bytes()
	}
	for _, c := range []struct {
		name   string
		format tar.Format
		at     int // where "HIDDEN" is written, -1 for nowhere
		bad    bool
	}{
		{"name", tar.FormatUSTAR, 20, true},
		{"uname", tar.FormatUSTAR, 270, true},
		{"ustar prefix", tar.FormatUSTAR, 400, true},
		{"gnu uname", tar.FormatGNU, 290, true},
		{"mode", tar.FormatUSTAR, 105, true},    // "0000644\x00" is full: HIDDEN overwrites it
		{"gnu atime", tar.FormatGNU, 350, true}, // after "0\x00"
		{"clean ustar", tar.FormatUSTAR, -1, false},
		{"clean gnu", tar.FormatGNU, -1, false},
	} {
		for _, compress := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/%v", c.name, compress), func(t *testing.T) {
				b := hdrOf(c.format, 5)
				switch {
				case c.name == "mode":
					copy(b[100:108], "644\x00HID\x00")
				case c.name == "gnu atime":
					copy(b[345:], "0\x00HIDDEN")
				case c.at >= 0:
					copy(b[c.at:], "HIDDEN")
				}
				reseal(b)
				if compress {
					b = gz(t, b)
				}
				n, ps := scanTar(t, b)
				bad := oneProblem(ps, ProblemHiddenData, "after the NUL that ends it")
				if bad != c.bad || n != 1 || (!c.bad && len(ps) != 0) {
					t.Errorf("%d entries, problems %+v", n, ps)
				}
			})
		}
	}
	// A checksum written as GNU tar writes it ("%06o\x00 "), and a size
	// in base-256, whose bytes after a zero byte are digits.
	b := hdrOf(tar.FormatGNU, 1<<16+1)
	copy(b[124:136], []byte{0x80, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1})
	reseal(b)
	if n, ps := scanTar(t, b); n != 1 || len(ps) != 0 {
		t.Errorf("base-256 size: %d entries, problems %+v", n, ps)
	}
}
