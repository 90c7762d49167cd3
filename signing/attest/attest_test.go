package attest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/sigstore/sigstore/pkg/signature"
)

var update = flag.Bool("update", false, "rewrite golden files and generated fixtures in testdata")

// fixedTime is the timeVerified of golden statements.
var fixedTime = time.Date(2026, 3, 29, 10, 30, 0, 0, time.UTC)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n got: %s\nwant: %s", name, got, want)
	}
}

func signerFor(t testing.TB, k testKey) (signature.Signer, signature.Verifier) {
	t.Helper()
	s, err := ParseSigner(privatePEM(t, k.priv), nil, k.opts)
	if err != nil {
		t.Fatalf("%s: ParseSigner: %v", k.name, err)
	}
	v, err := ParseVerifier(publicPEM(t, k.priv.Public()), k.opts)
	if err != nil {
		t.Fatalf("%s: ParseVerifier: %v", k.name, err)
	}
	return s, v
}

var reportSubjectsWant = []Subject{
	{Name: "Acme.exe", SHA256: "1b3d5f7a9c0e2b4d6f8a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d"},
	{Name: "ffmpeg.dll", SHA256: "c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f5a7c9e0b2d4f6a8c1e3b5d7f9a0c2e4"},
	{Name: "resources/app.asar", SHA256: "9f2a6c4e8b1d3f5a7c9e0b2d4f6a8c1e3b5d7f9a0c2e4b6d8f1a3c5e7b9d0f2a"},
}

func TestRoundTripKeyTypes(t *testing.T) {
	t.Parallel()
	report := readTestdata(t, "report.json")
	for _, k := range testKeys(t) {
		t.Run(k.name, func(t *testing.T) {
			s, v := signerFor(t, k)
			env, err := Sign(report, s, SignOptions{Statement: StatementOptions{Time: fixedTime}})
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			got, err := Verify(env, v, VerifyOptions{Subjects: []Subject{reportSubjectsWant[1], {SHA256: reportSubjectsWant[0].SHA256}}})
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if len(got.Subjects) != 3 || got.Subjects[0] != reportSubjectsWant[0] || got.Subjects[2] != reportSubjectsWant[2] {
				t.Errorf("subjects = %v", got.Subjects)
			}
			if len(got.Matched) != 2 || got.Matched[1].Name != "Acme.exe" {
				t.Errorf("matched = %v", got.Matched)
			}
			p := got.Predicate
			if p.Result != ResultPassed || !p.TimeVerified.Equal(fixedTime) || p.VerifierVersion != "v0.3.0" ||
				p.ResourceURI != "dist/Acme-1.4.2" || p.PolicyURI != "release-policy.yaml" || len(p.PolicySHA256) != 64 || len(p.ReportSHA256) != 64 {
				t.Errorf("predicate = %+v", p)
			}
		})
	}
}

func TestStatementDeterministic(t *testing.T) {
	t.Parallel()
	report := readTestdata(t, "report.json")
	a, err := Statement(report, StatementOptions{Time: fixedTime})
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		b, err := Statement(report, StatementOptions{Time: fixedTime})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatalf("statement bytes differ between runs:\n%s\n%s", a, b)
		}
	}
	golden(t, "statement.golden.json", append(a, '\n'))

	// Ed25519 signatures are deterministic too: the whole envelope is stable.
	s, _ := signerFor(t, testKey{"ed25519", fixedEd25519, KeyOptions{}})
	env, err := Sign(report, s, SignOptions{Statement: StatementOptions{Time: fixedTime}})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "envelope-ed25519.json", env)
	golden(t, "ed25519.pub.pem", publicPEM(t, fixedEd25519.Public()))
}

