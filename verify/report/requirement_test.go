package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

// TestDesignatedRequirementWritten: a signature's designated requirement
// is printed by the text report, and the JSON report holding it validates
// against the published schema.
func TestDesignatedRequirementWritten(t *testing.T) {
	dr := &signing.DesignatedRequirement{Text: `identifier "com.example.app" and anchor apple generic and certificate leaf[subject.OU] = ABCDE12345`,
		Result: signing.RequirementUnknown, Undecided: []string{"notarized: not checked here"}}
	r := &verify.Report{Tool: verify.Tool{Name: "shipgate", Version: "v1.2.3"}, Files: []verify.File{{Path: "a", Kind: verify.KindMachO, SHA256: testDigest(strings.Repeat("a", 64)), Signatures: []signing.Signature{{
		Format: signing.FormatAppleCodesign, Status: signing.StatusValid, DesignatedRequirement: dr,
	}}}}}
	r.Finalize(verify.FailOnError)
	if b := write(t, r, FormatText, Options{Verbose: true}); !bytes.Contains(b, []byte(`designated identifier "com.example.app" and anchor apple generic`)) || !bytes.Contains(b, []byte("(unknown)")) {
		t.Errorf("designated requirement not shown:\n%s", b)
	}
	b := write(t, r, FormatJSON, Options{})
	if !bytes.Contains(b, []byte(`"designatedRequirement"`)) {
		t.Fatalf("designatedRequirement not written:\n%s", b)
	}
	validate(t, compileSchema(t, "report.schema.json", JSONSchema), b)
}

// TestImplicitDesignatedRequirementWritten: the requirement macOS derives
// for a signature without one is printed as implicit, as codesign -d -r-
// shows it after "# designated =>".
func TestImplicitDesignatedRequirementWritten(t *testing.T) {
	dr := &signing.DesignatedRequirement{Implicit: true, Text: `cdhash H"d667677a9091fa065512bf4e7a2254c1e5046a93"`, Result: signing.RequirementSatisfied}
	r := &verify.Report{Tool: verify.Tool{Name: "shipgate", Version: "v1.2.3"}, Files: []verify.File{{Path: "a", Kind: verify.KindMachO, SHA256: testDigest(strings.Repeat("a", 64)), Signatures: []signing.Signature{{
		Format: signing.FormatAppleCodesign, Status: signing.StatusValid, DesignatedRequirement: dr,
	}}}}}
	r.Finalize(verify.FailOnError)
	if b := write(t, r, FormatText, Options{Verbose: true}); !bytes.Contains(b, []byte(`designated cdhash H"d667677a9091fa065512bf4e7a2254c1e5046a93" (implicit, satisfied)`)) {
		t.Errorf("implicit designated requirement not shown:\n%s", b)
	}
	validate(t, compileSchema(t, "report.schema.json", JSONSchema), write(t, r, FormatJSON, Options{}))
}
