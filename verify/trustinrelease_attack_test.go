package verify

import (
	"os"
	"path/filepath"
	"testing"
)

// TestAttackTrustInRelease: a policy beside the release named a trust root
// inside it ("dist/certs/root.pem", shipped for the app's own use, or
// written by a build step). Whoever writes the release replaces that file
// with a root of their own and signs with the vendor's names: every
// signature was valid and the gate passed. A file the policy reads from
// inside a folder being verified — a root, the policy itself, reached
// through a symbolic link too — is now an error at its path in the
// release, which a family glob in severity does not tone down; one outside
// is not.
func TestAttackTrustInRelease(t *testing.T) {
	f := getFixtures(t)
	top := t.TempDir()
	dist := filepath.Join(top, "dist")
	writeTree(t, dist, map[string][]byte{"app.exe": f.peValid, "certs/root.pem": f.winRoot.PEM()})
	writeTree(t, top, map[string][]byte{"ci/root.pem": f.winRoot.PEM()})
	load := func(name, roots string) *Policy {
		t.Helper()
		p := filepath.Join(top, name)
		writeTree(t, top, map[string][]byte{name: []byte("trust:\n  system: false\n  embedded: []\n  roots: [" + roots + "]\n")})
		pol, err := LoadPolicy(p)
		if err != nil {
			t.Fatal(err)
		}
		return pol
	}
	opts := func(pol *Policy) Options { return Options{Policy: pol, Time: checkTime} }

	r := mustFail(t, opts(load("policy.yaml", "dist/certs/root.pem")), "certs/root.pem", RuleTrustInRelease, dist)
	if sig := fileByPath(r, "app.exe"); sig == nil || len(sig.Signatures) == 0 || sig.Signatures[0].Status.String() != "valid" {
		t.Fatalf("the fixture does not verify under its root: %+v", sig)
	}
	mustFail(t, opts(load("dist/shipgate.yaml", "../ci/root.pem")), "shipgate.yaml", RuleTrustInRelease, dist)
	// "policy/*: note", written to tone down unsigned helpers, does not
	// reach it.
	toned := load("policy.yaml", "dist/certs/root.pem")
	toned.Severity = map[string]string{"policy/*": "note"}
	mustFail(t, opts(toned), "certs/root.pem", RuleTrustInRelease, dist)
	if err := os.Symlink(filepath.Join(dist, "certs"), filepath.Join(top, "certs-link")); err != nil {
		t.Skipf("no symbolic links: %v", err)
	}
	mustFail(t, opts(load("policy.yaml", "certs-link/root.pem")), "certs/root.pem", RuleTrustInRelease, dist)
	if r := run(t, opts(load("policy.yaml", "ci/root.pem")), dist); !r.Summary.Passed || len(findingsOf(r, RuleTrustInRelease)) > 0 {
		t.Errorf("a root outside the release: findings %v", r.Findings)
	}
}
