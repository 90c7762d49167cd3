package verify

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/nsis"
	"github.com/shipgate/shipgate/internal/pefile"
	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/sevenz"
	"github.com/shipgate/shipgate/internal/squirrel"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
)

const (
	nsisApp    = "setup.exe/$INSTDIR/app.dll"
	nsisFFmpeg = "setup.exe/$INSTDIR/resources/ffmpeg.dll"
)

// signInstaller signs a PE (an installer) with the fixtures' leaf.
func signInstaller(t testing.TB, img []byte) []byte {
	t.Helper()
	f := getFixtures(t)
	b, err := pefile.SignAttach(img, pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// makensis builds an NSIS installer with makensis that extracts files
// (path under $INSTDIR -> bytes), compressed with comp, solid or not. The
// test is skipped when makensis is not installed.
func makensis(t *testing.T, comp string, solid bool, files map[string][]byte) []byte {
	t.Helper()
	srcs := map[string][]byte{}
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	s := "Unicode true\nSetCompressor "
	if solid {
		s += "/SOLID "
	}
	s += comp + "\nOutFile setup.exe\nInstallDir \"$PROGRAMFILES\\Acme\"\nRequestExecutionLevel user\nSection\n"
	for i, n := range names {
		src := fmt.Sprintf("f%d/%s", i, filepath.Base(n))
		srcs[src] = files[n]
		out := "$INSTDIR"
		if d := filepath.Dir(n); d != "." {
			out += `\` + strings.ReplaceAll(d, "/", `\`)
		}
		s += fmt.Sprintf("SetOutPath \"%s\"\nFile \"%s\"\n", out, strings.ReplaceAll(src, "/", `\`))
	}
	s += "SectionEnd\n"
	return makensisScript(t, s, srcs)
}

// makensisScript builds the NSIS script script, which writes setup.exe,
// with makensis, in a folder holding the files srcs (its path there ->
// bytes), and returns setup.exe. The test is skipped when makensis is not
// installed.
func makensisScript(t *testing.T, script string, srcs map[string][]byte) []byte {
	t.Helper()
	tool, err := exec.LookPath("makensis")
	if err != nil {
		t.Skip("makensis is not installed (apt-get install nsis); the NSIS installer test was skipped")
	}
	dir := t.TempDir()
	for n, b := range srcs {
		writeFile(t, filepath.Join(dir, n), b)
	}
	writeFile(t, filepath.Join(dir, "t.nsi"), []byte(script))
	cmd := exec.Command(tool, "-V1", "t.nsi")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("makensis: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "setup.exe"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var nsisVariants = []struct {
	comp  string
	solid bool
}{{"zlib", false}, {"zlib", true}, {"lzma", false}, {"lzma", true}, {"bzip2", false}, {"bzip2", true}}

// TestNSISOpened checks signed makensis installers, each compressor solid
// and not, whose DLLs are signed: each DLL is found at its installed path
// under the installer's, verified as a PE, and the gate passes under
// require: valid.
func TestNSISOpened(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	for _, v := range nsisVariants {
		t.Run(fmt.Sprintf("%s solid=%v", v.comp, v.solid), func(t *testing.T) {
			dir := t.TempDir()
			// A second signed DLL with other bytes: makensis stores
			// identical files once.
			other := signInstaller(t, append(append([]byte(nil), f.peUnsigned...), make([]byte, 512)...))
			in := makensis(t, v.comp, v.solid, map[string][]byte{"app.dll": f.peValid, "resources/ffmpeg.dll": other})
			writeTree(t, dir, map[string][]byte{"setup.exe": signInstaller(t, in)})
			r := run(t, Options{Policy: requireValid()}, dir)
			for _, p := range []string{"setup.exe", nsisApp, nsisFFmpeg} {
				fi := fileByPath(r, p)
				if fi == nil {
					t.Fatalf("%s not in the report", p)
				}
				if fi.Kind != KindPE || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
					t.Errorf("%s: %s %+v", p, fi.Kind, fi.Signatures)
				}
			}
			if !r.Summary.Passed {
				for _, x := range r.Findings {
					t.Logf("%s %s %s: %s", x.Severity, x.Rule, x.Path, x.Message)
				}
				t.Error("the gate failed on a clean installer")
			}
		})
	}
}

// TestNSISTrojanizedDLL is 3CX's case in an NSIS installer: the installer
// is signed, but the ffmpeg.dll it installs is tampered or unsigned; the
// gate fails at the DLL's path inside the installer, and the installer
// itself stays valid. (The solid bzip2 installer with the tampered DLL
// starts its stream with bytes that also read as a compressed block's
// length, 7-Zip's test for a non-solid one: the reader tries both.)
func TestNSISTrojanizedDLL(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	for _, v := range nsisVariants {
		for _, tc := range []struct {
			name string
			dll  []byte
			rule signing.Rule
		}{{"tampered", f.peTampered, authenticode.RuleDigestMismatch}, {"unsigned", f.peUnsigned, ruleUnsigned}} {
			t.Run(fmt.Sprintf("%s %s solid=%v", tc.name, v.comp, v.solid), func(t *testing.T) {
				dir := t.TempDir()
				in := makensis(t, v.comp, v.solid, map[string][]byte{"app.dll": f.peValid, "resources/ffmpeg.dll": tc.dll})
				writeTree(t, dir, map[string][]byte{"setup.exe": signInstaller(t, in)})
				r := mustFail(t, Options{Policy: requireValid()}, nsisFFmpeg, tc.rule, dir)
				if fi := fileByPath(r, "setup.exe"); fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
					t.Errorf("setup.exe: %+v", fi)
				}
			})
		}
	}
}

// TestNSISNotOpened reports an installer whose data block is LZMA behind
// a filter flag other than none (0) and x86 (1), which is not decoded, as
// not opened.
func TestNSISNotOpened(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	le := binary.LittleEndian
	data := nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\app.dll`, Data: f.peValid}}, nsis.BuildOptions{Deflate: true, LZMA: true, X86: true})
	hl := le.Uint32(data[28:]) &^ 0x80000000
	data[28+4+hl+4] = 2 // the data block's filter flag
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.exe": nsis.Stub(f.peUnsigned, data)})
	r := run(t, Options{}, dir)
	if got := rulesFor(r, "setup.exe"); !has(got, "error "+string(RuleNSISNotOpened)) {
		t.Errorf("setup.exe: %q", got)
	}
}

// goInstaller is an installer built here (no makensis): the fixtures'
// unsigned PE followed by NSIS data that extracts files.
func goInstaller(t testing.TB, files []nsis.BuildFile, o nsis.BuildOptions) []byte {
	return nsis.Stub(getFixtures(t).peUnsigned, nsis.Build(files, o))
}

// TestNSISGoBuilt opens installers built here, stored, deflated and solid,
// so that the walker is tested where makensis is not installed: the
// tampered DLL is found.
func TestNSISGoBuilt(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	for _, o := range []nsis.BuildOptions{{}, {Deflate: true}, {Deflate: true, Solid: true}} {
		t.Run(fmt.Sprintf("%+v", o), func(t *testing.T) {
			dir := t.TempDir()
			in := goInstaller(t, []nsis.BuildFile{{Name: `$INSTDIR\app.dll`, Data: f.peValid}, {Name: `$INSTDIR\resources\ffmpeg.dll`, Data: f.peTampered}}, o)
			writeTree(t, dir, map[string][]byte{"setup.exe": signInstaller(t, in)})
			r := mustFail(t, Options{}, nsisFFmpeg, authenticode.RuleDigestMismatch, dir)
			if fi := fileByPath(r, nsisApp); fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
				t.Errorf("%s: %+v", nsisApp, fi)
			}
		})
	}
}

