package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/sbom/asar"
	"github.com/shipgate/shipgate/signing/dmg"
)

// TestAsarUnownedDataSeverity: in a release, a gap of a payload's size
// between two files of app.asar fails the gate; a few zero bytes after the
// last file are a warning that leaves it passing; a packed archive has
// neither.
func TestAsarUnownedDataSeverity(t *testing.T) {
	t.Parallel()
	files := []electronfix.AsarFile{{Path: "package.json", Data: []byte(`{"name":"x"}`)}, {Path: "index.js", Data: []byte("1")}}
	clean := packAsar(files)
	gap := electronfix.PackAsarRaw([]byte(`{"files":{"a.js":{"size":1,"offset":"0"},"b.js":{"size":1,"offset":"101"}}}`),
		append(append([]byte("a"), make([]byte, 100)...), 'b'))
	for _, c := range []struct {
		name   string
		asar   []byte
		sev    string // severity of the asar/unowned-data finding; empty for none
		passed bool
	}{
		{"clean", clean, "", true},
		{"gap", gap, "error", false},
		{"small zero tail", append(append([]byte(nil), clean...), 0, 0, 0, 0), "warning", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"resources/app.asar": c.asar})
			r := run(t, Options{Policy: requireValid()}, dir)
			var got string
			for _, f := range r.Findings {
				if f.Rule == "asar/unowned-data" {
					if f.Path != "resources/app.asar" || got != "" {
						t.Errorf("finding %s %s: %s", f.Path, f.Severity, f.Message)
					}
					got = f.Severity.String()
				}
			}
			if got != c.sev || r.Summary.Passed != c.passed {
				t.Errorf("asar/unowned-data %q, passed %v; want %q, %v; findings %v", got, r.Summary.Passed, c.sev, c.passed, r.Findings)
			}
		})
	}
}

// TestAsarEntrySHA256FromArchivePass checks the SHA-256 of asar entries,
// which the archive's check computes while hashing the archive: each
// matches the entry's bytes, for empty entries, entries sharing or
// overlapping another's bytes (hashed by their own checks), and an archive
// given on its own or found in a release.
func TestAsarEntrySHA256FromArchivePass(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("0123456789abcdef"), 40000) // spans several copy buffers
	files := []electronfix.AsarFile{
		{Path: "a.js", Data: []byte("alpha")},
		{Path: "empty.txt"},
		{Path: "lib/big.bin", Data: big},
		{Path: "lib/z.js", Data: []byte("zulu")},
	}
	overlap := electronfix.PackAsarRaw([]byte(`{"files":{"a.js":{"size":4,"offset":"0"},"b.js":{"size":4,"offset":"2"},"c.js":{"size":0,"offset":"6"},"d.js":{"size":2,"offset":"6"}}}`),
		[]byte("abcdefgh"))
	want := map[string]string{
		"a.js": "alpha", "empty.txt": "", "lib/big.bin": string(big), "lib/z.js": "zulu",
	}
	// The archive's reader reports b.js, which overlaps a.js, and lists
	// it no more.
	wantOverlap := map[string]string{"a.js": "abcd", "c.js": "", "d.js": "gh"}
	for _, c := range []struct {
		name string
		asar []byte
		want map[string]string
	}{{"packed", packAsar(files), want}, {"overlap", overlap, wantOverlap}} {
		for _, lone := range []bool{false, true} {
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"app.asar": c.asar})
			in, prefix := dir, "app.asar/"
			if lone {
				in = filepath.Join(dir, "app.asar")
			}
			r := run(t, Options{}, in)
			got := 0
			for _, f := range r.Files {
				name, ok := strings.CutPrefix(f.Path, prefix)
				if !ok {
					continue
				}
				data, ok := c.want[name]
				if !ok {
					t.Errorf("%s lone=%v: unexpected entry %s", c.name, lone, f.Path)
					continue
				}
				got++
				if sum := sha256.Sum256([]byte(data)); f.SHA256.String() != hex.EncodeToString(sum[:]) {
					t.Errorf("%s lone=%v: %s has SHA-256 %s, want that of %q", c.name, lone, f.Path, f.SHA256, data[:min(len(data), 16)])
				}
			}
			if got != len(c.want) {
				t.Errorf("%s lone=%v: %d entries reported, want %d: %+v", c.name, lone, got, len(c.want), r.Files)
			}
		}
	}
}

