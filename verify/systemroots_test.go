package verify

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// withSystemRoots returns the hooks that make the PEM bundle of certs the
// operating system's roots for a Release call.
func withSystemRoots(t *testing.T, certs ...*testpki.Cert) testHooks {
	t.Helper()
	var b []byte
	for _, c := range certs {
		b = append(b, c.PEM()...)
	}
	name := filepath.Join(t.TempDir(), "ca-certificates.crt")
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return testHooks{systemRootFiles: []string{name}}
}

// TestSystemRootsTrustedByDefault checks that a third-party vendor's
// signature, chaining to a root of the operating system's store, is valid
// with the default policy (nil, as a library caller passes, or a policy
// without trust.system), and untrusted when the policy says system: false;
// and that a leaf without the codeSigning usage under the same root stays
// untrusted.
func TestSystemRootsTrustedByDefault(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	noEKU := f.winRoot.Issue(testpki.Spec{CommonName: "Vendor TLS Server", KeyN: 4, NoEKU: true})
	img, err := pefile.Build(pefile.Spec{})
	if err != nil {
		t.Fatal(err)
	}
	peNoEKU, err := pefile.SignAttach(img, pefile.SignSpec{Signer: noEKU, Certs: []*testpki.Cert{f.winRoot}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"vendor.dll": f.peValid, "noeku.dll": peNoEKU})
	hooks := withSystemRoots(t, f.winRoot)

	no := false
	parsed, err := ParsePolicy([]byte("trust:\n  embedded: [microsoft]\n"))
	if err != nil {
		t.Fatal(err)
	}
	hermetic, err := ParsePolicy([]byte("trust:\n  system: false\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		policy *Policy
		want   signing.Status
	}{
		{"nil policy", nil, signing.StatusValid},
		{"policy without system", parsed, signing.StatusValid},
		{"system: false", hermetic, signing.StatusUntrusted},
		{"System false in code", &Policy{Trust: Trust{System: &no}}, signing.StatusUntrusted},
	} {
		t.Run(c.name, func(t *testing.T) {
			// No Trust: the store is the policy's, as the CLI builds it.
			r, err := Release(context.Background(), Options{Policy: c.policy, Time: checkTime, hooks: hooks}, dir)
			if err != nil {
				t.Fatal(err)
			}
			v := fileByPath(r, "vendor.dll")
			if v == nil || len(v.Signatures) != 1 || v.Signatures[0].Status != c.want {
				t.Fatalf("vendor.dll: %+v; findings %q", v, rulesFor(r, "vendor.dll"))
			}
			untrusted := has(rulesFor(r, "vendor.dll"), "warning policy/untrusted")
			if untrusted != (c.want == signing.StatusUntrusted) {
				t.Errorf("vendor.dll findings %q", rulesFor(r, "vendor.dll"))
			}
			n := fileByPath(r, "noeku.dll")
			if n == nil || len(n.Signatures) != 1 || n.Signatures[0].Status != signing.StatusUntrusted || !n.Signatures[0].Failed("eku") {
				t.Errorf("noeku.dll: %+v", n)
			}
		})
	}
}

// TestTrustSystemYAML checks that trust.system distinguishes absent (the
// default, true) from false.
func TestTrustSystemYAML(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		yaml string
		set  bool
		want bool
	}{
		{"trust: {}\n", false, true},
		{"trust:\n  system: true\n", true, true},
		{"trust:\n  system: false\n", true, false},
	} {
		p, err := ParsePolicy([]byte(c.yaml))
		if err != nil {
			t.Fatalf("%q: %v", c.yaml, err)
		}
		if (p.Trust.System != nil) != c.set || p.Trust.SystemRoots() != c.want || p.trustOptions(nil).System != c.want {
			t.Errorf("%q: System %v, SystemRoots %v", c.yaml, p.Trust.System, p.Trust.SystemRoots())
		}
	}
	if !(&Policy{}).Trust.SystemRoots() {
		t.Error("the zero Policy does not trust the system roots")
	}
}

// TestSystemRootsDoNotAnchorAppleSignatures: the operating system's roots are
// trusted for Authenticode only. macOS accepts Developer ID and other Apple
// code-signing leaves only under Apple's roots, so a Mach-O (or bundle) whose
// chain ends at a root that is merely in the system bundle stays untrusted,
// while a PE under the same kind of root is valid.
func TestSystemRootsDoNotAnchorAppleSignatures(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"vendor.dll": f.peValid, "libvendor.dylib": f.machoValid})
	hooks := withSystemRoots(t, f.winRoot, f.apple.Root)
	r, err := Release(context.Background(), Options{Time: checkTime, hooks: hooks}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if v := fileByPath(r, "vendor.dll"); v == nil || len(v.Signatures) != 1 || v.Signatures[0].Status != signing.StatusValid {
		t.Fatalf("vendor.dll: %+v", v)
	}
	m := fileByPath(r, "libvendor.dylib")
	if m == nil || len(m.Signatures) == 0 {
		t.Fatalf("libvendor.dylib: %+v", m)
	}
	for _, s := range m.Signatures {
		if s.Status != signing.StatusUntrusted {
			t.Errorf("libvendor.dylib %s: %s, want untrusted (a system root does not anchor an Apple signature)", s.Arch, s.Status)
		}
	}
	// The roots the caller names still anchor both.
	roots := filepath.Join(t.TempDir(), "roots.pem")
	if err := os.WriteFile(roots, f.apple.Root.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err = Release(context.Background(), Options{Time: checkTime, Policy: &Policy{Trust: Trust{Roots: []string{roots}}}, hooks: hooks}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if m := fileByPath(r, "libvendor.dylib"); m == nil || m.Signatures[0].Status != signing.StatusValid {
		t.Errorf("libvendor.dylib with --roots: %+v", m)
	}
}
