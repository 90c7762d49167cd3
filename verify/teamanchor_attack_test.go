package verify

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackTeamIDUnderCustomRoot: a root given in trust.roots (a company CA
// trusted for its own signing) anchors Apple signatures too. Whoever holds
// its key issues a "Developer ID" CA and leaf with Apple's markers and
// another team's ID in the OU; a policy pinning that team must not accept
// it: a team ID is Apple's word only under Apple's roots. The signer-not-
// allowed finding says why.
func TestAttackTeamIDUnderCustomRoot(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	corp := testpki.NewRoot(testpki.Spec{CommonName: "Corp Root CA", Organization: "Corp", KeyN: 71})
	ca := corp.Issue(testpki.Spec{CommonName: "Corp Developer ID CA", Organization: "Corp", CA: true, KeyN: 72, ExtraExtensions: machofile.DeveloperIDCAExtensions()})
	leaf := ca.Issue(testpki.Spec{CommonName: "Developer ID Application: Mallory (" + machofile.TeamID + ")", Organization: "Mallory",
		OrganizationalUnit: machofile.TeamID, KeyN: 73, ExtraExtensions: machofile.DeveloperIDLeafExtensions()})
	spec := f.apple.DeveloperIDSpec("com.example.app")
	spec.CMS = machofile.Signer{Leaf: leaf, Chain: []*testpki.Cert{ca}, SigningTime: machofile.SignTime}.CMS
	forged, _, err := machofile.Sign(f.machoUnsigned, spec)
	if err != nil {
		t.Fatal(err)
	}
	trust, err := signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{bytes.Join([][]byte{f.apple.Root.PEM(), corp.PEM()}, nil)}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"MacOS/forged": forged, "MacOS/app": f.machoValid})
	pol := &Policy{Rules: []Rule{{Match: []string{"**"}, Require: RequireValid, Signers: []Signer{{TeamID: machofile.TeamID}}}}}
	r := run(t, Options{Policy: pol, Trust: trust}, dir)
	m := fileByPath(r, "MacOS/forged")
	if m == nil || len(m.Signatures) != 1 || m.Signatures[0].Status != signing.StatusValid || m.Signatures[0].Signer.TeamID != machofile.TeamID {
		t.Fatalf("the forged Mach-O is not what the test needs: %+v", m)
	}
	found := false
	for _, x := range r.Findings {
		if x.Path == "MacOS/forged" && x.Rule == ruleSignerNotAllow && x.Severity == signing.SeverityError {
			found = strings.Contains(x.Message, `"CN=Corp Root CA,O=Corp", not at one of Apple's roots`)
		}
	}
	if !found {
		t.Errorf("a team ID under a custom root matched a teamID signer: %v", rulesFor(r, "MacOS/forged"))
	}
	if has(rulesFor(r, "MacOS/app"), "error "+string(ruleSignerNotAllow)) {
		t.Errorf("the team's own Mach-O refused: %v", rulesFor(r, "MacOS/app"))
	}
}
