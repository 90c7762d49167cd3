package authenticode

import (
	"encoding/asn1"
	"fmt"
	"slices"
	"strings"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/signing"
)

// emptyMarkers are the unsigned attribute types wintrust.h names as markers
// (SpcRelaxedPeMarkerCheck, SpcEncryptedDigestRetryCount): a signer may emit
// one of each with no value or one empty value, which carries nothing.
var emptyMarkers = []asn1.ObjectIdentifier{
	{1, 3, 6, 1, 4, 1, 311, 2, 6, 1},
	{1, 3, 6, 1, 4, 1, 311, 2, 6, 2},
}

// emptyMarker reports whether a is a marker of emptyMarkers that carries
// nothing: no value, or one value whose contents are empty (a NULL).
func emptyMarker(a cms.Attribute) bool {
	if !slices.ContainsFunc(emptyMarkers, a.Type.Equal) || len(a.Values) > 1 {
		return false
	}
	return len(a.Values) == 0 || len(a.Values[0]) == 2 // tag and a zero length
}

// unsignedAttributes lists the signer's unsigned attributes and reports the
// unknown ones: timestamps and nested signatures are known and judged
// elsewhere (unless they have no values), an empty marker is tolerated
// once, and the rest is unauthenticated data. Every byte counts: empty values (their tags vary),
// the attribute types themselves (an OID's arcs are free), repeats. The first
// unknown attribute's type, if no longer than a hash's worth of bytes, is a
// label (a vendor's tag type) and counts for nothing; its values do.
func (j *judgement) unsignedAttributes() {
	var stuffed []string
	stuffedBytes := 0
	labelled := false
	var markers []asn1.ObjectIdentifier
	for _, a := range j.s.sd.Signers[0].UnsignedAttrs {
		j.det.UnsignedAttributes = append(j.det.UnsignedAttributes, a.Type.String())
		if a.Type.Equal(oidNestedSignature) || a.Type.Equal(oidRFC3161CounterSign) || a.Type.Equal(oidCounterSignature) {
			if len(a.Values) == 0 {
				// Nothing to judge elsewhere, and no signer writes one:
				// its number can spell data.
				stuffed = append(stuffed, fmt.Sprintf("%s (no values, %d bytes)", a.Type, len(a.Raw)))
				stuffedBytes += len(a.Raw)
			}
			continue
		}
		if emptyMarker(a) && !slices.ContainsFunc(markers, a.Type.Equal) {
			markers = append(markers, a.Type)
			continue
		}
		n := 0
		for _, val := range a.Values {
			n += len(val)
		}
		oid := len(a.Raw) - n // the type and the framing, if the type does not encode
		if der, err := asn1.Marshal(a.Type); err == nil {
			oid = len(der)
		}
		if !labelled && oid <= cms.MaxToleratedRegion {
			labelled = true
		} else {
			n += oid
		}
		stuffed = append(stuffed, fmt.Sprintf("%s (%d values, %d bytes)", a.Type, len(a.Values), len(a.Raw)))
		stuffedBytes += n
	}
	if len(stuffed) == 0 {
		return
	}
	// Like bytes no field owns: an error once there is room for a payload,
	// a warning below. The status is left alone (the signed content is
	// intact), so a vendor that tags installers per download can lower the
	// rule's severity in its policy.
	sev := signing.SeverityWarning
	if stuffedBytes > cms.MaxToleratedRegion {
		sev = signing.SeverityError
	}
	j.sig.AddCheck(CheckUnsignedAttributes, false, "unknown unsigned attributes carry data: "+strings.Join(stuffed, ", ")+"; the status is unchanged")
	j.finding(RuleUnsignedAttributeData, sev,
		fmt.Sprintf("signature %d carries unauthenticated data in unknown unsigned attributes: %s; %d bytes count as data", j.i, strings.Join(stuffed, ", "), stuffedBytes))
}