func TestStatementContents(t *testing.T) {
	t.Parallel()
	var st struct {
		Type          string `json:"_type"`
		PredicateType string `json:"predicateType"`
		Subject       []struct {
			Name   string            `json:"name"`
			Digest map[string]string `json:"digest"`
		} `json:"subject"`
		Predicate map[string]any `json:"predicate"`
	}
	decode := func(report []byte, opts StatementOptions) {
		t.Helper()
		b, err := Statement(report, opts)
		if err != nil {
			t.Fatal(err)
		}
		st.Subject = nil
		st.Predicate = nil
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("archive input is the subject", func(t *testing.T) {
		decode(readTestdata(t, "report-archive.json"), StatementOptions{})
		if len(st.Subject) != 1 || st.Subject[0].Name != "Acme-1.4.2-mac.zip" ||
			st.Subject[0].Digest["sha256"] != "7e9a0c2e4b6d8f1a3c5e7b9d0f2a4c6e8b1d3f5a7c9e0b2d4f6a8c1e3b5d7f9a" {
			t.Errorf("subject = %+v", st.Subject)
		}
		if st.Predicate["resourceUri"] != "Acme-1.4.2-mac.zip" {
			t.Errorf("resourceUri = %v (absolute paths are reduced to the base name)", st.Predicate["resourceUri"])
		}
		if pol := st.Predicate["policy"].(map[string]any); pol["uri"] != BuiltinPolicyURI || pol["digest"] != nil {
			t.Errorf("policy = %v, want the built-in policy", pol)
		}
		if _, ok := st.Predicate["timeVerified"]; ok {
			t.Error("timeVerified present without StatementOptions.Time")
		}
	})
	t.Run("failed gate", func(t *testing.T) {
		report := readTestdata(t, "report-failed.json")
		decode(report, StatementOptions{ReportURI: "https://ci.example.com/42/report.json", ResourceURI: "pkg:generic/acme@1.4.2"})
		if st.Predicate["verificationResult"] != "FAILED" {
			t.Errorf("verificationResult = %v", st.Predicate["verificationResult"])
		}
		if lv := st.Predicate["verifiedLevels"].([]any); len(lv) != 1 || lv[0] != "FAILED" {
			t.Errorf("verifiedLevels = %v", lv)
		}
		if st.Predicate["resourceUri"] != "pkg:generic/acme@1.4.2" {
			t.Errorf("resourceUri = %v", st.Predicate["resourceUri"])
		}
		rep := st.Predicate["shipgateReport"].(map[string]any)
		if rep["uri"] != "https://ci.example.com/42/report.json" || rep["digest"].(map[string]any)["sha256"] == "" {
			t.Errorf("shipgateReport = %v", rep)
		}
	})
	t.Run("types and verifier", func(t *testing.T) {
		decode(readTestdata(t, "report.json"), StatementOptions{Time: fixedTime})
		if st.Type != StatementType || st.PredicateType != PredicateTypeVSA {
			t.Errorf("types = %q %q", st.Type, st.PredicateType)
		}
		ver := st.Predicate["verifier"].(map[string]any)
		if ver["id"] != VerifierID || ver["version"].(map[string]any)["shipgate"] != "v0.3.0" {
			t.Errorf("verifier = %v", ver)
		}
		if st.Predicate["timeVerified"] != "2026-03-29T10:30:00Z" {
			t.Errorf("timeVerified = %v", st.Predicate["timeVerified"])
		}
	})
}

func TestStatementReportErrors(t *testing.T) {
	t.Parallel()
	base := string(readTestdata(t, "report-failed.json"))
	cases := map[string]string{
		"not JSON":            "{",
		"no schemaVersion":    strings.Replace(base, `"schemaVersion": 1,`, ``, 1),
		"future schema":       strings.Replace(base, `"schemaVersion": 1`, `"schemaVersion": 2`, 1),
		"no summary.passed":   strings.Replace(base, `"passed": false`, `"x": false`, 1),
		"bad file digest":     strings.Replace(base, `"sha256": "c4e6`, `"sha256": "C4E6`, 1),
		"no files":            strings.Replace(base, `"path": "ffmpeg.dll", "size"`, `"path": "", "size"`, 1),
		"duplicate key":       strings.Replace(base, `"schemaVersion": 1,`, `"schemaVersion": 1, "schemaVersion": 1,`, 1),
		"archive sans digest": strings.Replace(base, `"files": [`, `"input": {"kind": "archive", "path": "a.zip"}, "files": [`, 1),
		"empty files":         `{"schemaVersion": 1, "files": [], "summary": {"passed": true}}`,
	}
	for name, r := range cases {
		_, err := Statement([]byte(r), StatementOptions{})
		if !errors.Is(err, ErrReport) {
			t.Errorf("%s: err = %v, want ErrReport", name, err)
		}
		// The package is named once: no "attest: unusable report: attest: …".
		if err != nil && strings.Count(err.Error(), "attest:") != 1 {
			t.Errorf("%s: %q stutters", name, err)
		}
	}
	// A FormatError under ErrReport is still found, with its offset.
	_, err := Statement([]byte("{"), StatementOptions{})
	var fe *FormatError
	if !errors.As(err, &fe) || !errors.Is(err, ErrMalformed) {
		t.Errorf("not JSON: %v does not unwrap to a FormatError", err)
	}
}

// reenvelope decodes an envelope, lets edit change it, and encodes it again.
func reenvelope(t testing.TB, env []byte, edit func(e *Envelope)) []byte {
	t.Helper()
	e, err := ParseEnvelope(env)
	if err != nil {
		t.Fatal(err)
	}
	edit(e)
	b, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVerifyFailures(t *testing.T) {
	t.Parallel()
	report := readTestdata(t, "report.json")
	keyA := testKey{"a", testpki.Key(testpki.ECDSA, 0), KeyOptions{}}
	keyB := testKey{"b", testpki.Key(testpki.ECDSA, 1), KeyOptions{}}
	sA, vA := signerFor(t, keyA)
	sB, vB := signerFor(t, keyB)
	good, err := Sign(report, sA, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(good, vA, VerifyOptions{}); err != nil {
		t.Fatalf("good envelope: %v", err)
	}
	stmt, err := Statement(report, StatementOptions{})
	if err != nil {
		t.Fatal(err)
	}
	signed := func(s signature.Signer, payloadType string, payload []byte, opts SignOptions) []byte {
		t.Helper()
		e, err := SignPayload(payloadType, payload, s, opts)
		if err != nil {
			t.Fatal(err)
		}
		b, err := e.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	envA := signed(sA, PayloadType, stmt, SignOptions{})
	envB := signed(sB, PayloadType, stmt, SignOptions{})
	parsedA, _ := ParseEnvelope(envA)
	parsedB, _ := ParseEnvelope(envB)
	sigA, sigB := parsedA.Signatures[0], parsedB.Signatures[0]
	withSigs := func(sigs ...EnvelopeSignature) []byte {
		return reenvelope(t, envA, func(e *Envelope) { e.Signatures = sigs })
	}
	failedEnv, err := Sign(readTestdata(t, "report-failed.json"), sA, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name     string
		env      []byte
		verifier signature.Verifier
		opts     VerifyOptions
		want     error
		detail   string
	}{
		{"tampered payload", reenvelope(t, good, func(e *Envelope) {
			e.Payload = bytes.Replace(e.Payload, []byte(`"Acme.exe"`), []byte(`"Acme.EXE"`), 1)
		}), vA, VerifyOptions{}, ErrSignature, "does not verify"},
		{"tampered signature", reenvelope(t, good, func(e *Envelope) { e.Signatures[0].Sig[10] ^= 1 }), vA, VerifyOptions{}, ErrSignature, ""},
		{"wrong key", good, vB, VerifyOptions{}, ErrWrongKey, sigA.KeyID},
		{"wrong key, no key IDs", signed(sA, PayloadType, stmt, SignOptions{NoKeyID: true}), vB, VerifyOptions{}, ErrSignature, "none of 1"},
		{"wrong payload type, signed", signed(sA, "application/json", stmt, SignOptions{}), vA, VerifyOptions{}, ErrPayloadType, "application/json"},
		{"wrong payload type, edited", reenvelope(t, good, func(e *Envelope) { e.PayloadType = "text/plain" }), vA, VerifyOptions{}, ErrPayloadType, ""},
		{"missing subject", good, vA, VerifyOptions{Subjects: []Subject{{SHA256: strings.Repeat("ab", 32)}}}, ErrSubjectMissing, strings.Repeat("ab", 32)},
		{"subject under another name", good, vA, VerifyOptions{Subjects: []Subject{{Name: "Acme2.exe", SHA256: reportSubjectsWant[0].SHA256}}}, ErrSubjectMissing, "Acme2.exe"},
		{"reordered signatures (sigs swapped between key IDs)", withSigs(
			EnvelopeSignature{KeyID: sigA.KeyID, Sig: sigB.Sig},
			EnvelopeSignature{KeyID: sigB.KeyID, Sig: sigA.Sig},
		), vA, VerifyOptions{}, ErrKeyIDMismatch, "reordered"},
		{"signature naming the key fails beside a good one", withSigs(
			EnvelopeSignature{KeyID: sigA.KeyID, Sig: sigB.Sig},
			EnvelopeSignature{Sig: sigA.Sig},
		), vA, VerifyOptions{}, ErrSignature, "signature 0 names key"},
		{"no signatures", withSigs(), vA, VerifyOptions{}, ErrNoSignatures, ""},
		{"failed gate", failedEnv, vA, VerifyOptions{}, ErrNotPassed, "FAILED"},
		{"legacy statement type", signed(sA, PayloadType, bytes.Replace(stmt, []byte(StatementType), []byte("https://in-toto.io/Statement/v0.1"), 1), SignOptions{}), vA, VerifyOptions{}, ErrStatementType, "v0.1"},
		{"other predicate type", signed(sA, PayloadType, bytes.Replace(stmt, []byte(PredicateTypeVSA), []byte("https://slsa.dev/provenance/v1"), 1), SignOptions{}), vA, VerifyOptions{}, ErrPredicateType, "provenance"},
		{"other verifier", signed(sA, PayloadType, bytes.Replace(stmt, []byte(`"id":"`+VerifierID), []byte(`"id":"https://example.com/gate`), 1), SignOptions{}), vA, VerifyOptions{}, ErrPredicateType, "example.com"},
		{"signed duplicate key in statement", signed(sA, PayloadType, bytes.Replace(stmt, []byte(`{"_type":`), []byte(`{"predicateType":"x","_type":`), 1), SignOptions{}), vA, VerifyOptions{}, ErrMalformed, "duplicate key"},
		{"signed statement that is not JSON", signed(sA, PayloadType, []byte("PASSED"), SignOptions{}), vA, VerifyOptions{}, ErrMalformed, ""},
		{"signed statement with a bad digest", signed(sA, PayloadType, bytes.Replace(stmt, []byte(`"sha256":"1b3d`), []byte(`"sha256":"1b3`), 1), SignOptions{}), vA, VerifyOptions{}, ErrMalformed, ""},
		{"PASSED contradicting verifiedLevels", signed(sA, PayloadType, bytes.Replace(stmt, []byte(`"verifiedLevels":["SHIPGATE_GATE_PASSED"]`), []byte(`"verifiedLevels":["FAILED"]`), 1), SignOptions{}), vA, VerifyOptions{}, ErrMalformed, "contradicts"},
		{"envelope duplicate payload", []byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","payload":"e30=","signatures":[{"sig":"AA=="}]}`), vA, VerifyOptions{}, ErrMalformed, "duplicate key"},
		{"envelope bad base64", []byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30","signatures":[{"sig":"*"}]}`), vA, VerifyOptions{}, ErrMalformed, "base64"},
		{"envelope trailing data", append(bytes.TrimSpace(good), []byte(` {}`)...), vA, VerifyOptions{}, ErrMalformed, "trailing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Verify(c.env, c.verifier, c.opts)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if c.detail != "" && !strings.Contains(err.Error(), c.detail) {
				t.Errorf("err = %v, want it to mention %q", err, c.detail)
			}
		})
	}

	t.Run("signature order does not matter", func(t *testing.T) {
		for _, env := range [][]byte{withSigs(sigA, sigB), withSigs(sigB, sigA)} {
			ra, err := Verify(env, vA, VerifyOptions{})
			if err != nil {
				t.Fatalf("key A: %v", err)
			}
			rb, err := Verify(env, vB, VerifyOptions{})
			if err != nil {
				t.Fatalf("key B: %v", err)
			}
			if ra.SignatureIndex == rb.SignatureIndex {
				t.Errorf("both keys matched signature %d", ra.SignatureIndex)
			}
		}
	})
	t.Run("failed gate with AllowFailed", func(t *testing.T) {
		v, err := Verify(failedEnv, vA, VerifyOptions{AllowFailed: true})
		if err != nil || v.Predicate.Result != ResultFailed {
			t.Fatalf("err = %v, result = %+v", err, v)
		}
		v, err = Verify(failedEnv, vA, VerifyOptions{})
		if v == nil || v.Predicate.Result != ResultFailed {
			t.Errorf("ErrNotPassed should come with the authenticated summary, got %v (%v)", v, err)
		}
	})
	t.Run("url-safe unpadded base64 is accepted", func(t *testing.T) {
		var raw map[string]any
		if err := json.Unmarshal(good, &raw); err != nil {
			t.Fatal(err)
		}
		raw["payload"] = base64.RawURLEncoding.EncodeToString(parsedA.Payload)
		b, _ := json.Marshal(raw)
		if _, err := ParseEnvelope(b); err != nil {
			t.Fatal(err)
		}
	})
}

// TestImports keeps package attest below verify, sbom and git (DESIGN:
// signing/* never imports them).
func TestImports(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"verify", "sbom", "git"} {
			p := "github.com/shipgate/shipgate/" + banned
			if dep == p || strings.HasPrefix(dep, p+"/") {
				t.Errorf("signing/attest depends on %s", dep)
			}
		}
	}
}

func TestCheckJSONCaseFolding(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{
		`{"payloadType":"a","PayloadType":"b"}`,
		`{"signatures":[],"ſignatures":[]}`,
		`{"a":{"k":1,"K":2}}`,
	} {
		if err := CheckJSON([]byte(doc)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v, want a duplicate key error", doc, err)
		}
	}
	if err := CheckJSON([]byte(`{"a":{"k":1},"b":{"k":1},"c":[{"k":1},{"k":2}]}`)); err != nil {
		t.Errorf("same key in sibling objects: %v", err)
	}
}