// TestAsarEntryEndingInZipOpened checks that an asar entry ending with a
// zip archive after other bytes is opened, though the archive's pass,
// which looks for zip end records, spares the other entries that look.
func TestAsarEntryEndingInZipOpened(t *testing.T) {
	t.Parallel()
	z := makeZip(t, []zipEntry{{name: "inner.txt", data: []byte("inner")}})
	sfx := append([]byte("#!/bin/sh\nexit 0\n"), z...)
	arc := packAsar([]electronfix.AsarFile{{Path: "a.js", Data: []byte("alpha")}, {Path: "tool.sh", Data: sfx}, {Path: "z.js", Data: []byte("zulu")}})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"app.asar": arc})
	r := run(t, Options{}, dir)
	var paths []string
	for _, f := range r.Files {
		paths = append(paths, f.Path)
	}
	if !slices.Contains(paths, "app.asar/tool.sh/inner.txt") {
		t.Errorf("the zip archive ending app.asar/tool.sh was not opened: files %v", paths)
	}
}

// TestAsarEntriesCheckedAsLooseFiles checks that the archive's pass, which
// looks for JScript signature block begin lines in .js entries so that
// they are not read again to look, and keeps entries' first bytes so that
// their kinds are told without reading them again, leaves each entry
// reported as the same file on its own is (kind, SHA-256, findings): a
// begin line (UTF-8 or UTF-16LE) in the last 256 KiB or further from the
// end makes a jscript, one cut off by the entry's end, one split between
// two entries, and one in the next entry's bytes do not; a PE, a nested
// asar and a zip are told by their first bytes, as are entries of about
// the sniffed length; a koly trailer (looked for by the pass too) makes a
// disk image, one of another version or cut short does not.
func TestAsarEntriesCheckedAsLooseFiles(t *testing.T) {
	t.Parallel()
	pe, err := pefile.Build(pefile.Spec{Size: 3 * sniffLen})
	if err != nil {
		t.Fatal(err)
	}
	block := "\r\n// SIG // Begin signature block\r\n// SIG // MIIB\r\n// SIG // End signature block\r\n"
	code := func(n int) string { return strings.Repeat("module.exports = 1;\n", n/20+1)[:n] }
	begin := string(jsBegin)
	koly := func(version uint32) string {
		b := make([]byte, dmg.KolySize)
		copy(b, "koly")
		binary.BigEndian.PutUint32(b[4:], version)
		binary.BigEndian.PutUint32(b[8:], dmg.KolySize)
		return string(b)
	}
	files := map[string]string{
		"signed.js":    code(100) + block,
		"wide.js":      string(jsBeginWide) + "\r\x00\n\x00",
		"big.js":       code(1<<20) + block, // spans two copy buffers
		"far.js":       block + code(jsTail),
		"edge.js":      block + code(jsTail-len(block)+len("\r\n")), // the begin line just inside
		"cut.js":       code(50) + begin[:len(begin)-1],
		"split1.js":    code(50) + begin[:10], // split1.js and split2.js are adjacent in the archive
		"split2.js":    begin[10:] + "\r\n",
		"before.js":    code(70),
		"before2.txt":  begin, // a begin line in the entry after before.js
		"not-js.txt":   block,
		"lib/deep.js":  code(10) + block,
		"lib/plain.js": code(10),
		"tool.exe":     string(pe),
		"nested.asar":  string(packAsar([]electronfix.AsarFile{{Path: "inner.js", Data: []byte("1")}})),
		"data.zip":     string(makeZip(t, []zipEntry{{name: "z.txt", data: []byte("zip")}})),
		"sniff-1.bin":  string(pe[:sniffLen-1]),
		"sniff.bin":    string(pe[:sniffLen]),
		"sniff+1.bin":  string(pe[:sniffLen+1]),
		"empty.js":     "",
		"trailer.bin":  code(5000) + koly(4),
		"koly.bin":     koly(4), // the trailer and nothing before it
		"koly3.bin":    code(5000) + koly(3),
		"koly-511.bin": koly(4)[1:],
	}
	var entries []electronfix.AsarFile
	for name, data := range files {
		entries = append(entries, electronfix.AsarFile{Path: name, Data: []byte(data)})
	}
	dir := t.TempDir()
	loose := map[string][]byte{"app.asar": packAsar(entries)}
	for name, data := range files {
		loose["loose/"+name] = []byte(data)
	}
	writeTree(t, dir, loose)
	r := run(t, Options{}, dir)
	for name := range files {
		in, out := fileByPath(r, "app.asar/"+name), fileByPath(r, "loose/"+name)
		if in == nil || out == nil {
			t.Fatalf("%s: not reported (in the archive %v, loose %v)", name, in != nil, out != nil)
		}
		if in.Kind != out.Kind || in.SHA256 != out.SHA256 {
			t.Errorf("%s: kind %s, SHA-256 %s in the archive; %s, %s on its own", name, in.Kind, in.SHA256, out.Kind, out.SHA256)
		}
		if a, b := rulesFor(r, "app.asar/"+name), rulesFor(r, "loose/"+name); !slices.Equal(a, b) {
			t.Errorf("%s: findings %q in the archive, %q on its own", name, a, b)
		}
	}
	if got := fileByPath(r, "app.asar/tool.exe").Kind; got != KindPE {
		t.Errorf("app.asar/tool.exe: kind %s, want %s", got, KindPE)
	}
	for name, want := range map[string]Kind{"signed.js": KindJScript, "wide.js": KindJScript, "big.js": KindJScript, "edge.js": KindJScript, "lib/deep.js": KindJScript,
		"far.js": KindJScript, "cut.js": KindOther, "split1.js": KindOther, "split2.js": KindOther, "before.js": KindOther, "lib/plain.js": KindOther,
		"trailer.bin": KindDMG, "koly.bin": KindDMG, "koly3.bin": KindOther, "koly-511.bin": KindOther} {
		if got := fileByPath(r, "loose/"+name).Kind; got != want {
			t.Errorf("loose/%s: kind %s, want %s", name, got, want)
		}
	}
}

