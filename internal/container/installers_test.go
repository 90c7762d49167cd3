package container

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/nsis"
	"github.com/shipgate/shipgate/internal/pefile"
	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/sevenz"
	"github.com/shipgate/shipgate/internal/squirrel"
	"github.com/shipgate/shipgate/signing"
)

func stubPE(t *testing.T) []byte {
	t.Helper()
	img, err := pefile.Build(pefile.Spec{})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// walked is what a Walk handed over: entries' paths and bytes, findings
// as "rule path", zips as their paths.
type walked struct {
	entries map[string][]byte
	paths   []string
	finds   []string
	zips    []Zip
}

func walkAll(t *testing.T, k Kind, data []byte, at string, x *release.Expansion, depth int) *walked {
	t.Helper()
	w := &walked{entries: map[string][]byte{}}
	Walk(context.Background(), k, bytes.NewReader(data), int64(len(data)), at, x, Visitor{
		Entry: func(e Entry) {
			rc, err := e.Source.Open()
			if err != nil {
				t.Fatalf("%s: %v", e.Path, err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatalf("%s: %v", e.Path, err)
			}
			w.entries[e.Path] = b
			w.paths = append(w.paths, e.Path)
		},
		Finding: func(f signing.Finding) { w.finds = append(w.finds, string(f.Rule)+" "+f.Path) },
		Zip:     func(z Zip) { w.zips = append(w.zips, z) },
		Depth:   depth,
	})
	return w
}

// TestDetectInstallers: an NSIS installer (a PE with NSIS data where its
// sections end, or the data alone), a Squirrel Setup.exe and a 7-Zip
// archive are containers; a PE with neither is not.
func TestDetectInstallers(t *testing.T) {
	pe := stubPE(t)
	data := nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\a.dll`, Data: []byte("MZ a")}}, nsis.BuildOptions{Deflate: true})
	setup, err := pefixtures.SquirrelSetup([]squirrel.BuildResource{{Type: "DATA", ID: squirrel.PackageID, Data: zipOf(t, map[string][]byte{"a.txt": []byte("a")})}})
	if err != nil {
		t.Fatal(err)
	}
	icon, err := pefixtures.SquirrelSetup([]squirrel.BuildResource{{TypeID: 3, ID: 1, Data: []byte("icon")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		data []byte
		want Kind
	}{
		{"setup.exe", nsis.Stub(pe, data), NSIS},
		{"uninst.bin", data, NSIS},
		{"Setup.exe", setup, Squirrel},
		{"icon.exe", icon, None},
		{"app.exe", pe, None},
		{"app-64.7z", sevenz.Build([]sevenz.BuildFile{{Name: "a", Data: []byte("a")}}), SevenZip},
	} {
		hdr := c.data[:min(len(c.data), HeadLen)]
		ext := c.name[strings.LastIndexByte(c.name, '.'):]
		if got := Detect(bytes.NewReader(c.data), ext, hdr, int64(len(c.data))); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// TestWalkNSIS hands over an installer's blocks under the paths the
// script extracts them to, and its trailing bytes.
func TestWalkNSIS(t *testing.T) {
	in := nsis.Stub(stubPE(t), nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\a.dll`, Data: []byte("MZ a")}, {Name: `$PLUGINSDIR\b.7z`, Data: []byte("7z b")}}, nsis.BuildOptions{Deflate: true, Solid: true}))
	in = append(in, "tail"...)
	w := walkAll(t, NSIS, in, "setup.exe", nil, 0)
	want := []string{"setup.exe/$NSIS/trailing-data", "setup.exe/$INSTDIR/a.dll", "setup.exe/$PLUGINSDIR/b.7z"}
	if !slices.Equal(w.paths, want) || string(w.entries["setup.exe/$INSTDIR/a.dll"]) != "MZ a" || string(w.entries["setup.exe/$NSIS/trailing-data"]) != "tail" {
		t.Errorf("entries %q", w.paths)
	}
	if !slices.Equal(w.finds, []string{string(RuleNSISTrailingData) + " setup.exe"}) {
		t.Errorf("findings %q", w.finds)
	}
}

