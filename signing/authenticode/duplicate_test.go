package authenticode

import (
	"crypto"
	"os"
	"os/exec"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// wantDuplicates checks that res is invalid, that the signatures dups (and
// only they) are reported as copies with an error each, and that the others
// stay valid.
func wantDuplicates(t *testing.T, res *Result, dups ...int) {
	t.Helper()
	if res.Status != signing.StatusInvalid {
		t.Errorf("status %s, want invalid", res.Status)
	}
	got := map[int]bool{}
	for _, f := range findingsOf(res, RuleDuplicateSignature) {
		if f.Severity != signing.SeverityError {
			t.Errorf("finding %s: %s, want an error", f.Severity, f.Message)
		}
		got[f.Signature] = true
	}
	for i, s := range res.Signatures {
		want := false
		for _, d := range dups {
			want = want || d == i
		}
		switch {
		case want && (!got[i] || !s.Failed(CheckDistinct) || s.Status != signing.StatusInvalid):
			t.Errorf("signature %d: status %s, reported %v; want an invalid copy", i, s.Status, got[i])
		case !want && (got[i] || s.Status != signing.StatusValid):
			t.Errorf("signature %d: status %s, reported %v; want valid", i, s.Status, got[i])
		}
	}
}

// TestAttackNestedSignatureCopies: copies of the vendor's own signature,
// nested in it (as values of the nested-signature attribute) or added as
// more WIN_CERTIFICATE entries, each verified and passed, though no copy is
// a signature of its own: its bytes are a place to hide data (its
// certificates and unsigned parts can differ, its count alone says
// something). Each copy is authenticode/duplicate-signature, an error.
func TestAttackNestedSignatureCopies(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := fixtureTrust(t)
	spec := pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256}
	own, err := pefile.Sign(fixtures.Base(), spec)
	if err != nil {
		t.Fatal(err)
	}
	// The same signature with other certificates: other bytes, the same
	// signature value.
	recut := spec
	recut.Certs = []*testpki.Cert{p.Inter, p.Root}
	other, err := pefile.Sign(fixtures.Base(), recut)
	if err != nil {
		t.Fatal(err)
	}
	nested := func(copies ...[]byte) []byte {
		s := spec
		s.Nested = copies
		b, err := pefile.SignAttach(fixtures.Base(), s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	entries := func(blobs ...[]byte) []byte {
		var es [][]byte
		for _, b := range blobs {
			es = append(es, pefile.Entry(b))
		}
		b, err := pefile.Attach(fixtures.Base(), es...)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		name string
		file []byte
		dups []int
	}{
		{"one nested copy", nested(own), []int{1}},
		{"three nested copies", nested(own, own, own), []int{1, 2, 3}},
		{"a nested copy with other certificates", nested(other), []int{1}},
		{"a second entry", entries(own, own), []int{1}},
		{"a second entry with other certificates", entries(own, other), []int{1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantDuplicates(t, verifyBytes(t, tc.file, Options{Trust: trust, Time: fixtures.Now}), tc.dups...)
		})
	}
}

// TestDistinctNestedSignaturesValid: genuinely distinct signatures of one
// file (SHA-1 and SHA-256, as dual signing makes; two signers) are not
// copies, nested or in two entries: valid, no duplicate reported.
func TestDistinctNestedSignaturesValid(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := fixtureTrust(t)
	sign := func(s pefile.SignSpec) []byte {
		b, err := pefile.Sign(fixtures.Base(), s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	sha256 := sign(pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256})
	leaf2 := sign(pefile.SignSpec{Signer: p.Leaf2, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256})
	dual, err := pefile.SignAttach(fixtures.Base(), pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA1, Nested: [][]byte{sha256}})
	if err != nil {
		t.Fatal(err)
	}
	two, err := pefile.Attach(fixtures.Base(), pefile.Entry(sha256), pefile.Entry(leaf2))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"sha1 with sha256 nested": dual, "two signers in two entries": two} {
		t.Run(name, func(t *testing.T) {
			res := verifyBytes(t, b, Options{Trust: trust, Time: fixtures.Now})
			if res.Status != signing.StatusValid || len(res.Signatures) != 2 {
				t.Errorf("status %s, %d signatures; want valid, 2", res.Status, len(res.Signatures))
			}
			if fs := findingsOf(res, RuleDuplicateSignature); len(fs) != 0 {
				t.Errorf("findings %+v, want none", fs)
			}
		})
	}
}

// TestOsslsigncodeNestedSignatureCopies: osslsigncode extract-signature
// then attach-signature -nest nests a copy of a file's own signature
// (osslsigncode accepts it); the copy is reported. osslsigncode sign -nest
// makes a distinct signature (another algorithm here; it also signs a
// sequence number into every nested one): valid.
func TestOsslsigncodeNestedSignatureCopies(t *testing.T) {
	t.Parallel()
	e := newOsslEnv(t)
	in := e.write("in.exe", fixtures.Base())
	const at = "1717243200" // 2024-06-01, within the fixtures' validity
	_, first := e.sign(t, in, "first.exe", "-time", at)
	sig := e.path("sig.der")
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(e.tool, args...).CombinedOutput(); err != nil {
			t.Fatalf("osslsigncode %v: %v\n%s", args, err, out)
		}
	}
	run("extract-signature", "-in", first, "-out", sig)
	run("attach-signature", "-CAfile", e.ca, "-sigin", sig, "-nest", "-in", first, "-out", e.path("copied.exe"))
	copied, err := os.ReadFile(e.path("copied.exe"))
	if err != nil {
		t.Fatal(err)
	}
	wantDuplicates(t, verifyBytes(t, copied, Options{Trust: e.trust, Time: fixtures.Now}), 1)

	dual, _ := e.sign(t, first, "dual.exe", "-nest", "-h", "sha1", "-time", at)
	res := verifyBytes(t, dual, Options{Trust: e.trust, Time: fixtures.Now})
	if res.Status != signing.StatusValid || len(res.Signatures) != 2 || len(findingsOf(res, RuleDuplicateSignature)) != 0 {
		t.Errorf("sha256 with sha1 nested: status %s, %d signatures, findings %+v", res.Status, len(res.Signatures), res.Findings)
	}
}

