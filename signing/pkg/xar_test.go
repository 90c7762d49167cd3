package pkg

import (
	"bytes"
	"crypto"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pkgfile"
)

// plainDistribution names the one component package of plainFiles.
const plainDistribution = `<installer-gui-script><pkg-ref id="a">#a.pkg</pkg-ref></installer-gui-script>
`

func plainFiles() []pkgfile.File {
	return []pkgfile.File{
		{Path: "Distribution", Data: []byte(plainDistribution), Encoding: pkgfile.EncodingZlib},
		{Path: "a.pkg/PackageInfo", Data: []byte("<pkg-info/>\n")},
		{Path: "a.pkg/Payload", Data: bytes.Repeat([]byte("payload "), 100)},
	}
}

func open(t testing.TB, b []byte) *Reader {
	t.Helper()
	x, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func problemRules(x *Reader) []string {
	var out []string
	for _, p := range x.Problems {
		out = append(out, string(p.Rule))
	}
	return out
}

func TestReaderReadsTOCAndData(t *testing.T) {
	t.Parallel()
	for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA256, crypto.SHA512} {
		b, lay := pkgfile.Build(pkgfile.Spec{Files: plainFiles(), Hash: h})
		x := open(t, b)
		if x.Hash != h || x.HeapStart != lay.HeapStart || len(x.Problems) != 0 {
			t.Fatalf("%v: hash %v heap %d problems %v", h, x.Hash, x.HeapStart, x.Problems)
		}
		var paths []string
		for _, e := range x.Entries {
			paths = append(paths, e.Path+":"+e.Type)
			if e.Data == nil {
				continue
			}
			c := x.CheckData(e)
			if c.Err != nil || !c.ArchivedOK || !c.ExtractedOK {
				t.Errorf("%v %s: %+v", h, e.Path, c)
			}
		}
		if got := strings.Join(paths, " "); got != "Distribution:file a.pkg:directory a.pkg/PackageInfo:file a.pkg/Payload:file" {
			t.Errorf("entries %s", got)
		}
		r, err := x.Open(x.Entries[0])
		if err != nil {
			t.Fatal(err)
		}
		if d, err := io.ReadAll(r); err != nil || string(d) != plainDistribution {
			t.Errorf("Distribution = %q, %v", d, err)
		}
		stored, _ := x.ReadHeap(x.TOCChecksum.Ref, 64)
		if !bytes.Equal(stored, x.TOCDigest()) {
			t.Errorf("%v: stored checksum %x, computed %x", h, stored, x.TOCDigest())
		}
	}
}

func TestReaderNotXar(t *testing.T) {
	t.Parallel()
	if _, err := NewReader(bytes.NewReader([]byte("PK\x03\x04")), 4); !errors.Is(err, ErrNotXar) {
		t.Errorf("err = %v", err)
	}
}

// TestReaderHostileHeader: sizes in the header are checked before anything
// is allocated or read.
func TestReaderHostileHeader(t *testing.T) {
	t.Parallel()
	good, _ := pkgfile.Build(pkgfile.Spec{Files: plainFiles()})
	for name, edit := range map[string]func([]byte){
		"huge toc length":      func(b []byte) { copy(b[8:], []byte{0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}) },
		"huge toc size":        func(b []byte) { copy(b[16:], []byte{0, 0, 0, 1, 0, 0, 0, 0}) },
		"toc size understated": func(b []byte) { b[23]-- },
		"header size past end": func(b []byte) { b[4], b[5] = 0xff, 0xff },
		"header size short":    func(b []byte) { b[4], b[5] = 0, 4 },
		"version 2":            func(b []byte) { b[7] = 2 },
		"unknown checksum":     func(b []byte) { b[27] = 9 },
	} {
		t.Run(name, func(t *testing.T) {
			b := bytes.Clone(good)
			edit(b)
			_, err := NewReader(bytes.NewReader(b), int64(len(b)))
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a FormatError", err)
			}
		})
	}
}

