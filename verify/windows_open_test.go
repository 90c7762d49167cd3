package verify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"github.com/shipgate/shipgate/internal/wixlfix"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// Column types as WiX writes them.
const (
	colKey   = 0x2d48 // s72
	colStr   = 0x1d48 // S72
	colName  = 0x0fff // l255
	colI2Key = 0x2502
	colI2    = 0x1502
	colI4    = 0x0104
	colBin   = 0x1900
)

// installer describes a fixture MSI: the DLL its embedded MSZIP cabinet
// installs to "Acme App/app.dll", its custom-action DLL, and extra streams
// and Media rows.
type installer struct {
	dll, customAction []byte
	method            cab.Method
	extraMedia        [][]any
	extraStreams      map[string][]byte
	cabName           string // the stream's name (default app.cab)
}

func (in installer) node() ([]msi.BuildTable, map[string][]byte) {
	c := cab.Build([]cab.BuildFile{{Name: "AppDll", Data: in.dll}, {Name: "Readme", Data: []byte("read me\r\n")}}, cab.BuildOptions{Method: in.method})
	name := in.cabName
	if name == "" {
		name = "app.cab"
	}
	tables := []msi.BuildTable{
		{Name: "Media", Columns: []msi.Column{{Name: "DiskId", Type: colI2Key}, {Name: "LastSequence", Type: colI4}, {Name: "Cabinet", Type: colStr}},
			Rows: append([][]any{{1, 2, "#app.cab"}}, in.extraMedia...)},
		{Name: "File", Columns: []msi.Column{{Name: "File", Type: colKey}, {Name: "Component_", Type: colKey}, {Name: "FileName", Type: colName}, {Name: "FileSize", Type: colI4}, {Name: "Sequence", Type: colI4}},
			Rows: [][]any{{"AppDll", "Main", "APP~1.DLL|app.dll", len(in.dll), 1}, {"Readme", "Main", "readme.txt", 9, 2}}},
		{Name: "Component", Columns: []msi.Column{{Name: "Component", Type: colKey}, {Name: "Directory_", Type: colKey}},
			Rows: [][]any{{"Main", "INSTALLDIR"}}},
		{Name: "Directory", Columns: []msi.Column{{Name: "Directory", Type: colKey}, {Name: "Directory_Parent", Type: colStr}, {Name: "DefaultDir", Type: colName}},
			Rows: [][]any{{"TARGETDIR", nil, "SourceDir"}, {"ProgramFilesFolder", "TARGETDIR", "."}, {"INSTALLDIR", "ProgramFilesFolder", "ACME~1|Acme App"}}},
		{Name: "Binary", Columns: []msi.Column{{Name: "Name", Type: colKey}, {Name: "Data", Type: colBin}},
			Rows: [][]any{{"CustomDll", "x"}}},
	}
	streams := map[string][]byte{name: c, "Binary.CustomDll": in.customAction}
	for k, v := range in.extraStreams {
		streams[k] = v
	}
	return tables, streams
}

// signed returns the installer as an MSI signed with the fixtures' leaf.
func (in installer) signed(t testing.TB) []byte {
	tables, streams := in.node()
	return signMSI(t, msi.BuildNode(tables, streams))
}

const (
	innerDLL = "setup.msi/app.cab/Acme App/app.dll"
	innerCA  = "setup.msi/Binary/CustomDll"
)

// TestMSIOpened checks a signed installer whose embedded cabinet and Binary
// table carry signed DLLs: each DLL is found under the installer's path,
// verified as a PE, and the gate passes under require: valid.
func TestMSIOpened(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.msi": installer{dll: f.peValid, customAction: f.peValid, method: cab.MethodMSZIP}.signed(t)})
	r := run(t, Options{Policy: requireValid()}, dir)
	for _, p := range []string{"setup.msi", innerDLL, innerCA} {
		fi := fileByPath(r, p)
		if fi == nil {
			t.Fatalf("%s not in the report", p)
		}
		if len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
			t.Errorf("%s: signatures %+v", p, fi.Signatures)
		}
	}
	if k := fileByPath(r, innerDLL).Kind; k != KindPE {
		t.Errorf("%s: kind %s", innerDLL, k)
	}
	if fileByPath(r, "setup.msi/app.cab/Acme App/readme.txt") == nil {
		t.Error("readme.txt not in the report")
	}
	if !r.Summary.Passed {
		for _, x := range r.Findings {
			t.Logf("%s %s %s: %s", x.Severity, x.Rule, x.Path, x.Message)
		}
		t.Error("the gate failed on a clean installer")
	}
}

