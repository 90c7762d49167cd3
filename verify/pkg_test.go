package verify

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/pkg"
)

// pkgSpec is a signed product archive holding Example.app.
func pkgSpec(t testing.TB) (pkgfile.Spec, *pkgfile.PKI) {
	p := pkgfile.WithInstallers(getFixtures(t).apple)
	return pkgfile.Spec{
		Files:  examplePackage(t),
		Signer: p.Installer, Chain: []*testpki.Cert{p.CA},
		CMS: true, TSA: p.TSA, TimestampAt: machofile.SignTime,
	}, p
}

func writePkg(t testing.TB, b []byte) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Example-1.4.0.pkg"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

const pkgApp = "Example-1.4.0.pkg/app.pkg/Payload/Applications/Example.app"

func errorRules(r *Report) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Severity == signing.SeverityError {
			out = append(out, f.Path+" "+string(f.Rule))
		}
	}
	return out
}

// TestPkgValid: a signed package verifies, and the app inside its payload
// is verified as a bundle, file by file.
func TestPkgValid(t *testing.T) {
	t.Parallel()
	s, _ := pkgSpec(t)
	b, _ := pkgfile.Build(s)
	r := run(t, Options{}, writePkg(t, b))
	if errs := errorRules(r); len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	f := fileByPath(r, "Example-1.4.0.pkg")
	if f == nil || f.Kind != KindPkg || len(f.Signatures) != 2 || f.Signatures[0].Status != signing.StatusValid || f.Signatures[1].Status != signing.StatusValid {
		t.Fatalf("package: %+v", f)
	}
	exe := fileByPath(r, pkgApp+"/Contents/MacOS/Example")
	if exe == nil || exe.Kind != KindMachO || len(exe.Signatures) != 1 || exe.Signatures[0].Status != signing.StatusValid {
		t.Fatalf("main executable: %+v", exe)
	}
	if !has(rulesFor(r, "Example-1.4.0.pkg/app.pkg/Scripts/postinstall"), "note "+string(pkg.RuleInstallScript)) {
		t.Errorf("postinstall not listed: %v", rulesFor(r, "Example-1.4.0.pkg/app.pkg/Scripts/postinstall"))
	}
}

// TestPkgModifiedDylibInside: a package re-signed by its own team around
// an app whose libffmpeg.dylib was changed: the package is valid, the app
// inside is not.
func TestPkgModifiedDylibInside(t *testing.T) {
	t.Parallel()
	s, _ := pkgSpec(t)
	bundle := exampleBundle(t)
	lib := "Example.app/Contents/Frameworks/Example Framework.framework/Versions/A/Libraries/libffmpeg.dylib"
	f := bundle[lib]
	f.Data = bytes.Clone(f.Data)
	f.Data[0x1100] ^= 0x5a
	bundle[lib] = f
	for i := range s.Files {
		if s.Files[i].Path == "app.pkg/Payload" {
			s.Files[i].Data = pkgfile.PBZX(pkgfile.CPIO(pkgfile.BundleCPIO("Applications", bundle)), 64<<10)
		}
	}
	b, _ := pkgfile.Build(s)
	r := run(t, Options{}, writePkg(t, b))
	errs := strings.Join(errorRules(r), "\n")
	if !strings.Contains(errs, "libffmpeg.dylib codesign/page-hash-mismatch") {
		t.Errorf("errors:\n%s", errs)
	}
	if f := fileByPath(r, "Example-1.4.0.pkg"); f.Signatures[0].Status != signing.StatusValid {
		t.Errorf("package: %+v", f.Signatures[0])
	}
}

// TestPkgTamperedPayload: a byte of the signed package's Payload changed.
func TestPkgTamperedPayload(t *testing.T) {
	t.Parallel()
	s, _ := pkgSpec(t)
	b, lay := pkgfile.Build(s)
	b[lay.HeapStart+lay.Data["app.pkg/Payload"]+100] ^= 1
	r := run(t, Options{}, writePkg(t, b))
	if !has(rulesFor(r, "Example-1.4.0.pkg"), "error "+string(pkg.RuleFileChecksumMismatch)) {
		t.Errorf("findings %v", rulesFor(r, "Example-1.4.0.pkg"))
	}
	if f := fileByPath(r, "Example-1.4.0.pkg"); f.Signatures[0].Status != signing.StatusInvalid {
		t.Errorf("package: %+v", f.Signatures[0])
	}
}

// TestPkgPolicy: an unsigned package fails require: valid; a package
// signed by another team fails a teamID signer rule.
func TestPkgPolicy(t *testing.T) {
	t.Parallel()
	pol, err := ParsePolicy([]byte("rules:\n  - match: [\"**/*.pkg\"]\n    require: valid\n    signers:\n      - teamID: TEAM123456\n"))
	if err != nil {
		t.Fatal(err)
	}
	s, p := pkgSpec(t)
	good, _ := pkgfile.Build(s)
	if errs := errorRules(run(t, Options{Policy: pol}, writePkg(t, good))); len(errs) != 0 {
		t.Errorf("valid package under the policy: %v", errs)
	}
	unsigned := s
	unsigned.Signer, unsigned.CMS = nil, false
	b, _ := pkgfile.Build(unsigned)
	if got := rulesFor(run(t, Options{Policy: pol}, writePkg(t, b)), "Example-1.4.0.pkg"); !has(got, "error "+string(RuleUnsigned)) {
		t.Errorf("unsigned: %v", got)
	}
	other := s
	other.Signer = p.OtherTeam
	b, _ = pkgfile.Build(other)
	if got := rulesFor(run(t, Options{Policy: pol}, writePkg(t, b)), "Example-1.4.0.pkg"); !has(got, "error "+string(RuleSignerNotAllowed)) {
		t.Errorf("other team: %v", got)
	}
}

