package signing

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"strings"
)

// nameTypes are the attribute type names RFC 4514 §3 publishes, by OID.
// crypto/x509/pkix knows all but UID and DC, which it prints as the
// dotted OID and the value's hex DER ("0.9.2342.19200300.100.1.1=#130a…");
// Apple's developer certificates carry the team ID in UID.
var nameTypes = map[string]string{
	"2.5.4.6":                    "C",
	"2.5.4.10":                   "O",
	"2.5.4.11":                   "OU",
	"2.5.4.3":                    "CN",
	"2.5.4.5":                    "SERIALNUMBER",
	"2.5.4.7":                    "L",
	"2.5.4.8":                    "ST",
	"2.5.4.9":                    "STREET",
	"2.5.4.17":                   "POSTALCODE",
	"0.9.2342.19200300.100.1.1":  "UID",
	"0.9.2342.19200300.100.1.25": "DC",
}

// FormatName returns n as [Identity.Subject] and [Identity.Issuer] spell
// it: the form of [pkix.Name.String] (its attribute order and escaping),
// except that the userID and domainComponent attributes print under their
// RFC 4514 names, "UID=ABCDE12345" rather than
// "0.9.2342.19200300.100.1.1=#130a4142434445…", when their value is a
// string. Names without those attributes or the repeats below print
// exactly as pkix.Name.String prints them.
//
// A name that repeats an attribute pkix.Name keeps as one string (CN,
// SERIALNUMBER) prints every attribute of n.Names, one per RDN in the
// certificate's order: pkix.Name.String keeps only the last, so that
// "CN=Mallory" followed by "CN=Acme" would print as a certificate naming
// Acme alone (see [NameDropsAttributes]).
func FormatName(n pkix.Name) string {
	var rdns pkix.RDNSequence
	switch {
	case NameDropsAttributes(n):
		for _, atv := range n.Names {
			rdns = append(rdns, pkix.RelativeDistinguishedNameSET{atv})
		}
		return formatRDNs(rdns)
	case n.ExtraNames == nil:
		// Built as pkix.Name.String builds it: attributes crypto/x509
		// does not parse into fields first, so that they print last.
		for _, atv := range n.Names {
			t := atv.Type
			if len(t) == 4 && t[0] == 2 && t[1] == 5 && t[2] == 4 {
				switch t[3] {
				case 3, 5, 6, 7, 8, 9, 10, 11, 17:
					continue
				}
			}
			rdns = append(rdns, pkix.RelativeDistinguishedNameSET{atv})
		}
	}
	return formatRDNs(append(rdns, n.ToRDNSequence()...))
}

// NameDropsAttributes reports whether pkix.Name.String (and the fields of
// n) leave out attributes of n.Names: crypto/x509 keeps one CommonName and
// one SerialNumber, the last, when a certificate's name repeats them.
func NameDropsAttributes(n pkix.Name) bool {
	cn, serial := 0, 0
	for _, atv := range n.Names {
		t := atv.Type
		if len(t) == 4 && t[0] == 2 && t[1] == 5 && t[2] == 4 {
			switch t[3] {
			case 3:
				cn++
			case 5:
				serial++
			}
		}
	}
	return cn > 1 || serial > 1
}

// formatRDNs prints rdns, last first, as pkix.RDNSequence.String does,
// with UID and DC by name.
func formatRDNs(rdns pkix.RDNSequence) string {
	var b strings.Builder
	for i := len(rdns) - 1; i >= 0; i-- {
		if i < len(rdns)-1 {
			b.WriteByte(',')
		}
		for j, atv := range rdns[i] {
			if j > 0 {
				b.WriteByte('+')
			}
			oid := atv.Type.String()
			name, ok := nameTypes[oid]
			if _, isString := atv.Value.(string); ok && !isString && (name == "UID" || name == "DC") {
				ok = false // not a string: keep pkix's hex form
			}
			if !ok {
				if der, err := asn1.Marshal(atv.Value); err == nil {
					b.WriteString(oid + "=#" + hex.EncodeToString(der))
					continue
				}
				name = oid
			}
			b.WriteString(name + "=" + escapeValue(fmt.Sprint(atv.Value)))
		}
	}
	return b.String()
}

// escapeValue escapes an attribute value as pkix.Name.String does.
func escapeValue(v string) string {
	var b strings.Builder
	for k, c := range v {
		escape := false
		switch c {
		case ',', '+', '"', '\\', '<', '>', ';':
			escape = true
		case ' ':
			escape = k == 0 || k == len(v)-1
		case '#':
			escape = k == 0
		}
		if escape {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}
