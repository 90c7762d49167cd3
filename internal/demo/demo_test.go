package demo

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/shipgate/shipgate/sbom"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

// built is one build of the demo, made once for the tests that only read
// it, under a temporary root TestMain removes.
var built struct {
	once sync.Once
	root string
	m    *Material
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.root != "" {
		os.RemoveAll(built.root)
	}
	os.Exit(code)
}

// sharedBuild returns the demo built once for the package's tests, which
// must not change it.
func sharedBuild(t *testing.T) *Material {
	t.Helper()
	built.once.Do(func() {
		if built.root, built.err = os.MkdirTemp("", "shipgate-demo-"); built.err == nil {
			built.m, built.err = Build(built.root)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.m
}

func TestGateVerdicts(t *testing.T) {
	t.Parallel()
	m := sharedBuild(t)
	pol, err := verify.LoadPolicy(m.Policy)
	if err != nil {
		t.Fatal(err)
	}
	clean, err := verify.Release(context.Background(), verify.Options{Policy: pol}, m.Clean)
	if err != nil {
		t.Fatal(err)
	}
	if !clean.Summary.Passed || clean.Summary.Errors+clean.Summary.Warnings != 0 {
		t.Errorf("1.4.0 should pass cleanly: %+v %v", clean.Summary, clean.Findings)
	}
	trojan, err := verify.Release(context.Background(), verify.Options{Policy: pol}, m.Trojan)
	if err != nil {
		t.Fatal(err)
	}
	if trojan.Summary.Passed {
		t.Error("1.4.1 passed")
	}
	want := map[signing.Rule]string{
		"authenticode/cert-table-padding": "windows/d3dcompiler_47.dll",
		"signer/blocklisted":              "windows/ffmpeg.dll",
		"file/known-bad":                  "windows/ffmpeg.dll",
		"codesign/page-hash-mismatch":     AppName + ".app/Contents/Frameworks/Electron Framework.framework/Versions/A/Libraries/libffmpeg.dylib",
	}
	for _, f := range trojan.Findings {
		if want[f.Rule] == f.Path {
			delete(want, f.Rule)
		}
	}
	for rule, path := range want {
		t.Errorf("1.4.1 lacks %s on %s", rule, path)
	}
	// The installer packages: 1.4.0's verifies, and the app inside 1.4.1's
	// carries the changed libffmpeg.dylib.
	for _, f := range clean.Files {
		if f.Path == AppName+"-"+CleanVer+".pkg" && (f.Kind != "pkg" || len(f.Signatures) != 2 || f.Signatures[0].Status != signing.StatusValid) {
			t.Errorf("1.4.0 package: %+v", f)
		}
	}
	// The Windows installers: 1.4.0's verifies, and the cabinet inside
	// 1.4.1's carries the trojanized ffmpeg.dll and the stuffed
	// d3dcompiler_47.dll, found as in the directory.
	msiOK := false
	for _, f := range clean.Files {
		msiOK = msiOK || (f.Path == AppName+"-"+CleanVer+".msi" && f.Kind == "msi" && len(f.Signatures) == 1 && f.Signatures[0].Status == signing.StatusValid)
	}
	if !msiOK {
		t.Errorf("1.4.0 lacks a valid signed %s-%s.msi", AppName, CleanVer)
	}
	inMSI := map[signing.Rule]string{
		"file/known-bad":                  AppName + "-" + TrojanVer + ".msi/app.cab/" + AppName + "/ffmpeg.dll",
		"authenticode/cert-table-padding": AppName + "-" + TrojanVer + ".msi/app.cab/" + AppName + "/d3dcompiler_47.dll",
	}
	for _, f := range trojan.Findings {
		if inMSI[f.Rule] == f.Path {
			delete(inMSI, f.Rule)
		}
	}
	for rule, path := range inMSI {
		t.Errorf("1.4.1 lacks %s on %s", rule, path)
	}
	// The disk images: 1.4.0's verifies and the app inside it is verified
	// file by file; 1.4.1's carries the changed libffmpeg.dylib.
	dmgOK, dmgApp := false, false
	for _, f := range clean.Files {
		dmgOK = dmgOK || (f.Path == AppName+"-"+CleanVer+".dmg" && f.Kind == "dmg" && len(f.Signatures) == 1 && f.Signatures[0].Status == signing.StatusValid)
		dmgApp = dmgApp || (f.Path == AppName+"-"+CleanVer+".dmg/"+AppName+".app/Contents/MacOS/"+AppName && len(f.Signatures) > 0 && f.Signatures[0].Status == signing.StatusValid)
	}
	if !dmgOK || !dmgApp {
		t.Errorf("1.4.0: valid signed %s-%s.dmg %v, app inside verified %v", AppName, CleanVer, dmgOK, dmgApp)
	}
	for _, f := range clean.Findings {
		if strings.HasPrefix(string(f.Rule), "dmg/") {
			t.Errorf("1.4.0: %s %s: %s", f.Path, f.Rule, f.Message)
		}
	}
	inDMG := AppName + "-" + TrojanVer + ".dmg/" + AppName + ".app/Contents/Frameworks/Electron Framework.framework/Versions/A/Libraries/libffmpeg.dylib"
	dmgFound := false
	for _, f := range trojan.Findings {
		dmgFound = dmgFound || (f.Rule == "codesign/page-hash-mismatch" && f.Path == inDMG)
	}
	if !dmgFound {
		t.Errorf("1.4.1 lacks codesign/page-hash-mismatch on %s", inDMG)
	}
	inPkg := AppName + "-" + TrojanVer + ".pkg/app.pkg/Payload/Applications/" + AppName + ".app/Contents/Frameworks/Electron Framework.framework/Versions/A/Libraries/libffmpeg.dylib"
	found := false
	for _, f := range trojan.Findings {
		found = found || (f.Rule == "codesign/page-hash-mismatch" && f.Path == inPkg)
	}
	if !found {
		t.Errorf("1.4.1 lacks codesign/page-hash-mismatch on %s", inPkg)
	}
}

// The demo is reproducible: two builds write the same bytes.
func TestBuildIsDeterministic(t *testing.T) {
	t.Parallel()
	a, b := sharedBuild(t).Dir, t.TempDir()
	if _, err := Build(b); err != nil {
		t.Fatal(err)
	}
	n := 0
	err := filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink != 0 || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		x, _ := os.ReadFile(p)
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between builds", rel)
		}
		n++
		return nil
	})
	if err != nil || n < 20 {
		t.Fatalf("walked %d files: %v", n, err)
	}
}

