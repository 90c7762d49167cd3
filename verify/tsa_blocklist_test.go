package verify

import (
	"crypto/x509"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/blocklist"
)

// tsaPKI is a root with a code-signing leaf that outlives the test's "now",
// one that has expired by then, and a time-stamping authority under an
// intermediate CA; Apple leaves of both kinds too.
type tsaPKI struct {
	root, tsaCA, tsa                 *testpki.Cert
	leafLong, leafShort              *testpki.Cert
	apple                            *machofile.PKI
	appleLeafLong, appleLeafShort    *testpki.Cert
	trust                            *signing.TrustStore
	stampAt, now, signerRevoked      time.Time
	signerWindowFrom, signerWindowTo time.Time
}

func newTSAPKI(t *testing.T) *tsaPKI {
	t.Helper()
	p := &tsaPKI{stampAt: testpki.Epoch, now: testpki.Epoch.AddDate(2, 0, 0)}
	p.signerRevoked = p.stampAt.AddDate(0, 1, 0)
	p.signerWindowFrom, p.signerWindowTo = p.signerRevoked, p.signerRevoked.AddDate(0, 1, 0)
	short := testpki.Spec{NotBefore: testpki.Epoch.AddDate(-1, 0, 0), NotAfter: testpki.Epoch.AddDate(1, 0, 0)}
	p.root = testpki.NewRoot(testpki.Spec{CommonName: "TSA Test Root", CA: true, KeyN: 4})
	p.tsaCA = p.root.Issue(testpki.Spec{CommonName: "TSA Test Timestamping CA", CA: true, KeyN: 5})
	p.tsa = p.tsaCA.Issue(testpki.Spec{CommonName: "TSA Test Timestamping Signer", KeyN: 6, EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}})
	p.leafLong = p.root.Issue(testpki.Spec{CommonName: "Vendor With Long Certificate", KeyN: 7})
	p.leafShort = p.root.Issue(testpki.Spec{CommonName: "Vendor With Short Certificate", KeyN: 8, NotBefore: short.NotBefore, NotAfter: short.NotAfter})
	p.apple = machofile.NewPKI()
	dev := func(cn string, n int, s testpki.Spec) *testpki.Cert {
		s.CommonName, s.OrganizationalUnit, s.KeyN = "Developer ID Application: "+cn+" ("+machofile.TeamID+")", machofile.TeamID, n
		s.ExtraExtensions = machofile.DeveloperIDLeafExtensions()
		return p.apple.CA.Issue(s)
	}
	p.appleLeafLong = dev("Long Corp", 9, testpki.Spec{})
	p.appleLeafShort = dev("Short Corp", 3, short)
	trust, err := signing.NewTrustStore(signing.TrustStoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	trust.AddCertificate(p.root.Cert)
	trust.AddCertificate(p.apple.Root.Cert)
	p.trust = trust
	return p
}

