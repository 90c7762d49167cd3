package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	model "github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

// TestVerifyNoSystemRoots checks that shipgate verify trusts the operating
// system's roots by default and that --no-system-roots turns them off, over
// a policy that leaves trust.system unset. The system store is stood in for
// by $SSL_CERT_FILE, which the Linux and BSD loader honours.
func TestVerifyNoSystemRoots(t *testing.T) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" || runtime.GOOS == "ios" {
		t.Skip("the platform verifier supplies the system roots here")
	}
	dir, roots := verifyFixture(t)
	t.Setenv("SSL_CERT_FILE", roots)
	t.Setenv("SSL_CERT_DIR", "")
	status := func(args ...string) signing.Status {
		t.Helper()
		code, out, errOut := runCLI(t, append(append([]string{"verify", "--format", "json"}, args...), filepath.Join(dir, "app.exe"))...)
		var r verify.Report
		if err := json.Unmarshal([]byte(out), &r); err != nil || code == exitError || len(r.Files) != 1 || len(r.Files[0].Signatures) != 1 {
			t.Fatalf("exit %d, %v, stderr %s\n%s", code, err, errOut, out)
		}
		return r.Files[0].Signatures[0].Status
	}
	if got := status(); got != signing.StatusValid {
		t.Errorf("by default: %s, want valid", got)
	}
	if got := status("--no-system-roots"); got != signing.StatusUntrusted {
		t.Errorf("--no-system-roots: %s, want untrusted", got)
	}
	// An explicit root still counts without the system store.
	if got := status("--no-system-roots", "--roots", roots); got != signing.StatusValid {
		t.Errorf("--no-system-roots --roots: %s, want valid", got)
	}
}

// TestDiffNoSystemRoots checks that diff, like verify, judges signers
// with the operating system's roots by default and without them under
// --no-system-roots: an installer whose new build is signed under a root of
// the system store has a valid signature, or an untrusted one.
func TestDiffNoSystemRoots(t *testing.T) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" || runtime.GOOS == "ios" {
		t.Skip("the platform verifier supplies the system roots here")
	}
	dir, roots := verifyFixture(t)
	t.Setenv("SSL_CERT_FILE", roots)
	t.Setenv("SSL_CERT_DIR", "")
	unsigned, _ := os.ReadFile(filepath.Join(dir, "plugin.dll"))
	signed, _ := os.ReadFile(filepath.Join(dir, "app.exe"))
	rel := t.TempDir()
	old, nw := filepath.Join(rel, "setup-1.0.exe"), filepath.Join(rel, "setup-1.1.exe")
	os.WriteFile(old, unsigned, 0o644)
	os.WriteFile(nw, signed, 0o644)
	status := func(args ...string) signing.Status {
		t.Helper()
		code, out, errOut := runCLI(t, append(append([]string{"diff", "--format", "json"}, args...), old, nw)...)
		var r model.Report
		if err := json.Unmarshal([]byte(out), &r); err != nil || code == exitError || r.Diff == nil || r.Diff.ReleaseDiff == nil ||
			len(r.Diff.Binaries) != 1 || r.Diff.Binaries[0].New == nil || r.Diff.Binaries[0].New.Signature == nil {
			t.Fatalf("exit %d, %v, stderr %s\n%s", code, err, errOut, out)
		}
		return r.Diff.Binaries[0].New.Signature.Status
	}
	if got := status(); got != signing.StatusValid {
		t.Errorf("by default: %s, want valid", got)
	}
	if got := status("--no-system-roots"); got != signing.StatusUntrusted {
		t.Errorf("--no-system-roots: %s, want untrusted", got)
	}
}
