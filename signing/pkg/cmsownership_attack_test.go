package pkg

import (
	"bytes"
	"testing"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// cmsTweaked builds the signed package of signedSpec with its CMS edited
// by tweak (its timestamp token already in place) and verifies it.
func cmsTweaked(t *testing.T, tweak func(*testpki.CMSSpec)) *Result {
	t.Helper()
	s := signedSpec(t)
	s.TweakCMS = tweak
	b, _ := pkgfile.Build(s)
	return verifyBytes(t, b, machofile.SignTime)
}

// errorsOf counts res's findings of rule, errors and the rest, and
// fails on an error of any other rule.
func errorsOf(t *testing.T, res *Result, rule signing.Rule) (errs, warns int) {
	t.Helper()
	for _, f := range res.Findings {
		switch {
		case f.Rule == rule && f.Severity == signing.SeverityError:
			errs++
		case f.Rule == rule:
			warns++
		case f.Severity >= signing.SeverityError:
			t.Errorf("unexpected finding %s: %s", f.Rule, f.Message)
		}
	}
	return errs, warns
}

// TestAttackPkgCMSTimestampPayload: the CMS <x-signature>'s unsigned
// attributes are covered by no signature. Only the first value of the
// first timestamp-token attribute is read; a payload beside it (a second
// value, a second attribute, another attribute), or in place of the token
// (a "timestamp" that does not verify), made no finding: the package stayed
// valid with a broken timestamp shown as not verified. Now the CMS
// signature is invalid with pkg/unowned-signature-data, and the untouched
// package stays clean.
func TestAttackPkgCMSTimestampPayload(t *testing.T) {
	t.Parallel()
	payload := testpki.TLV(0x04, bytes.Repeat([]byte("PAYLOAD!"), 256))
	for _, tc := range testpki.UnsignedPayloadTweaks(payload) {
		t.Run(tc.Name, func(t *testing.T) {
			res := cmsTweaked(t, tc.Tweak)
			if got := statuses(res); got != "apple-pkg:valid apple-pkg-cms:invalid" {
				t.Errorf("statuses %s, want the CMS signature invalid; findings %s", got, rules(res))
			}
			if errs, _ := errorsOf(t, res, RuleUnownedSignatureData); errs == 0 {
				t.Errorf("no %s error: %s", RuleUnownedSignatureData, rules(res))
			}
		})
	}
	t.Run("untouched", func(t *testing.T) {
		res := cmsTweaked(t, func(*testpki.CMSSpec) {})
		if got := statuses(res); got != "apple-pkg:valid apple-pkg-cms:valid" || len(res.Findings) != 0 {
			t.Errorf("statuses %s, findings %s", got, rules(res))
		}
	})
}

// TestAttackPkgCertificateCopies: the CMS's certificate set is covered by
// no signature, and the byte-identical copies of a chain certificate in
// it (or in the RSA signature's KeyInfo) counted as used however many
// there were: their number could spell data, and enough of them hold a
// payload. Now copies beyond the two a signer writes are reported as
// pkg/unused-certificate, an error that makes the signature invalid once
// they hold more than cms.MaxUnusedCertificateBytes; the two tolerated
// copies stay clean.
func TestAttackPkgCertificateCopies(t *testing.T) {
	t.Parallel()
	p, _ := testPKI(t)
	copies := func(n int) func(*testpki.CMSSpec) {
		return func(c *testpki.CMSSpec) {
			for range n {
				c.RawCertificates = append(c.RawCertificates, p.CA.Cert.Raw)
			}
		}
	}
	t.Run("one more copy in the CMS is tolerated", func(t *testing.T) {
		res := cmsTweaked(t, copies(1))
		if got := statuses(res); got != "apple-pkg:valid apple-pkg-cms:valid" || len(res.Findings) != 0 {
			t.Errorf("statuses %s, findings %s", got, rules(res))
		}
	})
	t.Run("a few copies in the CMS are warnings", func(t *testing.T) {
		res := cmsTweaked(t, copies(3))
		errs, warns := errorsOf(t, res, RuleUnusedCertificate)
		if got := statuses(res); got != "apple-pkg:valid apple-pkg-cms:valid" || errs != 0 || warns != 2 {
			t.Errorf("statuses %s, %d errors %d warnings: %s", got, errs, warns, rules(res))
		}
	})
	t.Run("many copies in the CMS are a payload", func(t *testing.T) {
		n := cms.MaxUnusedCertificateBytes/len(p.CA.Cert.Raw) + 3
		res := cmsTweaked(t, copies(n))
		errs, _ := errorsOf(t, res, RuleUnusedCertificate)
		if got := statuses(res); got != "apple-pkg:valid apple-pkg-cms:invalid" || errs != n-1 {
			t.Errorf("statuses %s, %d errors for %d copies: %s", got, errs, n, rules(res))
		}
	})
	t.Run("KeyInfo", func(t *testing.T) {
		for _, tc := range []struct {
			n, warns int
		}{{2, 0}, {4, 2}} {
			s := signedSpec(t)
			s.CMS = false
			s.Chain = nil
			for range tc.n {
				s.Chain = append(s.Chain, p.CA)
			}
			b, _ := pkgfile.Build(s)
			res := verifyBytes(t, b, machofile.SignTime)
			errs, warns := errorsOf(t, res, RuleUnusedCertificate)
			if got := statuses(res); got != "apple-pkg:valid" || errs != 0 || warns != tc.warns {
				t.Errorf("%d copies: statuses %s, %d errors %d warnings: %s", tc.n, got, errs, warns, rules(res))
			}
		}
	})
}

// TestPkgTimestampNotVerifiedStaysClean: a real timestamp that does not
// verify (its authority is not a time-stamping one the trust store knows)
// is reported as not verified, and its few signed bytes are not a payload:
// the counterpart of TestAttackPkgCMSTimestampPayload's broken token.
func TestPkgTimestampNotVerifiedStaysClean(t *testing.T) {
	t.Parallel()
	p, _ := testPKI(t)
	s := signedSpec(t)
	s.TSA = p.Untrusted
	b, _ := pkgfile.Build(s)
	res := verifyBytes(t, b, machofile.SignTime)
	if ts := res.Signatures[1].Timestamp; ts == nil || ts.Verified {
		t.Fatalf("timestamp %+v, want one that does not verify", ts)
	}
	for _, f := range res.Findings {
		if f.Severity >= signing.SeverityError {
			t.Errorf("unexpected error %s: %s", f.Rule, f.Message)
		}
	}
	if got := statuses(res); got != "apple-pkg:valid apple-pkg-cms:valid" {
		t.Errorf("statuses %s, findings %s", got, rules(res))
	}
}
