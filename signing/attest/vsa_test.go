package attest

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/signing"
)

// statementOf returns the statement made from the report r.
func statementOf(t *testing.T, r *report.Report) []byte {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	stmt, err := Statement(b, StatementOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return stmt
}

// vsaOf returns the subjects and predicate of the statement made from r.
func vsaOf(t *testing.T, r *report.Report) (subjects []Subject, pred map[string]any) {
	t.Helper()
	r.Finalize("")
	stmt := statementOf(t, r)
	var st struct {
		Subject []struct {
			Name   string            `json:"name"`
			Digest map[string]string `json:"digest"`
		} `json:"subject"`
		Predicate map[string]any `json:"predicate"`
	}
	if err := json.Unmarshal(stmt, &st); err != nil {
		t.Fatal(err)
	}
	for _, s := range st.Subject {
		subjects = append(subjects, Subject{Name: s.Name, SHA256: s.Digest["sha256"]})
	}
	return subjects, st.Predicate
}

func releaseReport() *report.Report {
	return &report.Report{Tool: report.Tool{Name: "shipgate", Version: "v0.3.0"}, Files: []report.File{
		{Path: "Acme.exe", Size: 3, SHA256: testDigest(strings.Repeat("1", 64)), Kind: report.KindPE},
		{Path: "ffmpeg.dll", Size: 3, SHA256: testDigest(strings.Repeat("2", 64)), Kind: report.KindPE},
	}}
}

func TestVSANamesPolicyFileAndDigest(t *testing.T) {
	t.Parallel()
	digest := strings.Repeat("5c", 32)
	for _, c := range []struct {
		name       string
		policy     *report.Policy
		uri        string
		wantDigest string
	}{
		{"file", &report.Policy{Source: report.PolicyFile, Path: "ci/release-policy.yaml", SHA256: digest}, "ci/release-policy.yaml", digest},
		{"absolute file", &report.Policy{Source: report.PolicyFile, Path: "/home/ci/release-policy.yaml", SHA256: digest}, "release-policy.yaml", digest},
		{"bytes", &report.Policy{Source: report.PolicyBytes, SHA256: digest}, PolicyDigestURIPrefix + digest, digest},
		{"builtin", &report.Policy{Source: report.PolicyBuiltin}, BuiltinPolicyURI, ""},
		{"none recorded", nil, BuiltinPolicyURI, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := releaseReport()
			r.Policy = c.policy
			_, pred := vsaOf(t, r)
			pol := pred["policy"].(map[string]any)
			if pol["uri"] != c.uri {
				t.Errorf("policy uri = %v, want %s", pol["uri"], c.uri)
			}
			var got string
			if d, ok := pol["digest"].(map[string]any); ok {
				got, _ = d["sha256"].(string)
			}
			if got != c.wantDigest {
				t.Errorf("policy digest = %q, want %q", got, c.wantDigest)
			}
		})
	}
}

func TestVSASubjectIsArchiveDigest(t *testing.T) {
	t.Parallel()
	zipDigest := strings.Repeat("7e", 32)
	for _, c := range []struct {
		name  string
		input *report.Input
		want  []Subject
	}{
		{"zip", &report.Input{Path: "/build/Acme-1.4.2.zip", Kind: report.InputZip, Size: 9, SHA256: zipDigest},
			[]Subject{{Name: "Acme-1.4.2.zip", SHA256: zipDigest}}},
		{"asar", &report.Input{Path: "dist/app.asar", Kind: report.InputAsar, Size: 9, SHA256: zipDigest},
			[]Subject{{Name: "dist/app.asar", SHA256: zipDigest}}},
		{"installer", &report.Input{Path: "AcmeSetup.exe", Kind: report.InputFile, Size: 9, SHA256: zipDigest},
			[]Subject{{Name: "AcmeSetup.exe", SHA256: zipDigest}}},
		{"directory", &report.Input{Path: "dist", Kind: report.InputDirectory},
			[]Subject{{Name: "Acme.exe", SHA256: strings.Repeat("1", 64)}, {Name: "ffmpeg.dll", SHA256: strings.Repeat("2", 64)}}},
		// Of several paths, a zip is attested as itself, not by the
		// entries the report lists under its name.
		{"several paths", &report.Input{Kind: report.InputMultiple, Parts: []report.Input{
			{Path: "/build/a.zip", Kind: report.InputZip, SHA256: zipDigest}, {Path: "b", Kind: report.InputDirectory}}},
			[]Subject{{Name: "Acme.exe", SHA256: strings.Repeat("1", 64)}, {Name: "a.zip", SHA256: zipDigest}, {Name: "ffmpeg.dll", SHA256: strings.Repeat("2", 64)}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := releaseReport()
			r.Files = append(r.Files, report.File{Path: "a.zip/inner.dll", Size: 3, SHA256: testDigest(strings.Repeat("3", 64)), Kind: report.KindPE})
			r.Input = c.input
			if c.input.Kind == report.InputDirectory {
				r.Files = r.Files[:2]
			}
			got, _ := vsaOf(t, r)
			if len(got) != len(c.want) {
				t.Fatalf("subjects = %+v, want %+v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("subject %d = %+v, want %+v", i, got[i], c.want[i])
				}
			}
		})
	}
	t.Run("archive without a digest is refused", func(t *testing.T) {
		r := releaseReport()
		r.Input = &report.Input{Path: "a.zip", Kind: report.InputZip}
		r.Finalize("")
		b, _ := json.Marshal(r)
		if _, err := Statement(b, StatementOptions{}); err == nil {
			t.Error("no error")
		}
	})
}

