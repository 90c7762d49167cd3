package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"app/ffmpeg.dll":             "app/ffmpeg.dll",
		"O=DigiCert\\, Inc.":         "O=DigiCert\\, Inc.",
		"café/日本.dll":                "café/日本.dll",
		"a\nb":                       `a\x0ab`,
		"\x1b[2K\rPASS":              `\x1b[2K\x0dPASS`,
		"x\u202egpj.exe":             `x\u202egpj.exe`,
		"\x9b31m":                    `\x9b31m`,
		"bad\xffutf8":                `bad\xffutf8`,
		"tab\there\x7f":              `tab\x09here\x7f`,
		"line\u2028sep":              `line\u2028sep`,
		"zero\x00byte and ok suffix": `zero\x00byte and ok suffix`,
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

// A file name, a certificate subject or a finding message that carries
// terminal escapes or newlines must not rewrite what the text report shows:
// no erased error lines, no forged PASS verdict.
func TestTextEscapesHostileStrings(t *testing.T) {
	forge := "\x1b[1A\x1b[2K\r\nPASS: 1 file (1 signed), 0 errors, 0 warnings, 0 notes\n\x1b[8m"
	id := &signing.Identity{Subject: "CN=Acme" + forge, Issuer: "CN=Root\u202e", TeamID: "T\nEAM"}
	r := &verify.Report{
		Files: []verify.File{{Path: "evil" + forge + ".exe", Kind: verify.KindPE, Signatures: []signing.Signature{{
			Format: signing.FormatAuthenticode, Arch: "x\n", Status: signing.StatusInvalid, Signer: id,
			Checks: []signing.Check{{Name: signing.CheckDigest + signing.CheckName(forge), Detail: "bad" + forge}},
		}}}},
		Findings: []signing.Finding{
			{Rule: "policy/bad-signature", Severity: signing.SeverityError, Path: "evil" + forge + ".exe", Message: "broken" + forge},
			{Rule: "git/x", Severity: signing.SeverityError, Path: "gone" + forge, Message: "m", Commit: "c" + forge},
		},
	}
	r.Finalize(verify.FailOnError)
	for _, color := range []bool{false, true} {
		b := write(t, r, FormatText, Options{Color: color})
		for _, seq := range []string{"\x1b[1A", "\x1b[2K", "\x1b[8m", "\r", "\u202e", "\nPASS"} {
			if bytes.Contains(b, []byte(seq)) {
				t.Errorf("color %v: report holds %q:\n%s", color, seq, b)
			}
		}
		// Verdict, errors (header and 2), signers (header and 1), the
		// file's block (file, signature, signer, issuer, team ID, failed
		// check), verdict; 4 blank lines between the sections.
		if n := strings.Count(string(b), "\n"); n != 17 {
			t.Errorf("color %v: %d lines, want 17:\n%s", color, n, b)
		}
		const verdict = "FAIL: 1 file (1 signed), 2 errors, 0 warnings, 0 notes\n"
		if !color && (!strings.HasPrefix(string(b), verdict) || !strings.HasSuffix(string(b), "\n"+verdict)) {
			t.Errorf("color %v: verdict lines:\n%s", color, b)
		}
	}
}

// TestTextDisregardedTimestamp: a timestamp whose authority is blocklisted
// is shown as disregarded, not as a plain "verified" one.
func TestTextDisregardedTimestamp(t *testing.T) {
	ts := &signing.Timestamp{Kind: "rfc3161", Verified: true, Disregarded: "the time-stamping authority's chain holds blocklisted certificate \"CN=TSA\""}
	r := &verify.Report{Files: []verify.File{{Path: "a.exe", Kind: verify.KindPE, Signatures: []signing.Signature{{
		Format: signing.FormatAuthenticode, Status: signing.StatusRevoked, Timestamp: ts,
	}}}}}
	r.Finalize(verify.FailOnError)
	b := write(t, r, FormatText, Options{})
	if !bytes.Contains(b, []byte("verified but disregarded: the time-stamping authority's chain holds blocklisted")) {
		t.Errorf("disregarded timestamp not shown:\n%s", b)
	}
}

// TestJSONDisregardedTimestampValidates: a timestamp disregarded for a
// blocklisted authority is written with its reason and the report still
// validates against the published schema.
func TestJSONDisregardedTimestampValidates(t *testing.T) {
	ts := &signing.Timestamp{Kind: "rfc3161", Verified: true, Disregarded: "blocklisted authority"}
	r := &verify.Report{Tool: verify.Tool{Name: "shipgate", Version: "v1.2.3"}, Files: []verify.File{{Path: "a.exe", Kind: verify.KindPE, SHA256: testDigest(strings.Repeat("a", 64)), Signatures: []signing.Signature{{
		Format: signing.FormatAuthenticode, Status: signing.StatusRevoked, Timestamp: ts,
	}}}}}
	r.Finalize(verify.FailOnError)
	b := write(t, r, FormatJSON, Options{})
	if !bytes.Contains(b, []byte(`"disregarded": "blocklisted authority"`)) {
		t.Fatalf("disregarded not written:\n%s", b)
	}
	validate(t, compileSchema(t, "report.schema.json", JSONSchema), b)
}
