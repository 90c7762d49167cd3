package authenticode

import (
	"crypto"
	"fmt"

	"github.com/shipgate/shipgate/signing"
)

// peSubject is the PE image for the shared signature steps.
type peSubject struct{ v *verifier }

func (p peSubject) structure(v *verifier, s *sigState) (signing.CheckName, []string, string) {
	probs := append([]string(nil), v.tableProblems...)
	if s.entry < len(v.entryProblems) {
		probs = append(probs, v.entryProblems[s.entry]...)
	}
	return "cert-table", probs, fmt.Sprintf("entry %d: revision 0x0200, PKCS_SIGNED_DATA, aligned, table ends the file, no bytes after the PKCS#7", s.entry)
}

func (p peSubject) dataType(j *judgement) bool {
	spc, i := j.s.spc, j.i
	switch {
	case spc.dataType.Equal(oidIndividualPurpose):
		// osslsigncode, sbverify and UEFI firmware check only the digest, so
		// they accept such a signature; Windows does not know the type.
		j.sig.AddCheck(CheckIndirectDataType, false, "SpcIndirectDataContent type is 1.3.6.1.4.1.311.2.1.21 (individual purpose), not SpcPeImageData (1.3.6.1.4.1.311.2.1.15); the image digest is verified as usual; a warning, it does not change the status")
		j.finding(RuleNonstandardIndirectDataType, signing.SeverityWarning,
			fmt.Sprintf("signature %d: SpcIndirectDataContent names 1.3.6.1.4.1.311.2.1.21 instead of SpcPeImageData as its type (as Debian's fwupdx64.efi.signed does); osslsigncode, sbverify and UEFI firmware accept it, Windows may not", i))
	case !spc.dataType.Equal(oidSpcPEImageData):
		return j.malformed(CheckContentType, fmt.Sprintf("SpcIndirectDataContent type %s is not SpcPeImageData (1.3.6.1.4.1.311.2.1.15)", spc.dataType),
			fmt.Sprintf("signature %d does not sign a PE image (type %s)", i, spc.dataType))
	}
	return true
}

func (p peSubject) digest(h crypto.Hash) ([]byte, bool) {
	d, ok := p.v.stream.digests[h]
	return d, ok
}

func (peSubject) what() string { return "image" }

// extra checks the page hashes.
func (p peSubject) extra(j *judgement) bool {
	spc := j.s.spc
	if !spc.hasPages {
		return true
	}
	ok, unverified, detail, at, ph := p.v.checkPages(spc)
	j.det.PageHashes = ph
	j.sig.AddCheck(signing.CheckPageHashes, ok, detail)
	if !ok && !unverified {
		p.v.finding(RulePageHashMismatch, signing.SeverityError, j.i, at, fmt.Sprintf("signature %d: %s", j.i, detail))
		return false
	}
	return true
}

func (peSubject) rules() formatRules {
	return formatRules{digestMismatch: RuleDigestMismatch, malformed: RuleMalformedSignature}
}