// testDigest parses a SHA-256 written as hex in a test.
func testDigest(s string) report.Digest {
	d, err := report.ParseDigest(s)
	if err != nil {
		panic(err)
	}
	return d
}

// TestAttackFailOnNeverAttestedPassed: a gate run with failOn never (a
// report-only CI step: `shipgate verify --fail-on never --attest-key …`)
// passes whatever it finds, and its summary was signed as PASSED,
// SHIPGATE_GATE_PASSED: a downstream verify-attestation, cosign or
// slsa-verifier reads only that, and a release with a known-bad file
// passed. An error finding now makes the summary FAILED, whatever the
// threshold, also when only the findings (not summary.errors) show it.
func TestAttackFailOnNeverAttestedPassed(t *testing.T) {
	t.Parallel()
	bad := signing.NewFinding("file/known-bad", signing.SeverityError, "file matches known-bad sha256 entry")
	bad.Path = "ffmpeg.dll"
	for _, c := range []struct {
		name     string
		failOn   report.FailOn
		findings []signing.Finding
		edit     func(*report.Report)
		want     string
	}{
		{"clean", report.FailOnError, nil, nil, ResultPassed},
		{"error, fail on never", report.FailOnNever, []signing.Finding{bad}, nil, ResultFailed},
		{"error, fail on error", report.FailOnError, []signing.Finding{bad}, nil, ResultFailed},
		{"summary edited", report.FailOnNever, []signing.Finding{bad}, func(r *report.Report) { r.Summary.Errors = 0 }, ResultFailed},
		{"warning, fail on error", report.FailOnError, []signing.Finding{signing.NewFinding("policy/unsigned", signing.SeverityWarning, "unsigned")}, nil, ResultPassed},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := releaseReport()
			r.Findings = c.findings
			r.Finalize(c.failOn)
			if c.edit != nil {
				c.edit(r)
			}
			stmt := statementOf(t, r)
			var st struct {
				Predicate struct {
					Result string   `json:"verificationResult"`
					Levels []string `json:"verifiedLevels"`
				} `json:"predicate"`
			}
			if err := json.Unmarshal(stmt, &st); err != nil {
				t.Fatal(err)
			}
			if st.Predicate.Result != c.want {
				t.Errorf("verificationResult %s (levels %v), want %s", st.Predicate.Result, st.Predicate.Levels, c.want)
			}
		})
	}
}

// TestAttackOldPassedSummaryWithErrors: summaries signed before
// TestAttackFailOnNeverAttestedPassed's fix say PASSED for a gate run with
// failOn never, while their shipgateReport extension counts the errors
// that run found. Verify does not take such a summary as PASSED.
func TestAttackOldPassedSummaryWithErrors(t *testing.T) {
	t.Parallel()
	r := releaseReport()
	r.Finalize(report.FailOnError)
	stmt := statementOf(t, r)
	old := bytes.Replace(stmt, []byte(`"errors":0`), []byte(`"errors":3`), 1)
	if bytes.Equal(old, stmt) || !bytes.Contains(old, []byte(`"verificationResult":"PASSED"`)) {
		t.Fatalf("cannot make the old summary from %s", stmt)
	}
	k := testKeys(t)[0]
	s, v := signerFor(t, k)
	for _, c := range []struct {
		payload []byte
		ok      bool
	}{{stmt, true}, {old, false}} {
		env, err := SignPayload(PayloadType, c.payload, s, SignOptions{})
		if err != nil {
			t.Fatal(err)
		}
		envJSON, err := env.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		got, err := Verify(envJSON, v, VerifyOptions{})
		if (err == nil) != c.ok || (!c.ok && !errors.Is(err, ErrNotPassed)) {
			t.Errorf("errors in payload %v: Verify error %v, want ok %v", !c.ok, err, c.ok)
		}
		if !c.ok {
			if got == nil || got.Predicate.ReportErrors != 3 {
				t.Errorf("Verified %+v, want ReportErrors 3", got)
			}
			if _, err := Verify(envJSON, v, VerifyOptions{AllowFailed: true}); err != nil {
				t.Errorf("AllowFailed: %v", err)
			}
		}
	}
}