// signed returns a file of the format ("pe", "pe-legacy", "macho") signed
// by leaf (its Apple twin for Mach-O) and timestamped by the TSA.
func (p *tsaPKI) signed(t *testing.T, format string, long bool) []byte {
	t.Helper()
	switch format {
	case "pe", "pe-legacy":
		leaf := p.leafShort
		if long {
			leaf = p.leafLong
		}
		img, err := pefile.Build(pefile.Spec{})
		if err != nil {
			t.Fatal(err)
		}
		st := &pefile.Stamp{TSA: p.tsa, Chain: []*testpki.Cert{p.tsaCA}, At: p.stampAt, Legacy: format == "pe-legacy"}
		b, err := pefile.SignAttach(img, pefile.SignSpec{Signer: leaf, Certs: []*testpki.Cert{p.root}, Stamp: st})
		if err != nil {
			t.Fatal(err)
		}
		return b
	case "macho":
		leaf := p.appleLeafShort
		if long {
			leaf = p.appleLeafLong
		}
		spec := p.apple.DeveloperIDSpec("com.example.tsa")
		spec.CMS = machofile.Signer{Leaf: leaf, Chain: []*testpki.Cert{p.apple.CA}, SigningTime: p.stampAt,
			TSA: p.tsa, TSAChain: []*testpki.Cert{p.tsaCA}, TimestampAt: p.stampAt}.CMS
		b, _, err := machofile.Sign(machofile.Build(machofile.Spec{}), spec)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	t.Fatalf("unknown format %q", format)
	return nil
}

// TestTSABlocklisted checks that a timestamp by a blocklisted time-stamping
// authority (its signing certificate or a CA of its chain) does not date
// the signature: the signer's blocklist entries apply as to an
// untimestamped signature, and a leaf that expired since the timestamp is
// no longer trusted. A clean authority changes nothing.
func TestTSABlocklisted(t *testing.T) {
	t.Parallel()
	p := newTSAPKI(t)
	sha := func(c *testpki.Cert) string { return signing.NewIdentity(c.Cert).SHA256 }
	tsaLeaf := func(*testpki.Cert) blocklist.Entry {
		return blocklist.Entry{Kind: blocklist.KindCertSHA256, Value: sha(p.tsa), Reason: blocklist.ReasonKeyCompromise, Source: "tsa.json"}
	}
	tsaCA := func(*testpki.Cert) blocklist.Entry {
		return blocklist.Entry{Kind: blocklist.KindCertSHA256, Value: sha(p.tsaCA), Source: "tsa.json"}
	}
	signerRevoked := func(leaf *testpki.Cert) blocklist.Entry {
		return blocklist.Entry{Kind: blocklist.KindCertSHA256, Value: sha(leaf), RevokedAt: &p.signerRevoked, Reason: blocklist.ReasonKeyCompromise, Source: "signer.json"}
	}
	signerWindow := func(leaf *testpki.Cert) blocklist.Entry {
		return blocklist.Entry{Kind: blocklist.KindCertSHA256, Value: sha(leaf), NotBefore: &p.signerWindowFrom, NotAfter: &p.signerWindowTo, Source: "signer.json"}
	}
	cases := []struct {
		name        string
		long        bool // the signer's certificate is still valid at now
		entries     []func(leaf *testpki.Cert) blocklist.Entry
		status      signing.Status
		rules       []string // findings that must be present
		absent      []string // findings that must not be
		disregarded bool
	}{
		{name: "tsa-clean-expired-leaf", status: signing.StatusValid,
			absent: []string{"warning signer/tsa-blocklisted", "warning policy/untrusted"}},
		{name: "tsa-clean-signer-revoked-after-timestamp", long: true, entries: []func(*testpki.Cert) blocklist.Entry{signerRevoked},
			status: signing.StatusValid, absent: []string{"error signer/blocklisted", "warning signer/tsa-blocklisted"}},
		{name: "tsa-clean-signer-window-after-timestamp", long: true, entries: []func(*testpki.Cert) blocklist.Entry{signerWindow},
			status: signing.StatusValid, absent: []string{"error signer/blocklisted", "warning signer/tsa-blocklisted"}},
		{name: "tsa-blocked-valid-leaf", long: true, entries: []func(*testpki.Cert) blocklist.Entry{tsaLeaf},
			status: signing.StatusValid, rules: []string{"warning signer/tsa-blocklisted"}, absent: []string{"error signer/blocklisted"}, disregarded: true},
		{name: "tsa-blocked-signer-revoked-after-timestamp", long: true, entries: []func(*testpki.Cert) blocklist.Entry{tsaLeaf, signerRevoked},
			status: signing.StatusRevoked, rules: []string{"error signer/blocklisted", "warning signer/tsa-blocklisted"}, disregarded: true},
		{name: "tsa-blocked-signer-window-after-timestamp", long: true, entries: []func(*testpki.Cert) blocklist.Entry{tsaLeaf, signerWindow},
			status: signing.StatusRevoked, rules: []string{"error signer/blocklisted", "warning signer/tsa-blocklisted"}, disregarded: true},
		{name: "tsa-blocked-expired-leaf", entries: []func(*testpki.Cert) blocklist.Entry{tsaLeaf},
			status: signing.StatusUntrusted, rules: []string{"warning policy/untrusted", "warning signer/tsa-blocklisted"}, disregarded: true},
		{name: "tsa-ca-blocked-expired-leaf", entries: []func(*testpki.Cert) blocklist.Entry{tsaCA},
			status: signing.StatusUntrusted, rules: []string{"warning policy/untrusted", "warning signer/tsa-blocklisted"}, disregarded: true},
	}
	for _, format := range []string{"pe", "pe-legacy", "macho"} {
		for _, tc := range cases {
			t.Run(format+"/"+tc.name, func(t *testing.T) {
				data := p.signed(t, format, tc.long)
				leaf := map[bool]*testpki.Cert{false: p.leafShort, true: p.leafLong}[tc.long]
				if format == "macho" {
					leaf = map[bool]*testpki.Cert{false: p.appleLeafShort, true: p.appleLeafLong}[tc.long]
				}
				list := blocklist.New()
				for _, mk := range tc.entries {
					if err := list.Add(mk(leaf)); err != nil {
						t.Fatal(err)
					}
				}
				dir := t.TempDir()
				writeTree(t, dir, map[string][]byte{"app.bin": data})
				pol := &Policy{Trust: Trust{RevocationPolicy: "windows"}}
				r := run(t, Options{Trust: p.trust, Time: p.now, Blocklist: list, Policy: pol}, filepath.Join(dir, "app.bin"))
				f := fileByPath(r, "app.bin")
				if f == nil || len(f.Signatures) != 1 {
					t.Fatalf("want one signed file, got %+v", r.Files)
				}
				s := f.Signatures[0]
				got := rulesFor(r, "app.bin")
				if s.Status != tc.status {
					t.Errorf("status %s, want %s (findings %q, checks %+v)", s.Status, tc.status, got, s.Checks)
				}
				for _, want := range tc.rules {
					if !has(got, want) {
						t.Errorf("findings %q lack %q", got, want)
					}
				}
				for _, not := range tc.absent {
					if has(got, not) {
						t.Errorf("findings %q hold %q", got, not)
					}
				}
				if s.Timestamp == nil || !s.Timestamp.Verified {
					t.Fatalf("the fixture's timestamp does not verify: %+v", s.Checks)
				}
				if d := s.Timestamp.Disregarded != ""; d != tc.disregarded {
					t.Errorf("timestamp disregarded %t (%q), want %t", d, s.Timestamp.Disregarded, tc.disregarded)
				}
				if tc.disregarded && !s.Failed("timestamp-authority") {
					t.Errorf("no failed timestamp-authority check: %+v", s.Checks)
				}
				if tc.status == signing.StatusUntrusted && !strings.Contains(failedDetail(s, "chain"), "expired") {
					t.Errorf("chain check does not say the leaf expired: %+v", s.Checks)
				}
			})
		}
	}
}
