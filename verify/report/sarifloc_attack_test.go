package report

import (
	"encoding/json"
	"testing"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

// TestAttackSARIFPathlessFinding: a finding about no file — git-audit's
// rewritten history, located by its commit only — became a SARIF result
// without locations, and GitHub code scanning refuses the whole log for
// one such result ("locationFromSarifResult: expected at least one
// location"): a force-push erased every alert of the run from the Security
// tab. Every result now has a location, SRCROOT itself for such a finding.
func TestAttackSARIFPathlessFinding(t *testing.T) {
	off := int64(12)
	r := &verify.Report{Tool: verify.Tool{Name: "shipgate"}, Findings: []signing.Finding{
		{Rule: "git/history-rewritten", Severity: signing.SeverityError, Commit: "0123456789abcdef0123456789abcdef01234567", Message: "rewritten", Signature: -1, Offset: &off},
		{Rule: "git/unsigned-commit", Severity: signing.SeverityWarning, Path: "src/main.go", Commit: "0123456789abcdef0123456789abcdef01234567", Message: "unsigned", Signature: -1},
	}}
	r.Finalize("")
	b := write(t, r, FormatSARIF, Options{})
	validate(t, sarifSchema(t), b)
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID    string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           *struct{ ByteOffset int64 }
					}
				}
			}
		}
	}
	if err := json.Unmarshal(b, &log); err != nil {
		t.Fatal(err)
	}
	res := log.Runs[0].Results
	if len(res) != 2 {
		t.Fatalf("%d results, want 2:\n%s", len(res), b)
	}
	for _, x := range res {
		if len(x.Locations) != 1 || x.Locations[0].PhysicalLocation.ArtifactLocation.URI == "" {
			t.Errorf("%s: locations %+v, want one with a URI", x.RuleID, x.Locations)
		}
		if x.RuleID == "git/history-rewritten" && (x.Locations[0].PhysicalLocation.ArtifactLocation.URI != RootURI || x.Locations[0].PhysicalLocation.Region != nil) {
			t.Errorf("pathless finding located at %+v, want %s without a region", x.Locations[0], RootURI)
		}
	}
}

// TestSARIFFingerprintsDistinct: two findings of one rule on one file —
// two blocklisted certificates in one binary, located by byte offsets for
// which code scanning computes no fingerprint of its own — carry distinct
// partial fingerprints, stable from run to run.
func TestSARIFFingerprintsDistinct(t *testing.T) {
	a, b := int64(100), int64(900)
	r := &verify.Report{Tool: verify.Tool{Name: "shipgate"}, Files: []verify.File{{Path: "app.exe", Size: 1000}}, Findings: []signing.Finding{
		{Rule: "blocklist/revoked-certificate", Severity: signing.SeverityError, Path: "app.exe", Message: "certificate A is revoked", Signature: 0, Offset: &a},
		{Rule: "blocklist/revoked-certificate", Severity: signing.SeverityError, Path: "app.exe", Message: "certificate B is revoked", Signature: 1, Offset: &b},
	}}
	r.Finalize("")
	out := write(t, r, FormatSARIF, Options{})
	validate(t, sarifSchema(t), out)
	var log struct {
		Runs []struct {
			Results []struct{ PartialFingerprints map[string]string }
		}
	}
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	res := log.Runs[0].Results
	if len(res) != 2 || res[0].PartialFingerprints[FingerprintKey] == "" || res[0].PartialFingerprints[FingerprintKey] == res[1].PartialFingerprints[FingerprintKey] {
		t.Errorf("fingerprints %+v, want two distinct ones", res)
	}
	if again := write(t, r, FormatSARIF, Options{}); string(again) != string(out) {
		t.Error("SARIF differs from one run to the next")
	}
}
