package codesign

import (
	"fmt"

	"github.com/shipgate/shipgate/signing"
)

// checkEntitlementForms reports a slice whose two bound entitlements
// blobs say different things: the XML one (slot 5), which reports show
// as Slice.Entitlements and codesign -d prints, and the DER one (slot 7),
// which macOS grants since macOS 12. codesign and rcodesign write both
// from one dictionary, so they differ only when someone wrote them
// apart, as a signer would to show a harmless XML dictionary over a DER
// one that asks for get-task-allow or disable-library-validation. It is a
// warning: both are signed, and the DER one is in the report too.
func (s *sliceState) checkEntitlementForms() {
	if s.slice.Entitlements == "" || len(s.slice.DEREntitlements) == 0 {
		return
	}
	at := s.slice.Offset + int64(s.sigOff)
	if b := s.sb.find(slotDEREntitlements); b != nil {
		at += int64(b.off)
	}
	d := decodeEntitlements(&s.slice)
	s.slice.ents = d
	xml, der := d.xml, d.der
	if err := d.xmlErr; err != nil {
		s.add(RuleEntitlementsDisagree, signing.SeverityWarning, signing.StatusValid, at,
			fmt.Sprintf("the XML entitlements do not parse (%v), so what they say cannot be compared with the DER entitlements macOS grants", err))
		return
	}
	switch err := d.derErr; {
	case err != nil:
		s.add(RuleEntitlementsDisagree, signing.SeverityWarning, signing.StatusValid, at,
			fmt.Sprintf("the DER entitlements, which macOS grants, do not decode (%v): the XML entitlements the report shows may not be what the code gets", err))
	case !sameEntitlements(xml, der):
		s.add(RuleEntitlementsDisagree, signing.SeverityWarning, signing.StatusValid, at,
			"the XML entitlements (which the report shows) and the DER entitlements (which macOS grants) differ: the code gets the DER ones")
	}
}

// decodedEntitlements is a slice's two entitlements blobs decoded: the
// XML plist's dictionary and the DER one's, each with its error (nil maps
// and errors for a form the slice does not have).
type decodedEntitlements struct {
	xml, der       map[string]any
	xmlErr, derErr error
}

// decodeEntitlements decodes the entitlements forms s carries.
func decodeEntitlements(s *Slice) *decodedEntitlements {
	d := &decodedEntitlements{}
	if s.Entitlements != "" {
		d.xml, d.xmlErr = plistDict([]byte(s.Entitlements))
	}
	if len(s.DEREntitlements) > 0 {
		d.der, d.derErr = decodeDEREntitlements(s.DEREntitlements)
	}
	return d
}
