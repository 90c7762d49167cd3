package blocklist

import (
	"encoding/hex"
	"strings"

	"github.com/shipgate/shipgate/internal/x509name"
)

// unescapeDNValue returns the attribute value v of a distinguished name
// written as text without its escapes, so that every way of writing one
// value compares equal: RFC 4514 backslash escapes of a character
// ("DigiCert\, Inc.") or of a byte in hex ("DigiCert\2C Inc."), and RFC 2253
// quotes ('"DigiCert, Inc."'). Surrounding spaces are dropped, as
// x509name.Fold drops them. A value in hex ("#0c0a…", how pkix prints an
// attribute type it does not know) has no escapes and is returned as is; so
// is a trailing lone backslash.
func unescapeDNValue(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	if !strings.Contains(v, `\`) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '\\' || i+1 == len(v) {
			b.WriteByte(c)
			continue
		}
		if i+2 < len(v) && isHexDigit(v[i+1]) && isHexDigit(v[i+2]) {
			b.WriteByte(hexVal(v[i+1])<<4 | hexVal(v[i+2]))
			i += 2
			continue
		}
		i++
		b.WriteByte(v[i])
	}
	return b.String()
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func hexVal(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// dnAttrTypes maps the names tools print attribute types under (RFC 4514,
// OpenSSL's long and short names, Windows' "E" and "S"), lowercased, and
// their dotted OIDs, to one name each. crypto/x509 prints the types it does
// not name as dotted OIDs (the extended-validation attributes every EV
// code-signing certificate carries, emailAddress), OpenSSL and Windows by
// name, so a name copied from either must compare equal to the report's.
var dnAttrTypes = map[string]string{
	"cn": "cn", "commonname": "cn", "2.5.4.3": "cn",
	"o": "o", "organizationname": "o", "2.5.4.10": "o",
	"ou": "ou", "organizationalunitname": "ou", "2.5.4.11": "ou",
	"c": "c", "countryname": "c", "2.5.4.6": "c",
	"l": "l", "localityname": "l", "2.5.4.7": "l",
	"st": "st", "s": "st", "stateorprovincename": "st", "2.5.4.8": "st",
	"street": "street", "streetaddress": "street", "2.5.4.9": "street",
	"postalcode": "postalcode", "2.5.4.17": "postalcode",
	"serialnumber": "serialnumber", "2.5.4.5": "serialnumber",
	"title": "title", "2.5.4.12": "title",
	"businesscategory": "businesscategory", "2.5.4.15": "businesscategory",
	"organizationidentifier": "organizationidentifier", "2.5.4.97": "organizationidentifier",
	"e": "emailaddress", "email": "emailaddress", "emailaddress": "emailaddress", "1.2.840.113549.1.9.1": "emailaddress",
	"uid": "uid", "userid": "uid", "0.9.2342.19200300.100.1.1": "uid",
	"dc": "dc", "domaincomponent": "dc", "0.9.2342.19200300.100.1.25": "dc",
	"jurisdictionc": "jurisdictionc", "jurisdictioncountryname": "jurisdictionc", "1.3.6.1.4.1.311.60.2.1.3": "jurisdictionc",
	"jurisdictionst": "jurisdictionst", "jurisdictionstateorprovincename": "jurisdictionst", "1.3.6.1.4.1.311.60.2.1.2": "jurisdictionst",
	"jurisdictionl": "jurisdictionl", "jurisdictionlocalityname": "jurisdictionl", "1.3.6.1.4.1.311.60.2.1.1": "jurisdictionl",
}

// dnAttrType returns the one name of attribute type t (see dnAttrTypes),
// or t lowercased without Windows' "OID." prefix.
func dnAttrType(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	t = strings.TrimPrefix(t, "oid.")
	if n, ok := dnAttrTypes[t]; ok {
		return n
	}
	return t
}

// dnAttrValue returns attribute value v without its escapes; a value
// written as the hex of its DER ("#13024742", how pkix prints a type it
// does not name) that holds a character string is that string, so that it
// compares with the same value written as text.
func dnAttrValue(v string) string {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "#") {
		if s, ok := derString(v[1:]); ok {
			return s
		}
		return strings.ToLower(v)
	}
	return unescapeDNValue(v)
}

// derString decodes h, the hex of a DER character string, to its text, as
// names compare it (x509name.DecodeString: TeletexString as ISO 8859-1,
// BMPString and UniversalString transcoded), so that a value copied in hex
// compares with the same value written as text, whatever its string type.
func derString(h string) (string, bool) {
	der, err := hex.DecodeString(h)
	if err != nil {
		return "", false
	}
	return x509name.DecodeString(der)
}