// TestNSISNameLeavesFolder: an instruction extracting to a path with ".."
// is reported, and its data is still checked under a synthetic name.
func TestNSISNameLeavesFolder(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	in := goInstaller(t, []nsis.BuildFile{{Name: `$INSTDIR\..\..\Windows\System32\evil.dll`, Data: f.peUnsigned}}, nsis.BuildOptions{Deflate: true})
	writeTree(t, dir, map[string][]byte{"setup.exe": in})
	r := mustFail(t, Options{Policy: requireValid()}, "setup.exe", ruleInsecurePath, dir)
	if got := rulesFor(r, "setup.exe/$NSIS/block-00000000"); !has(got, "error "+string(ruleUnsigned)) {
		t.Errorf("block: %q", got)
	}
	for _, fi := range r.Files {
		if strings.Contains(fi.Path, "..") {
			t.Errorf("report path %q", fi.Path)
		}
	}
}

// TestNSISSharedData: one block extracted to two paths is checked under
// the first, and the second is noted.
func TestNSISSharedData(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	data := nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\a.dll`, Data: f.peTampered}, {Name: `$INSTDIR\b.dll`, Data: []byte("x")}}, nsis.BuildOptions{})
	// Point the second instruction at the first block.
	i := bytes.Index(data, []byte{20, 0, 0, 0})
	j := bytes.Index(data[i+28:], []byte{20, 0, 0, 0}) + i + 28
	copy(data[j+12:j+16], data[i+12:i+16])
	writeTree(t, dir, map[string][]byte{"setup.exe": nsis.Stub(f.peUnsigned, data)})
	r := mustFail(t, Options{}, "setup.exe/$INSTDIR/a.dll", authenticode.RuleDigestMismatch, dir)
	if got := rulesFor(r, "setup.exe/$INSTDIR/b.dll"); !has(got, "note "+string(RuleNSISSharedData)) {
		t.Errorf("b.dll: %q", got)
	}
	// The second block, which no instruction names now, is checked too.
	if fileByPath(r, "setup.exe/$NSIS/block-"+fmt.Sprintf("%08x", 4+len(f.peTampered))) == nil {
		t.Error("the unnamed block is not in the report")
	}
}

// TestNSISHostileSizes corrupts sizes in an installer's data: each is a
// malformed finding on the installer with the offset, and the installer
// itself is still verified.
func TestNSISHostileSizes(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	le := binary.LittleEndian
	base := goInstaller(t, []nsis.BuildFile{{Name: `$INSTDIR\app.dll`, Data: f.peValid}}, nsis.BuildOptions{Deflate: true})
	at := bytes.Index(base, []byte("NullsoftInst")) - 8
	for _, tc := range []struct {
		name string
		mod  func(b []byte)
	}{
		{"archive past the file", func(b []byte) { le.PutUint32(b[at+24:], 0x7fffffff) }},
		{"header of 4 GiB", func(b []byte) { le.PutUint32(b[at+20:], 0xffffffff) }},
		{"block past the file", func(b []byte) {
			hl := int(le.Uint32(b[at+28:]) &^ 0x80000000)
			le.PutUint32(b[at+28+4+hl:], 0xfffffff0)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := append([]byte(nil), base...)
			tc.mod(b)
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"setup.exe": b})
			r := mustFail(t, Options{}, "setup.exe", ruleMalformed, dir)
			for _, x := range r.Findings {
				if x.Rule == ruleMalformed && x.Path == "setup.exe" && (x.Offset == nil || *x.Offset < int64(at)) {
					t.Errorf("finding without the offset in the data: %+v", x)
				}
			}
			if fi := fileByPath(r, "setup.exe"); fi == nil || fi.Kind != KindPE {
				t.Errorf("setup.exe: %+v", fi)
			}
		})
	}
}

// sectionInstaller returns an unsigned PE whose second section holds data
// (at a 512-byte boundary, as section data is), and nothing after it.
func sectionInstaller(t *testing.T, data []byte) []byte {
	t.Helper()
	code := make([]byte, 0x200)
	code[0] = 0xc3
	img, err := pefile.Build(pefile.Spec{Sections: []pefile.Section{{Name: ".text", Data: code, Characteristics: pefile.SectionCode}, {Name: ".data", Data: data}}})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestNSISInsideSection: exehead finds its data at any 512-byte boundary,
// so NSIS data kept inside a PE's sections rather than after them is
// opened too, and the tampered DLL in it is found.
func TestNSISInsideSection(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	in := sectionInstaller(t, nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\app.dll`, Data: f.peTampered}}, nsis.BuildOptions{Deflate: true}))
	writeTree(t, dir, map[string][]byte{"setup.exe": signInstaller(t, in)})
	mustFail(t, Options{}, nsisApp, authenticode.RuleDigestMismatch, dir)
}