// TestEntryHasherKeepsHeads checks the archive pass's facts for each entry
// whatever the writes' sizes: the SHA-256 of its bytes and its first
// min(size, sniffLen) bytes, kept until they would take more than its
// budget (headBudget, here 64 KiB) and not after.
func TestEntryHasherKeepsHeads(t *testing.T) {
	t.Parallel()
	const budget = 64 << 10
	var files []electronfix.AsarFile
	sizes := []int{1, sniffLen - 1, sniffLen, sniffLen + 1, 3 << 20}
	for i := 0; i < budget/sniffLen+8; i++ {
		sizes = append(sizes, sniffLen+i%3)
	}
	for i, n := range sizes {
		data := make([]byte, n)
		testpki.NewRand(uint64(i)).Read(data)
		files = append(files, electronfix.AsarFile{Path: fmt.Sprintf("f%05d", i), Data: data})
	}
	arc := packAsar(files)
	ar, err := asar.NewReader(bytes.NewReader(arc), int64(len(arc)))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{4093, 1 << 20} {
		x := newEntryHasher(io.Discard, ar, int64(len(arc)))
		x.budget = budget
		for pos := 0; pos < len(arc); pos += w {
			x.Write(arc[pos:min(pos+w, len(arc))])
		}
		kept, dropped := 0, 0
		for _, f := range files {
			facts, ok := x.facts[f.Path]
			if sum := sha256.Sum256(f.Data); !ok || !bytes.Equal(facts.sum, sum[:]) {
				t.Fatalf("writes of %d: %s: SHA-256 %x, want %x", w, f.Path, facts.sum, sum)
			}
			switch head := f.Data[:min(len(f.Data), sniffLen)]; {
			case facts.head == nil:
				dropped++
			case !bytes.Equal(facts.head, head) || cap(facts.head) != len(head):
				t.Fatalf("writes of %d: %s: head of %d bytes, want its first %d", w, f.Path, len(facts.head), len(head))
			default:
				kept += len(head)
			}
		}
		if kept > budget || kept < budget-2*sniffLen || dropped == 0 {
			t.Errorf("writes of %d: %d bytes of heads kept, %d entries without, want at most %d bytes", w, kept, dropped, budget)
		}
	}
}

// TestTailScanAcrossWrites checks that the archive pass's look for a
// signature in an entry's last bytes finds it whatever the writes' sizes
// (shorter than the signature, splitting it) and whichever of its bytes is
// searched for, and only when it starts in the last tail bytes with need
// bytes before the entry's end.
func TestTailScanAcrossWrites(t *testing.T) {
	t.Parallel()
	sig := []byte("PK\x05\x06")
	const start, size, tail, need = 1000, 4000, 1500, 22
	entry := func(at int) []byte {
		b := bytes.Repeat([]byte{'x'}, size)
		if at >= 0 {
			copy(b[at:], sig)
		}
		return b
	}
	for _, c := range []struct {
		name string
		at   int // where the signature is in the entry; -1 for nowhere
		want bool
	}{
		{"none", -1, false},
		{"before the tail", size - tail - 1, false},
		{"starting the tail", size - tail, true},
		{"need fits", size - need, true},
		{"need does not fit", size - need + 1, false},
		{"cut by the end", size - 3, false},
	} {
		for _, sizes := range [][]int{{1}, {3}, {4}, {5}, {700}, {size}, {1, 2, 40, 7, 1000}} {
			for anchor := range sig {
				b := entry(c.at)
				s := tailScan{sigs: [][]byte{sig}, at: anchor, tail: tail, need: need}
				for pos, k := 0, 0; pos < len(b); k++ {
					n := min(sizes[k%len(sizes)], len(b)-pos)
					s.scan(b[pos:pos+n], int64(start+pos), start, start+size)
					pos += n
				}
				if s.found != c.want {
					t.Errorf("%s, writes of %v bytes, looking for byte %d: found %v, want %v", c.name, sizes, anchor, s.found, c.want)
				}
			}
		}
	}
}