// TestAttackCertificateCopies: copies of the chain's own certificates in
// the certificate set were all "used", whatever their number, so their
// order could spell data (leaf for 1, intermediate for 0) and 30 KB of them
// passed. Two copies of a certificate stay tolerated (osslsigncode's
// tokens carry the TSA certificate twice); more are unused certificates,
// warnings that add up to an error.
func TestAttackCertificateCopies(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := fixtureTrust(t)
	spell := func(n int) []*testpki.Cert {
		certs := []*testpki.Cert{p.Inter}
		for i := range n {
			if i%3 == 0 {
				certs = append(certs, p.Leaf)
			} else {
				certs = append(certs, p.Inter)
			}
		}
		return certs
	}
	for _, tc := range []struct {
		name   string
		certs  []*testpki.Cert
		status signing.Status
		sev    signing.Severity // of every finding; -1 for none
	}{
		{"each certificate twice", []*testpki.Cert{p.Inter, p.Leaf, p.Inter}, signing.StatusValid, -1},
		{"the intermediate three times", []*testpki.Cert{p.Inter, p.Inter, p.Inter}, signing.StatusValid, signing.SeverityWarning},
		{"thirty copies spelling bits", spell(30), signing.StatusInvalid, signing.SeverityError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := pefile.SignAttach(fixtures.Base(), pefile.SignSpec{Signer: p.Leaf, Certs: tc.certs, Hash: crypto.SHA256})
			if err != nil {
				t.Fatal(err)
			}
			res := verifyBytes(t, b, Options{Trust: trust, Time: fixtures.Now})
			if res.Status != tc.status {
				t.Errorf("status %s, want %s", res.Status, tc.status)
			}
			for _, f := range res.Findings {
				if f.Rule != RuleUnusedCertificate || f.Severity != tc.sev {
					t.Errorf("finding %s %s: %s", f.Severity, f.Rule, f.Message)
				}
			}
			if tc.sev >= 0 && len(findingsOf(res, RuleUnusedCertificate)) == 0 {
				t.Errorf("no %s finding", RuleUnusedCertificate)
			}
		})
	}
}

// TestAttackRepeatedDigestAlgorithms: the digestAlgorithms SET repeating
// the signer's own algorithm counted every repeat as used, so hundreds of
// them (with NULL or absent parameters, the choice spelling bits) passed.
// A repeat is unowned: one is a warning, a hundred an error.
func TestAttackRepeatedDigestAlgorithms(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := fixtureTrust(t)
	sha256 := testpki.TLV(0x06, []byte{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01})
	repeats := func(n int) [][]byte {
		var out [][]byte
		for i := range n {
			if i%3 == 0 {
				out = append(out, testpki.TLV(0x30, sha256, []byte{5, 0}))
			} else {
				out = append(out, testpki.TLV(0x30, sha256))
			}
		}
		return out
	}
	for _, tc := range []struct {
		n      int
		status signing.Status
		sev    signing.Severity
	}{{1, signing.StatusValid, signing.SeverityWarning}, {100, signing.StatusInvalid, signing.SeverityError}} {
		b, err := pefile.SignAttach(fixtures.Base(), pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256,
			Tweak: func(c *testpki.CMSSpec) { c.ExtraDigestAlgorithms = repeats(tc.n) }})
		if err != nil {
			t.Fatal(err)
		}
		res := verifyBytes(t, b, Options{Trust: trust, Time: fixtures.Now})
		if res.Status != tc.status {
			t.Errorf("%d repeats: status %s, want %s", tc.n, res.Status, tc.status)
		}
		fs := findingsOf(res, RuleUnownedSignatureData)
		for _, f := range res.Findings {
			if f.Rule != RuleUnownedSignatureData || f.Severity != tc.sev {
				t.Errorf("%d repeats: finding %s %s: %s", tc.n, f.Severity, f.Rule, f.Message)
			}
		}
		if len(fs) != tc.n {
			t.Errorf("%d repeats: %d findings", tc.n, len(fs))
		}
	}
}