// TestReaderDuplicateElements: a second <checksum> or <name>, which another
// reader might take instead of the first, is refused or reported.
func TestReaderDuplicateElements(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		tweak string
		with  string
		fatal bool
	}{
		"second checksum": {"<creation-time>", "<checksum style=\"sha1\"><offset>0</offset><size>20</size></checksum><creation-time>", true},
		"second size":     {"<size>20</size>", "<size>20</size><size>21</size>", true},
		"second name":     {"<name>Distribution</name>", "<name>Distribution</name><name>Other</name>", false},
		"slash in name":   {"<name>Distribution</name>", "<name>../Distribution</name>", false},
		"case duplicate":  {"<name>PackageInfo</name>", "<name>PAYLOAD</name>", false},
		"second toc":      {"</toc>", "</toc><toc></toc>", true},
	} {
		t.Run(name, func(t *testing.T) {
			b, _ := pkgfile.Build(pkgfile.Spec{Files: plainFiles(), TweakTOC: func(s string) string { return strings.Replace(s, tc.tweak, tc.with, 1) }})
			x, err := NewReader(bytes.NewReader(b), int64(len(b)))
			if tc.fatal {
				var fe *FormatError
				if !errors.As(err, &fe) {
					t.Fatalf("err = %v, want a FormatError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := problemRules(x); len(got) != 1 || got[0] != string(RuleUnsafeName) {
				t.Errorf("problems %v", x.Problems)
			}
		})
	}
}

// TestReaderUnownedHeapBytes: bytes after the last file, and bytes between
// heap ranges, are reported with their offsets.
func TestReaderUnownedHeapBytes(t *testing.T) {
	t.Parallel()
	b, _ := pkgfile.Build(pkgfile.Spec{Files: plainFiles(), ExtraHeap: []byte("appended")})
	x := open(t, b)
	if len(x.Problems) != 1 || x.Problems[0].Rule != RuleUnownedHeapData || x.Problems[0].Offset != int64(len(b)-8) {
		t.Fatalf("problems %+v", x.Problems)
	}
	// A hole: the checksum claims fewer bytes than the hash has.
	b, _ = pkgfile.Build(pkgfile.Spec{Files: plainFiles(), TweakTOC: func(s string) string {
		return strings.Replace(s, "<size>20</size>", "<size>10</size>", 1)
	}})
	x = open(t, b)
	if len(x.Problems) != 1 || x.Problems[0].Rule != RuleUnownedHeapData || x.Problems[0].Offset != x.HeapStart+10 {
		t.Fatalf("problems %+v", x.Problems)
	}
}

// TestReaderHeapOverlap: a file whose data overlaps the checksum is
// reported.
func TestReaderHeapOverlap(t *testing.T) {
	t.Parallel()
	b, lay := pkgfile.Build(pkgfile.Spec{Files: plainFiles()})
	off := lay.Data["a.pkg/PackageInfo"]
	b, _ = pkgfile.Build(pkgfile.Spec{Files: plainFiles(), TweakTOC: func(s string) string {
		return strings.Replace(s, "<offset>"+itoa(off)+"</offset>", "<offset>5</offset>", 1)
	}})
	x := open(t, b)
	found := false
	for _, p := range x.Problems {
		found = found || p.Rule == RuleHeapOverlap
	}
	if !found {
		t.Errorf("problems %+v", x.Problems)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestReaderDataSizeMismatch: data that decodes to more or fewer bytes
// than <size> fails to read, whatever the checksums say.
func TestReaderDataSizeMismatch(t *testing.T) {
	t.Parallel()
	files := plainFiles()
	b, _ := pkgfile.Build(pkgfile.Spec{Files: files, TweakTOC: func(s string) string {
		return strings.Replace(s, "<size>"+itoa(int64(len(plainDistribution)))+"</size>", "<size>"+itoa(int64(len(plainDistribution)-1))+"</size>", 1)
	}})
	x := open(t, b)
	c := x.CheckData(x.Entries[0])
	var fe *FormatError
	if !errors.As(c.Err, &fe) {
		t.Errorf("CheckData = %+v", c)
	}
}

// TestReaderNormalizationDuplicate: two siblings whose names differ only in
// Unicode normalization ("café" with U+00E9 and with "e" and U+0301) are
// one file on macOS's normalization-insensitive volumes: the second is
// reported, as a case duplicate is. Names that differ in more are not.
func TestReaderNormalizationDuplicate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		dup  bool
	}{
		{"caf\u00e9", "cafe\u0301", true},
		{"\u00c5ngstr\u00f6m", "A\u030angstro\u0308m", true},
		{"caf\u00e9", "cafe", false},
	} {
		b, _ := pkgfile.Build(pkgfile.Spec{Files: []pkgfile.File{{Path: tc.a, Data: []byte("1")}, {Path: tc.b, Data: []byte("2")}}})
		x := open(t, b)
		got := problemRules(x)
		if dup := len(got) == 1 && got[0] == string(RuleUnsafeName); dup != tc.dup {
			t.Errorf("%q and %q: problems %v, want a duplicate: %t", tc.a, tc.b, got, tc.dup)
		}
	}
}