// TestWalkNSISNameLeavesFolder: an instruction extracting to "..\.." is
// an insecure path, and its data is handed over under $NSIS/block-….
func TestWalkNSISNameLeavesFolder(t *testing.T) {
	in := nsis.Stub(stubPE(t), nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\..\..\Windows\evil.dll`, Data: []byte("MZ e")}}, nsis.BuildOptions{Deflate: true}))
	w := walkAll(t, NSIS, in, "setup.exe", nil, 0)
	if len(w.paths) != 1 || !strings.HasPrefix(w.paths[0], "setup.exe/$NSIS/block-") || strings.Contains(w.paths[0], "..") {
		t.Errorf("entries %q", w.paths)
	}
	if !slices.Equal(w.finds, []string{string(release.RuleInsecurePath) + " setup.exe"}) {
		t.Errorf("findings %q", w.finds)
	}
}

// TestWalkNSISExpansionBudget: blocks that decompress to more than the
// budget left are a finding, and nothing past it is handed over.
func TestWalkNSISExpansionBudget(t *testing.T) {
	in := nsis.Stub(stubPE(t), nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\zeros.bin`, Data: make([]byte, 1<<20)}}, nsis.BuildOptions{Deflate: true}))
	x := release.NewExpansion(0)
	if !x.Take(release.MinExpansion - 4096) {
		t.Fatal("cannot drain the budget")
	}
	w := walkAll(t, NSIS, in, "setup.exe", x, 0)
	if len(w.paths) != 0 || !slices.Equal(w.finds, []string{string(release.RuleUnreadable) + " setup.exe"}) {
		t.Errorf("entries %q, findings %q", w.paths, w.finds)
	}
}

// TestWalkNSISDepth: at release.MaxDepth an installer's trailing bytes
// are handed over but its blocks are not opened, and a finding says so.
func TestWalkNSISDepth(t *testing.T) {
	in := append(nsis.Stub(stubPE(t), nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\a.dll`, Data: []byte("MZ a")}}, nsis.BuildOptions{})), "tail"...)
	w := walkAll(t, NSIS, in, "setup.exe", nil, release.MaxDepth)
	if !slices.Equal(w.paths, []string{"setup.exe/$NSIS/trailing-data"}) {
		t.Errorf("entries %q", w.paths)
	}
	if !slices.Contains(w.finds, string(release.RuleUnreadable)+" setup.exe") {
		t.Errorf("findings %q", w.finds)
	}
}

// TestWalkSevenZipNames: names with ".." are insecure paths and not handed
// over; backslashes separate folders; a second entry of a name is a
// duplicate, handed over too (every copy, as a zip's), and reported once.
func TestWalkSevenZipNames(t *testing.T) {
	arc := sevenz.Build([]sevenz.BuildFile{{Name: `..\evil.dll`, Data: []byte("e")}, {Name: `res\a.txt`, Data: []byte("a")}, {Name: "res/a.txt", Data: []byte("b")}, {Name: "res/a.txt", Data: []byte("c")}})
	w := walkAll(t, SevenZip, arc, "app.7z", nil, 0)
	if !slices.Equal(w.paths, []string{"app.7z/res/a.txt", "app.7z/res/a.txt", "app.7z/res/a.txt"}) || string(w.entries["app.7z/res/a.txt"]) != "c" {
		t.Errorf("entries %q", w.paths)
	}
	want := []string{string(release.RuleInsecurePath) + " app.7z", string(release.RuleDuplicateEntry) + " app.7z/res/a.txt"}
	if !slices.Equal(w.finds, want) {
		t.Errorf("findings %q", w.finds)
	}
}

// TestWalkSquirrel hands Squirrel's package to the caller's zip reader
// under the PE's path, and another zip resource under $RSRC/….
func TestWalkSquirrel(t *testing.T) {
	pkg := zipOf(t, map[string][]byte{"lib/net45/App.exe": []byte("MZ")})
	other := zipOf(t, map[string][]byte{"x": []byte("x")})
	setup, err := pefixtures.SquirrelSetup([]squirrel.BuildResource{{Type: "DATA", ID: squirrel.PackageID, Data: pkg}, {TypeID: squirrel.RTRCData, ID: 7, Data: other}})
	if err != nil {
		t.Fatal(err)
	}
	w := walkAll(t, Squirrel, setup, "Setup.exe", nil, 0)
	if len(w.zips) != 2 || w.zips[0].Path != "Setup.exe" || w.zips[1].Path != "Setup.exe/$RSRC/10/7/1033" ||
		!bytes.Equal(setup[w.zips[0].Offset:w.zips[0].Offset+w.zips[0].Size], pkg) {
		t.Errorf("zips %+v", w.zips)
	}
	if len(w.paths) != 0 || len(w.finds) != 0 {
		t.Errorf("entries %q, findings %q", w.paths, w.finds)
	}
}

// zipOf returns a zip archive of files, deflated, in name order.
func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	b, err := pefixtures.Zip(0, files)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDetectNSISDataAfterGap: a PE whose NSIS data starts further than
// the first 512-byte boundary after its sections (exehead scans the whole
// file) is an NSIS installer too; so is one whose data lies inside its
// sections but a firstheader there that cannot be read is not one.
func TestDetectNSISDataAfterGap(t *testing.T) {
	pe := stubPE(t)
	data := nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\a.dll`, Data: []byte("MZ a")}}, nsis.BuildOptions{Deflate: true})
	gap := nsis.Stub(nsis.Stub(pe, make([]byte, 4096)), data)
	if got := Detect(bytes.NewReader(gap), ".exe", gap[:HeadLen], int64(len(gap))); got != NSIS {
		t.Errorf("data after a gap: %s, want %s", got, NSIS)
	}
	w := walkAll(t, NSIS, gap, "setup.exe", nil, 0)
	if !slices.Equal(w.paths, []string{"setup.exe/$INSTDIR/a.dll"}) {
		t.Errorf("entries %q", w.paths)
	}
	if got := Detect(bytes.NewReader(pe), ".exe", pe[:HeadLen], int64(len(pe))); got != None {
		t.Errorf("a bare PE: %s", got)
	}
}