// TestNSISSignatureConstantIgnored: a PE whose data holds the firstheader's
// signature (makensis does, as a constant) without NSIS data after it is
// not reported.
func TestNSISSignatureConstantIgnored(t *testing.T) {
	t.Parallel()
	data := make([]byte, 64)
	binary.LittleEndian.PutUint32(data[4:], 0xDEADBEEF)
	copy(data[8:], "NullsoftInst")
	binary.LittleEndian.PutUint32(data[20:], 100)
	binary.LittleEndian.PutUint32(data[24:], 0x7fffffff)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"makensis.exe": signInstaller(t, sectionInstaller(t, data))})
	r := run(t, Options{Policy: requireValid()}, dir)
	if !r.Summary.Passed || len(r.Findings) != 0 {
		t.Errorf("findings %v", r.Findings)
	}
}

// TestNSISHiddenBlock: an instruction extracting from an offset inside
// another (stored) block's bytes, where a compressed block hides, is
// reported, and what it extracts is checked under its name.
func TestNSISHiddenBlock(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	var z bytes.Buffer
	w, _ := flate.NewWriter(&z, flate.BestCompression)
	w.Write(f.peUnsigned)
	w.Close()
	inner := append(binary.LittleEndian.AppendUint32(nil, uint32(z.Len())|0x80000000), z.Bytes()...)
	// The second instruction extracts the inner block: 4 bytes into the
	// data, past the stored block's length.
	data := nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\readme.txt`, Data: inner, Store: true}, {Name: `$INSTDIR\b.dll`, Data: []byte("x"), SetOffset: true, Offset: 4}}, nsis.BuildOptions{Deflate: true})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.exe": nsis.Stub(f.peUnsigned, data)})
	r := mustFail(t, Options{Policy: requireValid()}, "setup.exe/$INSTDIR/b.dll", ruleUnsigned, dir)
	if got := rulesFor(r, "setup.exe/$INSTDIR/b.dll"); !has(got, "warning "+string(RuleNSISHiddenData)) {
		t.Errorf("b.dll: %q", got)
	}
}

// squirrelSetup returns a signed stand-in for Squirrel's Setup.exe whose
// package resource ("DATA", 131) is pkg, beside an icon and another
// resource.
func squirrelSetup(t *testing.T, pkg []byte, extra ...squirrel.BuildResource) []byte {
	t.Helper()
	rs := append([]squirrel.BuildResource{{TypeID: 3, ID: 1, Data: []byte("icon")}, {Type: "DATA", ID: squirrel.PackageID, Data: pkg}}, extra...)
	img, err := pefixtures.SquirrelSetup(rs)
	if err != nil {
		t.Fatal(err)
	}
	return signInstaller(t, img)
}

// TestSquirrelOpened checks Squirrel Setup.exe files: the package resource
// is opened as a zip and its DLLs verified under Setup.exe's path, as
// Clowd.Squirrel lays it out (the .nupkg itself) and as Squirrel.Windows
// does (Update.exe and the .nupkg in a zip); the tampered ffmpeg.dll fails
// the gate at its path, and Setup.exe stays valid.
func TestSquirrelOpened(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	nupkg := makeZip(t, []zipEntry{
		{name: "MyApp.nuspec", data: []byte("<package/>")},
		{name: "lib/net45/MyApp.exe", data: f.peValid},
		{name: "lib/net45/ffmpeg.dll", data: f.peTampered},
	})
	for _, tc := range []struct {
		name, at string
		pkg      []byte
	}{
		{"nupkg", "Setup.exe/lib/net45/ffmpeg.dll", nupkg},
		{"update zip", "Setup.exe/MyApp-1.0.0-full.nupkg/lib/net45/ffmpeg.dll", makeZip(t, []zipEntry{
			{name: "Update.exe", data: f.peValid},
			{name: "MyApp-1.0.0-full.nupkg", data: nupkg, store: true},
		})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"Setup.exe": squirrelSetup(t, tc.pkg)})
			r := mustFail(t, Options{Policy: requireValid()}, tc.at, authenticode.RuleDigestMismatch, dir)
			exe := strings.TrimSuffix(tc.at, "ffmpeg.dll") + "MyApp.exe"
			for _, p := range []string{"Setup.exe", exe} {
				if fi := fileByPath(r, p); fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
					t.Errorf("%s: %+v", p, fi)
				}
			}
		})
	}
}

// TestSquirrelOtherResourceZip: a zip kept as another RT_RCDATA resource
// is opened too, under $RSRC/<type>/<name>/<language>, so an unsigned DLL
// hidden there fails require: valid.
func TestSquirrelOtherResourceZip(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	hidden := makeZip(t, []zipEntry{{name: "payload.dll", data: f.peUnsigned}})
	writeTree(t, dir, map[string][]byte{"Setup.exe": squirrelSetup(t, makeZip(t, []zipEntry{{name: "a.txt", data: []byte("a")}}), squirrel.BuildResource{TypeID: squirrel.RTRCData, ID: 7, Data: hidden})})
	mustFail(t, Options{Policy: requireValid()}, "Setup.exe/$RSRC/10/7/1033/payload.dll", ruleUnsigned, dir)
}

// TestNSISTrailingData: a DLL appended after the NSIS data, where the
// installer does not read, is reported and checked.
func TestNSISTrailingData(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	in := goInstaller(t, []nsis.BuildFile{{Name: `$INSTDIR\app.dll`, Data: f.peValid}}, nsis.BuildOptions{Deflate: true})
	end := int64(len(in))
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.exe": signInstaller(t, append(in, f.peUnsigned...))})
	r := mustFail(t, Options{Policy: requireValid()}, "setup.exe/$NSIS/trailing-data", ruleUnsigned, dir)
	found := false
	for _, x := range r.Findings {
		if x.Rule == RuleNSISTrailingData && x.Path == "setup.exe" && x.Offset != nil && *x.Offset == end {
			found = true
		}
	}
	if !found {
		t.Errorf("no %s at offset %d: %q", RuleNSISTrailingData, end, rulesFor(r, "setup.exe"))
	}
	// A signed installer without appended bytes has none.
	clean := t.TempDir()
	writeTree(t, clean, map[string][]byte{"setup.exe": signInstaller(t, in)})
	if got := rulesFor(run(t, Options{}, clean), "setup.exe"); len(got) != 0 {
		t.Errorf("clean installer: %q", got)
	}
}

// TestNSISUninstaller: the uninstaller an installer writes is a data block
// holding NSIS data of its own; it is opened too, so a DLL the uninstaller
// extracts is checked.
func TestNSISUninstaller(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	script := "Unicode true\nSetCompressor lzma\nOutFile setup.exe\nInstallDir \"$PROGRAMFILES\\Acme\"\nRequestExecutionLevel user\n" +
		"Section\nSetOutPath \"$INSTDIR\"\nWriteUninstaller \"$INSTDIR\\uninstall.exe\"\nSectionEnd\n" +
		"Section \"Uninstall\"\nSetOutPath \"$TEMP\"\nFile cleanup.dll\nSectionEnd\n"
	in := makensisScript(t, script, map[string][]byte{"cleanup.dll": f.peTampered})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.exe": in})
	r := run(t, Options{}, dir)
	found := ""
	for _, x := range r.Findings {
		if x.Rule == authenticode.RuleDigestMismatch && strings.HasPrefix(x.Path, "setup.exe/$NSIS/block-") && strings.HasSuffix(x.Path, "/$TEMP/cleanup.dll") {
			found = x.Path
		}
	}
	if found == "" {
		for _, x := range r.Findings {
			t.Logf("%s %s %s: %s", x.Severity, x.Rule, x.Path, x.Message)
		}
		t.Error("the uninstaller's cleanup.dll was not checked")
	}
}

// TestNSISHiddenBlockSolid: in a solid installer, an instruction
// extracting from where no block starts cannot be followed, and fails the
// gate.
func TestNSISHiddenBlockSolid(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	data := nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\a.dll`, Data: f.peValid}, {Name: `$INSTDIR\b.dll`, Data: []byte("x"), SetOffset: true, Offset: 7}}, nsis.BuildOptions{Deflate: true, Solid: true})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.exe": signInstaller(t, nsis.Stub(f.peUnsigned, data))})
	mustFail(t, Options{}, "setup.exe", RuleNSISHiddenData, dir)
}

