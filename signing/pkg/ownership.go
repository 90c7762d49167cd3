package pkg

import (
	"crypto/x509"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/signing"
)

// cmsOwnership attributes the bytes of a CMS <x-signature> (see
// [cms.Ownership]); at is the file offset of its first byte.
type cmsOwnership struct {
	cms.Ownership
	at int64
}

// reportOwnership turns the regions of a CMS signature nobody owns into
// findings: one that can carry a payload is an error that makes the
// signature invalid (as bytes after the CMS in its heap range do), a
// smaller one a warning. The signature-data check is added only when there
// is something to say, so clean reports stay as they were.
func (v *verifier) reportOwnership(sig *signing.Signature, o *cmsOwnership) {
	say, ok, detail := o.Report(func(unused bool, what string, r cms.Region, off, n int) {
		rule := RuleUnownedSignatureData
		if unused {
			rule = RuleUnusedCertificate
		}
		v.add(rule, r.Severity(), o.at+int64(off), "signature %d: %s %d bytes at offset 0x%x of the CMS signature: %s; no signature covers them", sig.Index, what, n, off, r.Reason).Signature = sig.Index
	})
	if say {
		sig.AddCheck(signing.CheckSignatureData, ok, detail)
	}
	if !ok {
		sig.Status = sig.Status.Worse(signing.StatusInvalid)
	}
}

// keyInfoCertificates reports the certificates of a signature's KeyInfo
// that chain, its verified chain, neither uses nor completes, and the
// copies of used ones beyond what a signer writes, as a CMS signature's
// are judged (see [cms.UnusedCertificateList]): a warning each, an error
// that makes the signature invalid for one large enough to carry a
// payload, or when together they are.
func (v *verifier) keyInfoCertificates(sig *signing.Signature, keyInfo, chain []*x509.Certificate, off int64) {
	_, unused := cms.Judge(nil, cms.UnusedCertificateList(keyInfo, chain))
	for _, r := range unused {
		sev := signing.SeverityWarning
		if r.Payload {
			sev = signing.SeverityError
			sig.Status = sig.Status.Worse(signing.StatusInvalid)
		}
		v.add(RuleUnusedCertificate, sev, off, "signature %d: KeyInfo certificate %d (%d bytes): %s", sig.Index, r.Offset, r.Len, r.Reason).Signature = sig.Index
	}
}