// TestMSITrojanizedDLL is 3CX's case: the installer is signed (by a key the
// attacker holds) but the DLL its cabinet installs is tampered or unsigned;
// the gate fails at the DLL's path inside the installer. A stored cabinet
// and an MSZIP one, and a custom action, are each checked.
func TestMSITrojanizedDLL(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	for _, tc := range []struct {
		name    string
		in      installer
		at      string
		rule    signing.Rule
		cabPath string
	}{
		{"tampered MSZIP", installer{dll: f.peTampered, customAction: f.peValid, method: cab.MethodMSZIP}, innerDLL, authenticode.RuleDigestMismatch, ""},
		{"unsigned stored", installer{dll: f.peUnsigned, customAction: f.peValid}, innerDLL, ruleUnsigned, ""},
		{"unsigned custom action", installer{dll: f.peValid, customAction: f.peUnsigned, method: cab.MethodMSZIP}, innerCA, ruleUnsigned, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"setup.msi": tc.in.signed(t)})
			r := mustFail(t, Options{Policy: requireValid()}, tc.at, tc.rule, dir)
			for _, g := range rulesFor(r, "setup.msi") {
				if !strings.HasPrefix(g, "note ") {
					t.Errorf("setup.msi itself: %q", g)
				}
			}
		})
	}
}

// TestMSIMissingAndUnreferenced reports a Media row naming an embedded
// cabinet the database lacks (error), an external cabinet the release
// lacks beside it (error: before, a note that trusted it to be shipped), a stream
// no table refers to (warning, and checked: an unsigned PE there fails
// require: valid), and a Binary row whose stream is gone (error).
func TestMSIMissingAndUnreferenced(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	in := installer{dll: f.peValid, customAction: f.peValid, method: cab.MethodMSZIP,
		extraMedia:   [][]any{{2, 3, "#gone.cab"}, {3, 4, "disk2.cab"}},
		extraStreams: map[string][]byte{"hidden": f.peUnsigned}}
	tables, streams := in.node()
	delete(streams, "Binary.CustomDll")
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.msi": signMSI(t, msi.BuildNode(tables, streams))})
	r := run(t, Options{Policy: requireValid()}, dir)
	for p, want := range map[string]string{
		"setup.msi/gone.cab":         "error " + string(RuleMSIMissingStream),
		innerCA:                      "error " + string(RuleMSIMissingStream),
		"setup.msi/_Streams/hidden":  "warning " + string(RuleMSIUnreferencedData),
		"setup.msi/_Streams/hidden ": "error " + string(ruleUnsigned),
		"setup.msi/disk2.cab":        "error " + string(RuleMSIMissingCabinet),
	} {
		p = strings.TrimSpace(p)
		if got := rulesFor(r, p); !has(got, want) {
			t.Errorf("%s: findings %q, want %s", p, got, want)
		}
	}
	if fileByPath(r, innerDLL) == nil {
		t.Error("the cabinet that is there was not opened")
	}
}

// TestCABInRelease opens a cabinet shipped as a file: its DLL is checked
// under drivers.cab/…, in an LZX cabinet too; a Quantum cabinet's files are
// reported as not opened.
func TestCABInRelease(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"drivers.cab": cab.Build([]cab.BuildFile{{Name: `bin\evil.dll`, Data: f.peTampered}, {Name: "ok.dll", Data: f.peValid}}, cab.BuildOptions{Method: cab.MethodMSZIP}),
		"quantum.cab": cab.Build([]cab.BuildFile{{Name: "x.dll", Data: f.peValid}}, cab.BuildOptions{Method: cab.MethodQuantum}),
		"lzx.cab":     cab.Build([]cab.BuildFile{{Name: "ok.dll", Data: f.peValid}, {Name: "evil.dll", Data: f.peTampered}}, cab.BuildOptions{Method: cab.MethodLZX, LZXWindow: 16}),
	})
	r := mustFail(t, Options{}, "drivers.cab/bin/evil.dll", authenticode.RuleDigestMismatch, dir)
	if fi := fileByPath(r, "drivers.cab/ok.dll"); fi == nil || fi.Kind != KindPE || fi.Signatures[0].Status != signing.StatusValid {
		t.Errorf("drivers.cab/ok.dll: %+v", fi)
	}
	if got := rulesFor(r, "quantum.cab/x.dll"); !has(got, "error "+string(RuleCABNotOpened)) {
		t.Errorf("quantum.cab/x.dll: %q", got)
	}
	if fi := fileByPath(r, "lzx.cab/ok.dll"); fi == nil || fi.Kind != KindPE || fi.Signatures[0].Status != signing.StatusValid {
		t.Errorf("lzx.cab/ok.dll: %+v", fi)
	}
	if got := rulesFor(r, "lzx.cab/evil.dll"); !has(got, "error "+string(authenticode.RuleDigestMismatch)) {
		t.Errorf("lzx.cab/evil.dll: %q", got)
	}
}

