package attest

import (
	"bytes"
	"testing"
)

// FuzzParseEnvelope feeds hostile envelopes to the parser and to Verify with
// the fixture Ed25519 key: neither may panic, and whatever Verify accepts must
// have been signed by that key over exactly the payload it returns.
func FuzzParseEnvelope(f *testing.F) {
	f.Add(readTestdata(f, "envelope-ed25519.json"))
	f.Add([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"keyid":"","sig":"AAAA"}]}`))
	f.Add([]byte(`{"payloadType":"x","payload":"","signatures":[]}`))
	f.Add([]byte(`{"payload":"e30","payload":"e30","signatures":[{"sig":"_-8"}]}`))
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`))
	f.Add([]byte(`{}{}`))
	v, err := ParseVerifier(readTestdata(f, "ed25519.pub.pem"), KeyOptions{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		env, err := ParseEnvelope(b)
		if err == nil {
			if len(env.Signatures) == 0 || len(env.Signatures) > MaxSignatures {
				t.Fatalf("parsed %d signatures", len(env.Signatures))
			}
			if _, err := env.Marshal(); err != nil {
				t.Fatalf("Marshal of a parsed envelope: %v", err)
			}
		}
		got, err := Verify(b, v, VerifyOptions{AllowFailed: true})
		if err == nil {
			pae := PAE(got.PayloadType, got.Statement)
			ok := false
			for _, s := range env.Signatures {
				if v.VerifySignature(bytes.NewReader(s.Sig), bytes.NewReader(pae)) == nil {
					ok = true
				}
			}
			if !ok {
				t.Fatal("Verify accepted an envelope none of whose signatures verifies")
			}
		}
	})
}

// FuzzStatement feeds hostile reports to Statement: no panic, and every
// statement it makes parses back with the statement checks of Verify.
func FuzzStatement(f *testing.F) {
	for _, name := range []string{"report.json", "report-archive.json", "report-failed.json"} {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte(`{"schemaVersion":1,"files":[{"path":"a","sha256":"0000000000000000000000000000000000000000000000000000000000000000"}],"summary":{"passed":true}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := Statement(b, StatementOptions{})
		if err != nil {
			return
		}
		var v Verified
		if err := parseStatement(st, &v, nil); err != nil {
			t.Fatalf("statement made from a report does not parse back: %v\n%s", err, st)
		}
	})
}
