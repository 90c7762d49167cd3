package verify

import (
	"encoding/asn1"
	"encoding/hex"
	"strings"
	"unicode"
	"unicode/utf16"
)

// parseDN reads s as builder-util-runtime's parseDn reads a publisher
// name: attributes "key=value" separated by ",", ";" or "+", a value
// quoted with '"' or escaped with "\" (two hex digits, as JavaScript's
// parseInt reads them, or the next character), spaces around separators
// and "=" dropped; a later attribute replaces an earlier one of the same
// key. A name with no "=" reads as no attribute.
func parseDN(s string) map[string]string {
	seq := []rune(strings.TrimFunc(s, isJSSpace))
	dn := map[string]string{}
	var key *string
	var token []rune
	quoted := false
	next := 0 // the first non-space after the current run of spaces
	for i := 0; i < len(seq); i++ {
		ch := seq[i]
		if quoted {
			if ch == '"' {
				quoted = false
				continue
			}
		} else {
			switch {
			case ch == '"':
				quoted = true
				continue
			case ch == '\\':
				i++
				switch ord, ok := jsParseHex(seq[i:min(i+2, len(seq))]); {
				case i >= len(seq):
					token = append(token, []rune("undefined")...) // JavaScript's seq[i] past the end
				case ok:
					i++
					token = append(token, rune(uint16(ord))) // String.fromCharCode
				default:
					token = append(token, seq[i])
				}
				continue
			case key == nil && ch == '=':
				k := string(token)
				key, token = &k, nil
				continue
			case ch == ',' || ch == ';' || ch == '+':
				if key != nil {
					dn[*key] = string(token)
				}
				key, token = nil, nil
				continue
			}
		}
		if ch == ' ' && !quoted {
			if len(token) == 0 {
				continue
			}
			if i > next {
				for next = i; next < len(seq) && seq[next] == ' '; next++ {
				}
			}
			if next >= len(seq) || seq[next] == ',' || seq[next] == ';' ||
				(key == nil && seq[next] == '=') || (key != nil && seq[next] == '+') {
				i = next - 1
				continue
			}
		}
		token = append(token, ch)
	}
	if key != nil {
		dn[*key] = string(token)
	}
	return dn
}

// isJSSpace reports whether JavaScript's String.prototype.trim drops r.
func isJSSpace(r rune) bool { return unicode.IsSpace(r) || r == '\ufeff' }

// jsParseHex is JavaScript's parseInt(s, 16): leading white space and a
// sign skipped, then as many hex digits as there are; ok false (NaN) for
// none.
func jsParseHex(s []rune) (n int, ok bool) {
	i := 0
	for i < len(s) && isJSSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	for ; i < len(s); i++ {
		d := strings.IndexRune("0123456789abcdef", unicode.ToLower(s[i]))
		if d < 0 {
			break
		}
		n, ok = n*16+d, true
	}
	if neg {
		n = -n
	}
	return n, ok
}

// dotnetNames are the attribute names .NET's X500DistinguishedName (and so
// PowerShell's SignerCertificate.Subject) gives types that
// Identity.Subject spells otherwise; a type neither knows by name is
// "OID." and its dotted form.
var dotnetNames = map[string]string{
	"ST":                   "S",
	"POSTALCODE":           "PostalCode",
	"UID":                  "OID.0.9.2342.19200300.100.1.1",
	"1.2.840.113549.1.9.1": "E",
	"2.5.4.4":              "SN",
	"2.5.4.12":             "T",
	"2.5.4.13":             "Description",
	"2.5.4.18":             "POBox",
	"2.5.4.42":             "G",
	"2.5.4.43":             "I",
	"2.5.4.46":             "dnQualifier",
}

// dotnetSubject returns the attributes of subject, an RFC 4514 name as
// signing.FormatName spells it, by the names .NET gives them, the later
// of a repeated one kept (as parseDn keeps it of .NET's subject, which
// lists attributes in the same order).
func dotnetSubject(subject string) map[string]string {
	m := map[string]string{}
	for _, atv := range splitRFC4514(subject) {
		k, v, ok := strings.Cut(atv, "=")
		if !ok {
			continue
		}
		if n, ok := dotnetNames[k]; ok {
			k = n
		} else if k != "" && k[0] >= '0' && k[0] <= '9' {
			k = "OID." + k
		}
		m[k] = rfc4514Value(v)
	}
	return m
}

// splitRFC4514 splits an RFC 4514 name at its unescaped "," and "+".
func splitRFC4514(s string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case ',', '+':
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// rfc4514Value returns the value an RFC 4514 attribute value v spells:
// backslash escapes undone, and a "#" form (hex DER) decoded when it is a
// string type.
func rfc4514Value(v string) string {
	if strings.HasPrefix(v, "#") {
		der, err := hex.DecodeString(v[1:])
		var raw asn1.RawValue
		if err == nil {
			if _, err := asn1.Unmarshal(der, &raw); err == nil && raw.Class == asn1.ClassUniversal {
				switch raw.Tag {
				case asn1.TagUTF8String, asn1.TagPrintableString, asn1.TagIA5String, asn1.TagT61String, asn1.TagNumericString:
					return string(raw.Bytes)
				case asn1.TagBMPString:
					u := make([]uint16, len(raw.Bytes)/2)
					for i := range u {
						u[i] = uint16(raw.Bytes[2*i])<<8 | uint16(raw.Bytes[2*i+1])
					}
					return string(utf16.Decode(u))
				}
			}
		}
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
			if i+1 < len(v) && isHex(v[i]) && isHex(v[i+1]) {
				x, _ := hex.DecodeString(v[i : i+2])
				b.Write(x)
				i++
				continue
			}
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// isHex reports whether c is a hex digit.
func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
