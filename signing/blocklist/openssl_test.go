package blocklist

import (
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/testpki"
)

// TestOpenSSLCrossCheck compares the CRL and certificate loaders with
// OpenSSL: the serials, dates and reasons read from a CRL, whether its
// signature verifies against the issuer, and certificate fingerprints.
func TestOpenSSLCrossCheck(t *testing.T) {
	t.Parallel()
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed: skipping the cross-check")
	}
	dir := t.TempDir()
	pki := newTestPKI(t, "Cross Check Signer", big.NewInt(0x0a0b0c))
	revokedAt := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	der := makeCRL(t, pki.root, []x509.RevocationListEntry{
		{SerialNumber: big.NewInt(0x0a0b0c), RevocationTime: revokedAt, ReasonCode: int(ReasonSuperseded)},
		{SerialNumber: new(big.Int).SetBytes([]byte{0x80, 1, 2, 3, 4, 5, 6, 7, 8}), RevocationTime: revokedAt.Add(time.Hour), ReasonCode: int(ReasonKeyCompromise)},
	}, pkiTo)
	crlPath := filepath.Join(dir, "root.crl")
	rootPath := filepath.Join(dir, "root.pem")
	write(t, crlPath, der)
	write(t, rootPath, pki.root.PEM())

	out, err := exec.Command(openssl, "crl", "-inform", "DER", "-in", crlPath, "-noout", "-text").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl crl: %v\n%s", err, out)
	}
	serialRE := regexp.MustCompile(`Serial Number: ([0-9A-F]+)`)
	var theirs []string
	for _, m := range serialRE.FindAllStringSubmatch(string(out), -1) {
		s, _ := normalizeSerial(m[1])
		theirs = append(theirs, s)
	}
	l, err := Parse(strings.NewReader(string(der)), "root.crl", LoadOptions{CRLIssuer: pki.root.Cert, Now: revokedAt})
	if err != nil {
		t.Fatal(err)
	}
	var ours []string
	for _, e := range l.Entries() {
		ours = append(ours, e.Value)
	}
	if !slices.Equal(ours, theirs) {
		t.Errorf("serials: shipgate %v, openssl %v", ours, theirs)
	}
	for _, want := range []string{"Jun  1 00:00:00 2024 GMT", "Jun  1 01:00:00 2024 GMT", "Superseded", "Key Compromise"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("openssl output lacks %q:\n%s", want, out)
		}
	}

	verify := func(crl []byte) bool {
		write(t, crlPath, crl)
		out, err := exec.Command(openssl, "crl", "-inform", "DER", "-in", crlPath, "-CAfile", rootPath, "-noout").CombinedOutput()
		return err == nil && strings.Contains(string(out), "verify OK")
	}
	impostor := testpki.NewRoot(testpki.Spec{CommonName: "Blocklist Test Root", NotBefore: pkiFrom, NotAfter: pkiTo, KeyN: 5})
	forged := makeCRL(t, impostor, []x509.RevocationListEntry{{SerialNumber: big.NewInt(1), RevocationTime: revokedAt}}, pkiTo)
	for _, c := range []struct {
		name string
		crl  []byte
	}{{"genuine", der}, {"forged", forged}} {
		_, err := Parse(strings.NewReader(string(c.crl)), c.name, LoadOptions{CRLIssuer: pki.root.Cert, Now: revokedAt})
		if ok := verify(c.crl); ok != (err == nil) {
			t.Errorf("%s CRL: openssl verify %v, shipgate error %v", c.name, ok, err)
		}
	}

	certPath := filepath.Join(dir, "leaf.pem")
	write(t, certPath, pki.leaf.PEM())
	out, err = exec.Command(openssl, "x509", "-in", certPath, "-noout", "-fingerprint", "-sha256").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl x509: %v\n%s", err, out)
	}
	_, fp, _ := strings.Cut(strings.TrimSpace(string(out)), "=")
	certs, err := Parse(strings.NewReader(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki.leaf.Cert.Raw}))), "leaf.pem", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := normalHex(fp, []int{64}); certs.Entries()[0].Value != want {
		t.Errorf("fingerprint: shipgate %s, openssl %s", certs.Entries()[0].Value, fp)
	}
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
