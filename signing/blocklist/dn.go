package blocklist

import (
	"strings"
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