// TestCABInZip holds a cabinet streamed out of a compressed zip entry in
// memory, verifies and opens it.
func TestCABInZip(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	c := cab.Build([]cab.BuildFile{{Name: "evil.dll", Data: f.peTampered}}, cab.BuildOptions{Method: cab.MethodMSZIP})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"rel.zip": makeZip(t, []zipEntry{{name: "payload.cab", data: c}})})
	mustFail(t, Options{}, "payload.cab/evil.dll", authenticode.RuleDigestMismatch, filepath.Join(dir, "rel.zip"))
}

// bombCab returns a cabinet whose n folders share one run of empty data
// blocks, each holding a file that claims 2 GiB (see cab.BuildBomb).
func bombCab(n int) []byte { return cab.BuildBomb(n) }

// TestCABBomb refuses a cabinet whose folders share their data blocks to
// declare terabytes: nothing is decompressed, and the gate fails.
func TestCABBomb(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"bomb.cab": bombCab(200)})
	r := mustFail(t, Options{}, "bomb.cab", ruleUnreadable, dir)
	if len(r.Files) != 1 {
		t.Errorf("%d files in the report, want the cabinet alone", len(r.Files))
	}
}

// TestCABNestedDepth stops opening cabinets nested deeper than maxDepth.
func TestCABNestedDepth(t *testing.T) {
	t.Parallel()
	c := cab.Build([]cab.BuildFile{{Name: "x.txt", Data: []byte("x")}}, cab.BuildOptions{})
	for i := 0; i < maxDepth; i++ {
		c = cab.Build([]cab.BuildFile{{Name: "in.cab", Data: c}}, cab.BuildOptions{})
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"deep.cab": c})
	mustFail(t, Options{}, "deep.cab"+strings.Repeat("/in.cab", maxDepth), ruleUnreadable, dir)
}

// TestMSIHostileNames keeps a File table name that climbs out of the
// installer from becoming a report path: the file is reported under its key
// and the name is an error.
func TestMSIHostileNames(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	tables, streams := installer{dll: f.peValid, customAction: f.peValid}.node()
	tables[1].Rows[0][2] = `..\..\evil.dll`
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.msi": signMSI(t, msi.BuildNode(tables, streams))})
	r := mustFail(t, Options{}, "setup.msi", ruleInsecurePath, dir)
	if fileByPath(r, "setup.msi/app.cab/AppDll") == nil {
		t.Error("the file was not reported under its key")
	}
	for _, fi := range r.Files {
		if strings.Contains(fi.Path, "..") {
			t.Errorf("report path %q", fi.Path)
		}
	}
}

// TestWixlInstaller verifies an installer msitools' wixl built around the
// fixture DLL: the walker finds it at its installed path.
func TestWixlInstaller(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	msi := wixlfix.Build(t, wixlfix.Spec{Version: "1.0.0", Files: []wixlfix.File{{ID: "AppDll", Name: "app.dll", Data: f.peTampered}}})
	dir := filepath.Dir(msi)
	r := mustFail(t, Options{}, innerDLL, authenticode.RuleDigestMismatch, dir)
	if fi := fileByPath(r, innerDLL); fi == nil || fi.Kind != KindPE {
		t.Errorf("%s: %+v", innerDLL, fi)
	}
	if bytes.Contains([]byte(strings.Join(rulesFor(r, "setup.msi"), " ")), []byte("error")) {
		t.Errorf("setup.msi: %q", rulesFor(r, "setup.msi"))
	}
}