// TestInstallersDeterministic: a release of NSIS installers (one holding a
// 7-Zip archive, one with a name leaving its folder and a hidden block), a
// Squirrel Setup.exe and a 7-Zip archive gives byte-identical reports
// whatever the number of workers.
func TestInstallersDeterministic(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	arc := sevenz.Build([]sevenz.BuildFile{{Name: "MyApp.exe", Data: f.peValid}, {Name: "ffmpeg.dll", Data: f.peTampered}})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"a/setup.exe": goInstaller(t, []nsis.BuildFile{{Name: `$PLUGINSDIR\app-64.7z`, Data: arc}, {Name: `$INSTDIR\x.dll`, Data: f.peUnsigned}}, nsis.BuildOptions{Deflate: true, Solid: true}),
		"b/setup.exe": goInstaller(t, []nsis.BuildFile{{Name: `$INSTDIR\..\evil.dll`, Data: f.peTampered}, {Name: `$INSTDIR\y.dll`, Data: f.peValid, SetOffset: true, Offset: 3}}, nsis.BuildOptions{Deflate: true}),
		"Setup.exe":   squirrelSetup(t, makeZip(t, []zipEntry{{name: "lib/net45/a.dll", data: f.peTampered}, {name: "lib/net45/b.dll", data: f.peUnsigned}})),
		"app.7z":      arc,
	})
	var outs [][]byte
	for _, w := range []int{1, 2, 7} {
		b, err := json.Marshal(run(t, Options{Workers: w, Policy: requireValid()}, dir))
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, b)
	}
	for i := 1; i < len(outs); i++ {
		if !bytes.Equal(outs[0], outs[i]) {
			t.Fatalf("reports differ:\n%s\n---\n%s", outs[0], outs[i])
		}
	}
}

