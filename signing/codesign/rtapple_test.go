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
	t.Parallel()
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
	t.Parallel()
	set := reqSet(t, map[uint32]*Requirement{reqTypeDesignated: mustCompile(t, "always"), 4: mustCompile(t, "never")})
	binary.BigEndian.PutUint32(set[20:], reqTypeDesignated) // the second entry's type
	res := signWithRequirements(t, set)
	sig := res.Signatures[0]
	if sig.Status == signing.StatusValid || sig.DesignatedRequirement == nil || sig.DesignatedRequirement.Result != signing.RequirementUnsatisfied {
		t.Errorf("status %s, designated requirement %+v", sig.Status, sig.DesignatedRequirement)
	}
}

// TestRequirementPlatformOfTheStrongestDirectory: macOS evaluates a
// requirement against the CodeDirectory with the strongest hash, so a
// SHA-1 primary directory saying platform 0 cannot stand for a SHA-256
// alternate saying platform 2: `platform = 0` is not satisfied, and the
// directories' disagreement fails the signature.
func TestRequirementPlatformOfTheStrongestDirectory(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	spec := p.DeveloperIDSpec("com.example.app")
	spec.HashTypes = []uint8{machofile.HashSHA1, machofile.HashSHA256}
	cms := spec.CMS
	spec.CMS = func(cds []machofile.CD) ([]byte, error) {
		cds[1].Blob[38] = 2
		h := cds[1].Hash().New()
		h.Write(cds[1].Blob)
		cds[1].Digest = h.Sum(nil)
		return cms(cds)
	}
	b, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 6}), spec)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{Trust: testTrust(t), Time: checkTime})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Slices[0]
	if s.CodeDirectories[0].Platform != 0 || s.CodeDirectories[1].Platform != 2 {
		t.Fatalf("platforms %d, %d", s.CodeDirectories[0].Platform, s.CodeDirectories[1].Platform)
	}
	if got, _ := s.Satisfies(mustCompile(t, "platform = 0")); got != signing.RequirementUnsatisfied {
		t.Errorf("platform = 0: %s, though the SHA-256 directory says 2", got)
	}
	if got, _ := s.Satisfies(mustCompile(t, "platform = 2")); got != signing.RequirementSatisfied {
		t.Errorf("platform = 2: %s", got)
	}
	if st := res.Signatures[0].Status; st == signing.StatusValid {
		t.Errorf("directories that disagree on the platform: status %s", st)
	}
}

// TestRequirementPrintedIdentifierCannotInject: identifiers and values
// that look like requirement syntax (quotes, comments, keywords, `*`,
// newlines, bytes outside ASCII) print so that the text compiles back to
// the same requirement, not to an "or always" an attacker wrote into the
// identifier.
func TestRequirementPrintedIdentifierCannotInject(t *testing.T) {
	t.Parallel()
	for _, id := range []string{
		`x" or always or identifier "y`,
		`x /* or always */`,
		`*/ or always /*`,
		"a\nor always",
		`always`,
		`com.acme.*`,
		`back\slash"`,
		"caf\xc3\xa9",
		"nul\x00byte",
		``,
	} {
		r := &Requirement{root: &reqNode{op: opAnd, kids: []*reqNode{
			{op: opIdent, data: []byte(id)},
			{op: opInfoKeyField, data: []byte(id), match: &reqMatch{op: matchBeginsWith, value: []byte(id)}},
		}}}
		want, _ := r.MarshalBinary()
		back, err := CompileRequirement(r.String())
		if err != nil {
			t.Errorf("%q: printed %q does not compile: %v", id, r.String(), err)
			continue
		}
		if got, _ := back.MarshalBinary(); !bytes.Equal(got, want) {
			t.Errorf("%q: printed %q compiles to another requirement (%q)", id, r.String(), back.String())
		}
	}
}
