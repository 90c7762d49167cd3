package verify

import (
	"bytes"
	"testing"

	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// msixPackage builds an MSIX package signed with the fixtures' Windows
// leaf (unsigned when unsigned is set).
func msixPackage(t testing.TB, unsigned bool) []byte { return msixBuild(t, unsigned, false) }

// msixBuild builds a package, or a bundle holding one.
func msixBuild(t testing.TB, unsigned, bundle bool) []byte {
	t.Helper()
	f := getFixtures(t)
	b, err := pefixtures.APPX(nil, pefixtures.APPXSpec{Unsigned: unsigned, Bundle: bundle, Signer: f.winLeaf, Chain: []*testpki.Cert{f.winRoot},
		Publisher: "CN=Example Vendor Ltd, O=Example Vendor Ltd"})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestMSIXInRelease checks that MSIX packages are detected by name and by
// content, verified, and walked: a signed one is valid and its PE is
// reported inside it; a tampered one fails with the block map and digest
// rules; a plain zip stays a zip.
func TestMSIXInRelease(t *testing.T) {
	t.Parallel()
	good := msixPackage(t, false)
	i := bytes.Index(good, []byte("hello from the package"))
	bad := bytes.Clone(good)
	bad[i] = 'H'
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"app.msix":       good,
		"renamed.zip":    good,
		"tampered.appx":  bad,
		"app.msixbundle": msixBuild(t, false, true),
	})
	r := run(t, Options{}, dir)
	for path, want := range map[string]Kind{"app.msix": KindMSIX, "renamed.zip": KindMSIX, "tampered.appx": KindMSIX, "app.msix/app.exe": KindPE, "app.msix/AppxManifest.xml": KindOther,
		"app.msixbundle": KindMSIX, "app.msixbundle/app_x64.msix": KindMSIX, "app.msixbundle/app_x64.msix/app.exe": KindPE} {
		if fb := fileByPath(r, path); fb == nil || fb.Kind != want {
			t.Errorf("%s: %+v, want kind %s", path, fb, want)
		}
	}
	for _, p := range []string{"app.msix", "renamed.zip", "app.msixbundle", "app.msixbundle/app_x64.msix"} {
		if fb := fileByPath(r, p); len(fb.Signatures) != 1 || fb.Signatures[0].Status != signing.StatusValid {
			t.Errorf("%s: signatures %+v, want one valid", p, fb.Signatures)
		}
		if got := rulesFor(r, p); len(got) != 0 {
			t.Errorf("%s: findings %q", p, got)
		}
	}
	got := rulesFor(r, "tampered.appx")
	for _, rule := range []signing.Rule{authenticode.RuleMSIXDigestMismatch, authenticode.RuleMSIXBlockMapMismatch} {
		if !has(got, "error "+string(rule)) {
			t.Errorf("tampered.appx: findings %q, want %s", got, rule)
		}
	}
	if r.Summary.Passed {
		t.Error("a release with a tampered MSIX passed")
	}
}

// TestUnsignedMSIXUnderRequireValid checks that an unsigned package is code
// to the policy: it fails `require: valid`, and forbidKinds names msix.
func TestUnsignedMSIXUnderRequireValid(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"signed.msix": msixPackage(t, false), "unsigned.msix": msixPackage(t, true)})
	r := run(t, Options{Policy: requireValid()}, dir)
	if got := rulesFor(r, "unsigned.msix"); !has(got, "error "+string(ruleUnsigned)) {
		t.Errorf("unsigned.msix: findings %q, want error %s", got, ruleUnsigned)
	}
	if got := rulesFor(r, "signed.msix"); len(got) != 0 {
		t.Errorf("signed.msix: findings %q", got)
	}
	if r.Summary.Passed {
		t.Error("the gate passed with an unsigned MSIX")
	}
	pol := &Policy{Rules: []Rule{{Match: []string{"**"}, ForbidKinds: []Kind{KindMSIX}}}}
	if err := pol.Validate(); err != nil {
		t.Fatalf("forbidKinds msix: %v", err)
	}
	r = run(t, Options{Policy: pol}, dir)
	if got := rulesFor(r, "signed.msix"); !has(got, "error "+string(RuleForbiddenKind)) {
		t.Errorf("forbidKinds: findings %q", got)
	}
}