// TestNSISPluginPolicy: NSIS plug-ins ship unsigned; the rule formats.md
// suggests admits them, and only them.
func TestNSISPluginPolicy(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	in := goInstaller(t, []nsis.BuildFile{{Name: `$PLUGINSDIR\System.dll`, Data: f.peUnsigned}, {Name: `$INSTDIR\app.dll`, Data: f.peValid}}, nsis.BuildOptions{Deflate: true})
	writeTree(t, dir, map[string][]byte{"setup.exe": signInstaller(t, in)})
	pol := requireValid()
	yes := true
	pol.Rules = append(pol.Rules, Rule{Match: []string{"**/$PLUGINSDIR/*.dll"}, AllowUnsigned: &yes})
	if r := run(t, Options{Policy: pol}, dir); !r.Summary.Passed {
		t.Errorf("findings %v", r.Findings)
	}
	mustFail(t, Options{Policy: requireValid()}, "setup.exe/$PLUGINSDIR/System.dll", ruleUnsigned, dir)
}

// TestSquirrelTwoPackages: a second package resource (another language of
// DATA 131) is opened under its own path rather than over the first's.
func TestSquirrelTwoPackages(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	first := makeZip(t, []zipEntry{{name: "lib/net45/a.dll", data: f.peValid}})
	second := makeZip(t, []zipEntry{{name: "lib/net45/a.dll", data: f.peTampered}})
	writeTree(t, dir, map[string][]byte{"Setup.exe": squirrelSetup(t, first, squirrel.BuildResource{Type: "DATA", ID: squirrel.PackageID, Data: second})})
	r := mustFail(t, Options{}, "Setup.exe/$RSRC/DATA/131/1033/lib/net45/a.dll", authenticode.RuleDigestMismatch, dir)
	n := 0
	for _, fi := range r.Files {
		if fi.Path == "Setup.exe/lib/net45/a.dll" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("Setup.exe/lib/net45/a.dll reported %d times", n)
	}
}