// TestTailScanTwoSignatures checks that one scan for the JScript begin
// line's tail in UTF-8 and in UTF-16LE (which share their first byte) finds
// either, whatever the writes' sizes, and neither when only a prefix of
// one is there or it starts before the tail.
func TestTailScanTwoSignatures(t *testing.T) {
	t.Parallel()
	narrow, wide := jsBegin[3:], jsBeginWide[6:]
	const size, tail = 3000, 1200
	for _, c := range []struct {
		name string
		sig  []byte
		at   int
		want bool
	}{
		{"none", nil, 0, false},
		{"UTF-8", narrow, size - 500, true},
		{"UTF-16LE", wide, size - 500, true},
		{"UTF-8 at the end", narrow, size - len(narrow), true},
		{"UTF-16LE at the end", wide, size - len(wide), true},
		{"UTF-16LE cut by the end", wide[:len(wide)-1], size - len(wide) + 1, false},
		{"UTF-16LE before the tail", wide, size - tail - 1, false},
		{"UTF-8 among decoys", append([]byte("SSIG S\x00I"), narrow...), size - 700, true},
	} {
		for _, sizes := range [][]int{{1}, {2}, {27}, {28}, {55}, {56}, {333}, {size}, {1, 30, 2, 57, 100}} {
			b := bytes.Repeat([]byte("S\x00x"), size/3)
			copy(b[c.at:], c.sig)
			s := tailScan{sigs: [][]byte{narrow, wide}, tail: tail}
			for pos, k := 0, 0; pos < len(b); k++ {
				n := min(sizes[k%len(sizes)], len(b)-pos)
				s.scan(b[pos:pos+n], int64(pos), 0, size)
				pos += n
			}
			if s.found != c.want {
				t.Errorf("%s, writes of %v bytes: found %v, want %v", c.name, sizes, s.found, c.want)
			}
		}
	}
}

// TestEntryHasherKolyAcrossWrites checks that the archive pass tells an
// entry ending with a koly trailer (which then is read again by walk.HasKoly)
// from one that does not, whatever the writes' sizes, the trailer's first
// bytes split between writes or not.
func TestEntryHasherKolyAcrossWrites(t *testing.T) {
	t.Parallel()
	trailer := make([]byte, dmg.KolySize)
	copy(trailer, "koly")
	binary.BigEndian.PutUint32(trailer[4:], 4)
	binary.BigEndian.PutUint32(trailer[8:], dmg.KolySize)
	other := bytes.Clone(trailer)
	binary.BigEndian.PutUint32(other[4:], 5)
	files := []electronfix.AsarFile{
		{Path: "a.dmg", Data: append(bytes.Repeat([]byte{'x'}, 600), trailer...)},
		{Path: "b.bin", Data: trailer},
		{Path: "c.bin", Data: append(bytes.Repeat([]byte{'y'}, 1000), other...)},
		{Path: "d.bin", Data: trailer[:dmg.KolySize-1]},
		{Path: "e.bin", Data: append([]byte("z"), trailer...)},
	}
	want := map[string]bool{"a.dmg": false, "b.bin": false, "c.bin": true, "d.bin": true, "e.bin": false}
	arc := packAsar(files)
	ar, err := asar.NewReader(bytes.NewReader(arc), int64(len(arc)))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{1, 3, 5, 11, 700, len(arc)} {
		x := newEntryHasher(io.Discard, ar, int64(len(arc)))
		for pos := 0; pos < len(arc); pos += w {
			x.Write(arc[pos:min(pos+w, len(arc))])
		}
		for name, noKoly := range want {
			if got := x.facts[name].noKoly; got != noKoly {
				t.Errorf("writes of %d: %s: noKoly %v, want %v", w, name, got, noKoly)
			}
		}
	}
}
