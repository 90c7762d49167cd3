package cms_test

import (
	"crypto"
	"crypto/x509"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/testpki"
)

// TestOpenSSLTimestampCrossCheck verifies the same RFC 3161 tokens with
// `openssl ts -verify` and with VerifyTimestampToken: both must accept the
// good ones and refuse the bad ones. The TSA here marks its extended key
// usage critical, which OpenSSL requires and shipgate does not.
func TestOpenSSLTimestampCrossCheck(t *testing.T) {
	t.Parallel()
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed; skipping the cross-check")
	}
	p := newPKI(t)
	tsa := p.root.Issue(testpki.Spec{CommonName: "Cross-check TSA", KeyN: 5, EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}, CriticalEKU: true})
	stamped := []byte("the signature value being stamped")
	tst := tstSpec{genTime: "20240601133000.5Z", stamped: stamped}.der(t)
	essV2 := func(der []byte) testpki.Attr {
		return testpki.Attr{Type: cms.OIDAttrSigningCertificateV2, Values: [][]byte{essCertV2(t, der, nil, crypto.SHA256, nil)}}
	}
	essV1 := func(der []byte) testpki.Attr {
		return testpki.Attr{Type: cms.OIDAttrSigningCertificate, Values: [][]byte{essCertV1(der, issuerSerial(t, tsa.Cert, tsa.Cert.SerialNumber))}}
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	rootPEM := write("root.pem", p.root.PEM())
	for _, tc := range []struct {
		name   string
		token  []byte
		data   []byte
		wantOK bool
	}{
		{"good, signing-certificate-v2", tokenOver(tst, tsa, []testpki.Attr{essV2(tsa.Cert.Raw)}, p.root), stamped, true},
		{"good, signing-certificate with issuerSerial", tokenOver(tst, tsa, []testpki.Attr{essV1(tsa.Cert.Raw)}, p.root), stamped, true},
		{"imprint over other data", tokenOver(tst, tsa, []testpki.Attr{essV2(tsa.Cert.Raw)}, p.root), []byte("other"), false},
		{"signing certificate names another certificate", tokenOver(tst, tsa, []testpki.Attr{essV2(p.root.Cert.Raw)}, p.root), stamped, false},
		{"TSA with more than timeStamping", tokenOver(tst, p.root.Issue(testpki.Spec{CommonName: "Two-usage TSA", KeyN: 6, CriticalEKU: true,
			EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping, x509.ExtKeyUsageCodeSigning}}), nil, p.root), stamped, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := write("token.der", tc.token)
			data := write("data.bin", tc.data)
			out, err := exec.Command(openssl, "ts", "-verify", "-token_in", "-in", tok, "-data", data, "-CAfile", rootPEM,
				"-attime", fmt.Sprint(testpki.Epoch.Add(time.Hour).Unix())).CombinedOutput()
			t.Logf("openssl: %s", out)
			if (err == nil) != tc.wantOK {
				t.Fatalf("openssl ok=%v, want %v:\n%s", err == nil, tc.wantOK, out)
			}
			ts := cms.VerifyTimestampToken(tc.token, tc.data, cms.TimestampOptions{Trust: p.trust})
			if ts.Verified != tc.wantOK {
				t.Fatalf("shipgate verified=%v (%s), want %v", ts.Verified, ts.Detail, tc.wantOK)
			}
		})
	}
}