// TestNSISOsslsigncode has osslsigncode sign a makensis installer: the
// signature verifies, the installer has no finding of its own (the
// certificate table's alignment is not trailing data), and the tampered
// DLL inside fails the gate.
func TestNSISOsslsigncode(t *testing.T) {
	t.Parallel()
	tool, err := exec.LookPath("osslsigncode")
	if err != nil {
		t.Skip("osslsigncode is not installed; the signed-installer cross-check was skipped")
	}
	f := getFixtures(t)
	in := makensis(t, "lzma", false, map[string][]byte{"app.dll": f.peValid, "resources/ffmpeg.dll": f.peTampered})
	src, dir := t.TempDir(), t.TempDir()
	certs := writeFile(t, filepath.Join(src, "certs.pem"), f.winLeaf.PEM())
	key := writeFile(t, filepath.Join(src, "leaf.key"), f.winLeaf.KeyPEM())
	for _, pad := range []int{0, 3} {
		unsigned := writeFile(t, filepath.Join(src, "setup.exe"), append(append([]byte(nil), in...), []byte("abc")[:pad]...))
		out := filepath.Join(dir, fmt.Sprintf("p%d", pad), "setup.exe")
		os.MkdirAll(filepath.Dir(out), 0o755)
		if b, err := exec.Command(tool, "sign", "-certs", certs, "-key", key, "-h", "sha256", "-in", unsigned, "-out", out).CombinedOutput(); err != nil {
			t.Fatalf("osslsigncode: %v\n%s", err, b)
		}
	}
	r := mustFail(t, Options{}, "p0/"+nsisFFmpeg, authenticode.RuleDigestMismatch, dir)
	if fi := fileByPath(r, "p0/setup.exe"); fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
		t.Errorf("setup.exe: %+v", fi)
	}
	if got := rulesFor(r, "p0/setup.exe"); len(got) != 0 {
		t.Errorf("setup.exe: %q", got)
	}
	// Three bytes appended before signing are trailing data.
	if got := rulesFor(r, "p3/setup.exe"); !has(got, "warning "+string(RuleNSISTrailingData)) {
		t.Errorf("p3/setup.exe: %q", got)
	}
}