// TestOsslsigncodeSignedInstallers has osslsigncode sign a cabinet and an
// MSI built here: both signatures verify (osslsigncode writes the cabinet's
// signature reserve, which the cabinet reader then steps over), and the
// trojanized DLL inside each still fails the gate at its path.
func TestOsslsigncodeSignedInstallers(t *testing.T) {
	t.Parallel()
	tool, err := exec.LookPath("osslsigncode")
	if err != nil {
		t.Skip("osslsigncode is not installed; the signed-installer cross-check was skipped")
	}
	f := getFixtures(t)
	src, dir := t.TempDir(), t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(src, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	certs, key := write("certs.pem", f.winLeaf.PEM()), write("leaf.key", f.winLeaf.KeyPEM())
	tables, streams := installer{dll: f.peTampered, customAction: f.peValid, method: cab.MethodMSZIP}.node()
	for name, b := range map[string][]byte{
		"drivers.cab": cab.Build([]cab.BuildFile{{Name: `bin\evil.dll`, Data: f.peTampered}}, cab.BuildOptions{Method: cab.MethodMSZIP}),
		"setup.msi":   msi.Build(tables, streams),
	} {
		in := write(name, b)
		if out, err := exec.Command(tool, "sign", "-certs", certs, "-key", key, "-h", "sha256", "-in", in, "-out", filepath.Join(dir, name)).CombinedOutput(); err != nil {
			t.Fatalf("osslsigncode sign %s: %v\n%s", name, err, out)
		}
	}
	r := mustFail(t, Options{}, "drivers.cab/bin/evil.dll", authenticode.RuleDigestMismatch, dir)
	wantRules(t, r, innerDLL, authenticode.RuleDigestMismatch)
	for _, p := range []string{"drivers.cab", "setup.msi"} {
		fi := fileByPath(r, p)
		if fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
			t.Errorf("%s: %+v", p, fi)
		}
	}
}

