package authenticode

import (
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/signing"
)

// ownership collects, for one signature, what its SignedData's bytes are
// attributed to: the chains that use its certificates, and the unowned
// regions found in the timestamps it carries.
type ownership struct {
	// chains are the verified chains built with the SignedData's
	// certificates: the signer's and every timestamp authority's.
	chains [][]*x509.Certificate
	// nested are the regions of nested structures (time-stamp tokens,
	// countersignatures) moved to offsets in the SignedData's DER.
	nested cms.Nested
}

// checkOwnership reports every byte range of signature i's SignedData that
// is neither verified nor a tolerated structure: the parser's unowned
// regions (crls, entries that are not certificates, algorithm parameters
// other than NULL), those inside its timestamps, and certificates that no
// verified chain uses. Regions that can carry a payload are errors and make
// the signature invalid, as CVE-2013-3900 stuffing after the blob does;
// smaller ones are warnings. It reports whether a payload was found.
func (v *verifier) checkOwnership(i int, s *sigState, sig *signing.Signature, o *ownership) bool {
	sd := s.sd
	unowned := append(append([]cms.Region(nil), sd.Unowned...), o.nested.Unowned...)
	unused := append(sd.UnusedCertificates(o.chains...), o.nested.Unused...)
	unowned, unused = cms.Judge(unowned, unused) // small regions add up
	payload := false
	var small []string
	report := func(rule signing.Rule, what string, r cms.Region) {
		sev := r.Severity()
		switch sev {
		case signing.SeverityError:
			payload = true
		case signing.SeverityWarning:
			off, n := sd.InputSpan(r.Offset, r.Len)
			small = append(small, fmt.Sprintf("%d bytes at +0x%x", n, off))
		}
		off, n := sd.InputSpan(r.Offset, r.Len) // the identity for DER, which Authenticode is
		at := s.offset + int64(off)
		if v.encoded {
			// The PKCS#7 is carried as text (base64 in a script's
			// comments): the finding points at the signature block.
			at = s.offset
		}
		v.finding(rule, sev, i, at,
			fmt.Sprintf("signature %d: %s %d bytes at offset 0x%x of the PKCS#7 blob: %s; no signature covers them", i, what, n, off, r.Reason))
	}
	for _, r := range unowned {
		report(RuleUnownedSignatureData, "unowned", r)
	}
	for _, r := range unused {
		report(RuleUnusedCertificate, "unused certificate,", r)
	}
	n := len(unowned) + len(unused)
	switch {
	case payload:
		sig.AddCheck(signing.CheckSignatureData, false, fmt.Sprintf("%d regions of the SignedData are covered by no signature and large enough to carry a payload", n))
	case len(small) > 0:
		sig.AddCheck(signing.CheckSignatureData, true, "every byte of the SignedData is verified or tolerated, except small oddities reported as warnings: "+strings.Join(small, ", "))
	default:
		sig.AddCheck(signing.CheckSignatureData, true, "every byte of the SignedData is verified or a tolerated structure")
	}
	return payload
}