// growLastSection returns pe with its last section's raw data grown to
// end at end, so that what follows the image lies inside its sections.
func growLastSection(t *testing.T, pe []byte, end int) []byte {
	t.Helper()
	out := append([]byte(nil), pe...)
	le := binary.LittleEndian
	nt := int(le.Uint32(out[0x3c:]))
	nsec := int(le.Uint16(out[nt+6:]))
	sec := nt + 24 + int(le.Uint16(out[nt+20:])) + 40*(nsec-1)
	ptr := int(le.Uint32(out[sec+20:]))
	le.PutUint32(out[sec+16:], uint32(end-ptr))
	return out
}

// TestWalkNSISUnsupportedInsideSections: NSIS data that shipgate cannot
// decompress (LZMA behind a filter flag NSIS does not define) is reported as not opened even
// when the PE's last section is grown to cover it: only a firstheader
// inside the sections whose data is malformed is taken for bytes that
// happen to look like one.
func TestWalkNSISUnsupportedInsideSections(t *testing.T) {
	le := binary.LittleEndian
	d := nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\app.dll`, Data: []byte("MZ not really")}}, nsis.BuildOptions{Deflate: true, LZMA: true, X86: true})
	hl := le.Uint32(d[28:]) &^ 0x80000000
	d[28+4+hl+4] = 2 // the data block's filter flag: one NSIS does not define
	in := nsis.Stub(stubPE(t), d)
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"after the sections", in},
		{"inside the last section", growLastSection(t, in, len(in))},
	} {
		w := walkAll(t, NSIS, c.data, "setup.exe", nil, 0)
		if !slices.Equal(w.finds, []string{string(RuleNSISNotOpened) + " setup.exe"}) {
			t.Errorf("%s: findings %q", c.name, w.finds)
		}
	}
}

// TestWalkNSISNameInBlockDir: an instruction extracting to
// $NSIS\trailing-data (a relative folder named "$NSIS") does not take the
// report path of the bytes after the NSIS data, nor of an unnamed block:
// every path handed over is distinct.
func TestWalkNSISNameInBlockDir(t *testing.T) {
	in := nsis.Stub(stubPE(t), nsis.Build([]nsis.BuildFile{{Name: `$NSIS\trailing-data`, Data: []byte("MZ a")}, {Name: `$NSIS\block-00000000`, Data: []byte("MZ b")}}, nsis.BuildOptions{}))
	in = append(in, "tail"...)
	w := walkAll(t, NSIS, in, "setup.exe", nil, 0)
	seen := map[string]bool{}
	for _, p := range w.paths {
		if seen[p] {
			t.Errorf("%s handed over twice: %q", p, w.paths)
		}
		seen[p] = true
	}
	if string(w.entries["setup.exe/$NSIS/trailing-data"]) != "tail" || len(w.paths) != 3 {
		t.Errorf("entries %q", w.paths)
	}
}

// TestDetectNSISLookalikeInsideSections: a PE whose sections hold a
// firstheader (with an archive size that fits) followed by no readable
// NSIS data is no installer, as Walk takes it; readable NSIS data inside
// the sections makes one.
func TestDetectNSISLookalikeInsideSections(t *testing.T) {
	data := nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\a.dll`, Data: []byte("MZ a")}}, nsis.BuildOptions{Deflate: true})
	in := nsis.Stub(stubPE(t), data)
	inside := growLastSection(t, in, len(in))
	if got := Detect(bytes.NewReader(inside), ".exe", inside[:HeadLen], int64(len(inside))); got != NSIS {
		t.Errorf("NSIS data inside the sections: %s, want %s", got, NSIS)
	}
	bad := append([]byte(nil), inside...)
	at := bytes.Index(bad, []byte("NullsoftInst")) - 8
	bad[at+28+4] ^= 0xff // the compressed header's first byte
	if got := Detect(bytes.NewReader(bad), ".exe", bad[:HeadLen], int64(len(bad))); got != None {
		t.Errorf("a lookalike inside the sections: %s, want %s", got, None)
	}
	if w := walkAll(t, NSIS, bad, "app.exe", nil, 0); len(w.paths)+len(w.finds) != 0 {
		t.Errorf("a lookalike walked: %q %q", w.paths, w.finds)
	}
}
