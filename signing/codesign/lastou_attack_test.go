package codesign

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// twoOUSigner is a signer under the fixture PKI whose leaf's subject
// holds two OUs: the fixture team first, another after it.
func twoOUSigner(p *machofile.PKI) machofile.Signer {
	leaf := p.CA.Issue(testpki.Spec{
		CommonName: "Developer ID Application: Example Corp (" + machofile.TeamID + ")", Organization: "Example Corp",
		OrganizationalUnit: machofile.TeamID,
		ExtraNames:         []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{2, 5, 4, 11}, Value: "EVIL000000"}},
		KeyN:               17, ExtraExtensions: machofile.DeveloperIDLeafExtensions(),
	})
	return machofile.Signer{Leaf: leaf, Chain: []*testpki.Cert{p.CA}, SigningTime: machofile.SignTime, TSA: p.TSA, TimestampAt: machofile.SignTime}
}

// TestAttackRequirementSecondOU: macOS reads a subject attribute as the
// LAST of its type (SecCertificateCopySubjectAttributeValue, behind
// csreq's certificate leaf[subject.OU] and codesign's team ID). A leaf
// with OU=TEAM123456 then OU=EVIL000000 is team EVIL000000's to macOS:
// a requirement pinning TEAM123456 is not satisfied, and a CodeDirectory
// naming TEAM123456 disagrees with the certificate. Reading the first OU
// passed both.
func TestAttackRequirementSecondOU(t *testing.T) {
	t.Parallel()
	ctx, p := evalCtx(t)
	s := twoOUSigner(p)
	ctx.chain = append(ctx.chain[:0:0], s.Leaf.Cert, p.CA.Cert, p.Root.Cert)
	for _, tc := range []struct {
		req  string
		want signing.RequirementResult
	}{
		{`certificate leaf[subject.OU] = ` + machofile.TeamID, signing.RequirementUnsatisfied},
		{`certificate leaf[subject.OU] = EVIL000000`, signing.RequirementSatisfied},
		{`anchor apple generic and certificate leaf[subject.OU] = ` + machofile.TeamID, signing.RequirementUnsatisfied},
	} {
		got, why := mustCompile(t, tc.req).evaluate(ctx)
		if got != tc.want {
			t.Errorf("%s: %s, want %s (%v)", tc.req, got, tc.want, why)
		}
	}
	if id := signing.NewIdentity(s.Leaf.Cert); id.TeamID != "EVIL000000" {
		t.Errorf("identity team ID %q, want the last OU EVIL000000", id.TeamID)
	}

	// The whole file: a CodeDirectory naming the first OU's team.
	spec := p.DeveloperIDSpec("com.example.app")
	spec.CMS = s.CMS
	b, _, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: machofile.CPUX86_64, Seed: 78, CodeSize: 6000}), spec)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{Trust: testTrust(t), Time: checkTime})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Signatures[0].Status; got != signing.StatusInvalid {
		t.Errorf("status %s, want invalid\n%s", got, dump(res))
	}
	if !hasRule(res, RuleTeamIDMismatch) {
		t.Errorf("no %s\n%s", RuleTeamIDMismatch, dump(res))
	}
}
