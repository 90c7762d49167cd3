package signing

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"

	"github.com/shipgate/shipgate/internal/x509name"
)

// TestAttackNameKeyCacheTamperedName: chain building remembers the key of
// each issuer and subject name by the name's DER (nameKeys). A name one
// byte away from one already keyed gets its own key, and names equal under
// RFC 5280 §7.1 share one, exactly as x509name.Key computes them afresh; a
// caller's buffer changed after a lookup is keyed by its new bytes.
func TestAttackNameKeyCacheTamperedName(t *testing.T) {
	t.Parallel()
	name := func(tag int, cn string) []byte {
		b, err := asn1.Marshal(pkix.RDNSequence{{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: asn1.RawValue{Tag: tag, Bytes: []byte(cn)}}}})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	genuine := name(asn1.TagPrintableString, "Code Signing CA")
	names := map[string][]byte{
		"genuine":  genuine,
		"tampered": name(asn1.TagPrintableString, "Code Signing CB"),
		"utf8":     name(asn1.TagUTF8String, "code  signing ca"),
		"broken":   genuine[:len(genuine)-1],
	}
	for range 2 {
		for n, der := range names {
			if got, want := nameKeys.key(der), x509name.Key(der); got != want {
				t.Errorf("%s: key %q, want %q", n, got, want)
			}
		}
	}
	if nameKeys.key(names["tampered"]) == nameKeys.key(genuine) || nameKeys.key(names["broken"]) == nameKeys.key(genuine) {
		t.Error("a changed name shares the genuine name's key")
	}
	if nameKeys.key(names["utf8"]) != nameKeys.key(genuine) {
		t.Error("names equal under RFC 5280 §7.1 have different keys")
	}
	buf := append([]byte(nil), genuine...)
	k := nameKeys.key(buf)
	buf[len(buf)-1] = 'B'
	if nameKeys.key(buf) == k || nameKeys.key(genuine) != k {
		t.Error("a reused buffer is keyed by its old bytes")
	}
}