// TestPkgExtraHeapBytes: data appended to a signed package.
func TestPkgExtraHeapBytes(t *testing.T) {
	t.Parallel()
	s, _ := pkgSpec(t)
	s.ExtraHeap = []byte("hidden")
	b, _ := pkgfile.Build(s)
	r := run(t, Options{}, writePkg(t, b))
	if !has(rulesFor(r, "Example-1.4.0.pkg"), "error "+string(pkg.RuleUnownedHeapData)) {
		t.Errorf("findings %v", rulesFor(r, "Example-1.4.0.pkg"))
	}
}

// TestPkgMalformed: a package whose table of contents does not parse is a
// pkg/malformed finding, not a failed run.
func TestPkgMalformed(t *testing.T) {
	t.Parallel()
	s, _ := pkgSpec(t)
	b, _ := pkgfile.Build(s)
	b[30] ^= 0xff // inside the compressed table of contents
	r := run(t, Options{}, writePkg(t, b))
	got := rulesFor(r, "Example-1.4.0.pkg")
	if !has(got, "error "+string(pkg.RuleMalformed)) {
		t.Errorf("findings %v", got)
	}
}

// TestPkgInZip: a package inside a zip archive is found by its magic and
// opened as well.
func TestPkgInZip(t *testing.T) {
	t.Parallel()
	s, _ := pkgSpec(t)
	b, _ := pkgfile.Build(s)
	z := makeZip(t, []zipEntry{{name: "dist/Example-1.4.0.pkg", data: b}})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "release.zip"), z, 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, Options{}, filepath.Join(dir, "release.zip"))
	f := fileByPath(r, "dist/Example-1.4.0.pkg")
	if f == nil || f.Kind != KindPkg || len(f.Signatures) != 2 {
		t.Fatalf("package: %+v", f)
	}
	if fileByPath(r, "dist/"+pkgApp+"/Contents/MacOS/Example") == nil {
		t.Errorf("app inside not walked")
	}
	if errs := errorRules(r); len(errs) != 0 {
		t.Errorf("errors: %v", errs)
	}
}

// TestPkgBundleSeal: the app inside a payload is verified as a bundle: a
// changed sealed resource (no code) breaks its CodeResources seal.
func TestPkgBundleSeal(t *testing.T) {
	t.Parallel()
	s, _ := pkgSpec(t)
	bundle := exampleBundle(t)
	res := "Example.app/Contents/Resources/app.txt"
	bundle[res] = machofile.BundleFile{Data: []byte("Changed after signing.\n")}
	for i := range s.Files {
		if s.Files[i].Path == "app.pkg/Payload" {
			s.Files[i].Data = pkgfile.Gzip(pkgfile.CPIO(pkgfile.BundleCPIO("Applications", bundle)))
		}
	}
	b, _ := pkgfile.Build(s)
	r := run(t, Options{}, writePkg(t, b))
	errs := strings.Join(errorRules(r), "\n")
	if !strings.Contains(errs, "codesign/resource-modified") {
		t.Errorf("errors:\n%s", errs)
	}
}

// TestPkgBlocklistedInstaller: a package signed by a blocklisted installer
// certificate is revoked, as any signature is.
func TestPkgBlocklistedInstaller(t *testing.T) {
	t.Parallel()
	s, p := pkgSpec(t)
	b, _ := pkgfile.Build(s)
	dir := writePkg(t, b)
	lists := t.TempDir()
	writeTree(t, lists, map[string][]byte{"signer.pem": p.Installer.PEM()})
	r := run(t, Options{Policy: &Policy{Blocklists: Blocklists{Files: []string{filepath.Join(lists, "signer.pem")}}}}, dir)
	if got := rulesFor(r, "Example-1.4.0.pkg"); !has(got, "error signer/blocklisted") {
		t.Errorf("findings %q", got)
	}
	if st := fileByPath(r, "Example-1.4.0.pkg").Signatures[0].Status; st != signing.StatusRevoked {
		t.Errorf("status %s, want revoked", st)
	}
}

// TestPkgReportDeterministic: the same package gives byte-identical JSON.
func TestPkgReportDeterministic(t *testing.T) {
	t.Parallel()
	s, _ := pkgSpec(t)
	s.ExtraHeap = []byte("x") // findings too
	b, _ := pkgfile.Build(s)
	dir := writePkg(t, b)
	var out [2]bytes.Buffer
	for i := range out {
		if err := json.NewEncoder(&out[i]).Encode(run(t, Options{}, dir)); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(out[0].Bytes(), out[1].Bytes()) {
		t.Error("two runs differ")
	}
}
