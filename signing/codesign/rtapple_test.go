package codesign

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// signWithRequirements signs a Developer ID Mach-O whose requirements slot
// holds blob, and verifies it.
func signWithRequirements(t *testing.T, blob []byte) *Result {
	t.Helper()
	p := machofile.NewPKI()
	spec := p.DeveloperIDSpec("com.example.app")
	spec.Requirements = blob
	b, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 4}), spec)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{Trust: testTrust(t), Time: checkTime})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestRequirementsSlotNotARequirementsBlob: a requirements slot holding
// something other than a Requirements blob (here a bare Requirement blob
// saying `never`) is not "no designated requirement": macOS refuses it
// (errSecCSReqInvalid), so the signature is not valid.
func TestRequirementsSlotNotARequirementsBlob(t *testing.T) {
	never, err := mustCompile(t, "never").MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	res := signWithRequirements(t, never)
	sig := res.Signatures[0]
	if sig.Status == signing.StatusValid || sig.DesignatedRequirement == nil || sig.DesignatedRequirement.Implicit {
		t.Errorf("status %s, designated requirement %+v, findings %v", sig.Status, sig.DesignatedRequirement, res.Findings)
	}
}

// TestRequirementsTwoDesignatedEntries: a Requirements blob listing the
// designated type twice (always, then never) is refused rather than
// letting one of them win.
func TestRequirementsTwoDesignatedEntries(t *testing.T) {
	set := reqSet(t, map[uint32]*Requirement{reqTypeDesignated: mustCompile(t, "always"), 4: mustCompile(t, "never")})
	binary.BigEndian.PutUint32(set[20:], reqTypeDesignated) // the second entry's type
	res := signWithRequirements(t, set)
	sig := res.Signatures[0]
	if sig.Status == signing.StatusValid || sig.DesignatedRequirement == nil || sig.DesignatedRequirement.Result != signing.RequirementUnsatisfied {
		t.Errorf("status %s, designated requirement %+v", sig.Status, sig.DesignatedRequirement)
	}
}