// TestMSIDeterministic checks that a release of installers and cabinets
// gives byte-identical reports whatever the number of workers.
func TestMSIDeterministic(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	in := installer{dll: f.peTampered, customAction: f.peUnsigned, method: cab.MethodMSZIP,
		extraMedia: [][]any{{2, 3, "#gone.cab"}}, extraStreams: map[string][]byte{"hidden": f.peValid, "other": []byte("x")}}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"a/setup.msi": in.signed(t),
		"b/setup.msi": installer{dll: f.peValid, customAction: f.peValid}.signed(t),
		"drivers.cab": cab.Build([]cab.BuildFile{{Name: `x\a.dll`, Data: f.peValid}, {Name: `x\b.dll`, Data: f.peUnsigned}}, cab.BuildOptions{Method: cab.MethodMSZIP}),
	})
	var outs [][]byte
	for _, w := range []int{1, 2, 7} {
		b, err := json.Marshal(run(t, Options{Workers: w}, dir))
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

// TestPathElem escapes what would leave a folder or hide in a path.
func TestPathElem(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"CustomDll": "CustomDll", "..": "%2E%2E", ".": "%2E", "": "%00", `..\evil`: "..%5Cevil",
		"a/b": "a%2Fb", "100%": "100%25", "\x05Summary": "%05Summary", "Ünï": "Ünï", "\xff": "%FF",
	} {
		if got := pathElem(in); got != want {
			t.Errorf("pathElem(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMSIQuantumCabinet reports an installer whose cabinet is
// Quantum-compressed: its files are not opened, and each is a
// cab/not-opened error.
func TestMSIQuantumCabinet(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.msi": installer{dll: f.peValid, customAction: f.peValid, method: cab.MethodQuantum}.signed(t)})
	r := run(t, Options{}, dir)
	if got := rulesFor(r, innerDLL); !has(got, "error "+string(RuleCABNotOpened)) {
		t.Errorf("findings %q", got)
	}
	if fileByPath(r, innerDLL) != nil {
		t.Error("a Quantum file was reported as checked")
	}
}

// FuzzReleaseMSI runs Release over hostile installers and cabinets: it must
// never panic nor report a path that leaves the release.
func FuzzReleaseMSI(f *testing.F) {
	fx := getFixtures(f)
	tables, streams := installer{dll: fx.peValid, customAction: []byte("MZ"), method: cab.MethodMSZIP, extraStreams: map[string][]byte{"x": []byte("y")}}.node()
	f.Add(msi.Build(tables, streams), false)
	f.Add(cab.Build([]cab.BuildFile{{Name: `a\b.dll`, Data: fx.peValid[:600]}}, cab.BuildOptions{Method: cab.MethodMSZIP}), true)
	dir := f.TempDir()
	opts := Options{Trust: fx.trust, Time: checkTime, MaxBuffer: 1 << 20}
	f.Fuzz(func(t *testing.T, b []byte, isCab bool) {
		name := "setup.msi"
		if isCab {
			name = "setup.cab"
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Release(context.Background(), opts, dir)
		os.Remove(p)
		if err != nil {
			return
		}
		for _, f := range r.Files {
			if !validReportPath(f.Path) {
				t.Errorf("report path %q leaves the release", f.Path)
			}
		}
	})
}

// TestMSITwoFilesOnePath reports two File rows installed to one path (the
// cabinet's second file would hide behind the first's name): the second
// is checked under its key.
func TestMSITwoFilesOnePath(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	tables, streams := installer{dll: f.peValid, customAction: f.peValid}.node()
	tables[1].Rows[1][2] = "app.dll" // Readme installs as app.dll too
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.msi": signMSI(t, msi.BuildNode(tables, streams))})
	r := mustFail(t, Options{}, innerDLL, ruleDuplicateEntry, dir)
	if fileByPath(r, innerDLL) == nil || fileByPath(r, "setup.msi/app.cab/Readme") == nil {
		t.Errorf("files %v", r.Files)
	}
}

// TestMSIBlocklists applies the blocklists to what an installer carries: a
// known-bad file in its cabinet and a custom action signed by a blocklisted
// certificate are found at their paths inside it.
func TestMSIBlocklists(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	payload := []byte("a known-bad helper\r\n")
	tables, streams := installer{dll: f.peUntrusted, customAction: f.peValid, method: cab.MethodMSZIP}.node()
	streams["app.cab"] = cab.Build([]cab.BuildFile{{Name: "AppDll", Data: f.peUntrusted}, {Name: "Readme", Data: payload}}, cab.BuildOptions{Method: cab.MethodMSZIP})
	dir := t.TempDir()
	rel := filepath.Join(dir, "release")
	writeTree(t, rel, map[string][]byte{"setup.msi": msi.Build(tables, streams)})
	bad := sha256.Sum256(payload)
	lists := filepath.Join(dir, "lists")
	writeTree(t, lists, map[string][]byte{"signer.pem": f.winLeaf.PEM(), "hashes.txt": []byte(hex.EncodeToString(bad[:]) + "\n")})
	pol := &Policy{Blocklists: Blocklists{Files: []string{filepath.Join(lists, "signer.pem"), filepath.Join(lists, "hashes.txt")}}}
	r := run(t, Options{Policy: pol}, rel)
	if got := rulesFor(r, "setup.msi/app.cab/Acme App/readme.txt"); !has(got, "error file/known-bad") {
		t.Errorf("readme.txt: findings %q", got)
	}
	if got := rulesFor(r, innerCA); !has(got, "error signer/blocklisted") {
		t.Errorf("%s: findings %q", innerCA, got)
	}
	if got := rulesFor(r, innerDLL); strings.Contains(strings.Join(got, ","), "blocklisted") {
		t.Errorf("%s is signed by another certificate: %q", innerDLL, got)
	}
}

// TestMSIInlineScript notes a custom action whose VBScript is kept in the
// CustomAction table: it is code no file check sees.
func TestMSIInlineScript(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	tables, streams := installer{dll: f.peValid, customAction: f.peValid}.node()
	tables = append(tables, msi.BuildTable{Name: "CustomAction", Columns: []msi.Column{{Name: "Action", Type: colKey}, {Name: "Type", Type: colI2}, {Name: "Source", Type: colStr}, {Name: "Target", Type: colStr}},
		Rows: [][]any{{"Payload", 38, nil, `CreateObject("WScript.Shell").Run "calc"`}}})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.msi": signMSI(t, msi.BuildNode(tables, streams))})
	r := run(t, Options{}, dir)
	found := false
	for _, x := range r.Findings {
		found = found || (x.Path == "setup.msi" && x.Rule == ruleUncheckedArchive && strings.Contains(x.Message, `"Payload" runs a VBScript`))
	}
	if !found {
		t.Errorf("no note about the inline VBScript: %v", rulesFor(r, "setup.msi"))
	}
}