// The installers diff as the release folders do: 1.4.1's MSI installs an
// ffmpeg.dll whose bytes changed under the same version resource, and a
// d3dcompiler_47.dll with data in its signature blob. (The demo's MSIs come
// with the demo's msi.go; without them the test has nothing to diff.)
func TestInstallerDiff(t *testing.T) {
	t.Parallel()
	m := sharedBuild(t)
	oldMSI := filepath.Join(m.Clean, AppName+"-"+CleanVer+".msi")
	if _, err := os.Stat(oldMSI); err != nil {
		t.Skipf("the demo builds no Windows installer: %v", err)
	}
	r, err := sbom.DiffReleases(context.Background(), oldMSI, filepath.Join(m.Trojan, AppName+"-"+TrojanVer+".msi"), sbom.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	at := AppName + "-" + TrojanVer + ".msi/app.cab/" + AppName + "/"
	want := map[string]bool{
		string(sbom.RuleChangedSameVersion) + " " + at + "ffmpeg.dll":         true,
		string(sbom.RuleChangedSameVersion) + " " + at + "d3dcompiler_47.dll": true,
	}
	for _, f := range r.Findings {
		delete(want, string(f.Rule)+" "+f.Path)
	}
	for k := range want {
		t.Errorf("the installers' diff lacks %s", k)
	}
	if r.Summary.Passed {
		t.Error("the installers' diff passed")
	}
}
