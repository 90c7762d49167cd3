package codesign

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"strings"
	"testing"

	gomacho "github.com/blacktop/go-macho/pkg/codesign/types"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// TestRequirementCrossCheckGoMacho parses a designated requirement encoded
// by go-macho's independent writer (CreateRequirements, which nests its
// and-chain to the right where csreq nests to the left) and checks the
// text Apple's printer would give and that the fixture chain satisfies it.
// It also has go-macho print our fixture's requirement: its printer
// differs from Apple's in spacing and quoting, so the comparison ignores
// both, and skips the anchor hash, which go-macho prints as raw bytes.
func TestRequirementCrossCheckGoMacho(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	blob, err := gomacho.CreateRequirements("com.example.gomacho", []*x509.Certificate{p.Root.Cert, p.CA.Cert, p.Leaf.Cert}, false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := blob.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	set, err := parseRequirementSet(b)
	if err != nil {
		t.Fatal(err)
	}
	e := set.find(reqTypeDesignated)
	if e == nil || e.err != nil {
		t.Fatalf("designated requirement: %+v", e)
	}
	want := `identifier "com.example.gomacho" and certificate 1[field.1.2.840.113635.100.6.2.6] /* exists */ and certificate leaf[field.1.2.840.113635.100.6.1.13] /* exists */ and certificate leaf[subject.OU] = ` + machofile.TeamID
	if got := e.req.String(); got != want {
		t.Errorf("go-macho's requirement prints as\n%s\nwant\n%s", got, want)
	}
	ctx, _ := evalCtx(t)
	ctx.identifier = "com.example.gomacho"
	if res, why := e.req.evaluate(ctx); res != signing.RequirementSatisfied {
		t.Errorf("go-macho's requirement: %s %v", res, why)
	}

	// go-macho prints our fixture requirement.
	ours := machofile.DesignatedRequirements("com.example.tool", p.Root.Cert.Raw, machofile.TeamID)
	hdr := gomacho.RequirementsBlob{Magic: gomacho.Magic(binary.BigEndian.Uint32(ours)), Length: binary.BigEndian.Uint32(ours[4:]), Data: binary.BigEndian.Uint32(ours[8:])}
	reqs, err := gomacho.ParseRequirementSet(hdr, ours[12:])
	if err != nil {
		t.Fatalf("go-macho does not parse our requirements blob: %v", err)
	}
	if len(reqs) != 1 {
		t.Fatalf("go-macho found %d requirements", len(reqs))
	}
	oursSet, err := parseRequirementSet(ours)
	if err != nil {
		t.Fatal(err)
	}
	norm := func(s string) []string {
		var terms []string
		for _, term := range strings.Split(s, " and ") {
			if strings.HasPrefix(strings.TrimSpace(term), "certificate root =") {
				continue
			}
			terms = append(terms, strings.Join(strings.Fields(strings.ReplaceAll(term, `"`, "")), " "))
		}
		return terms
	}
	g, o := norm(reqs[0].Detail), norm(oursSet.find(reqTypeDesignated).req.String())
	if strings.Join(g, "|") != strings.Join(o, "|") {
		t.Errorf("go-macho prints\n%q\nwe print\n%q", g, o)
	}
	if !bytes.Contains(ours, []byte("subject.OU")) {
		t.Fatal("fixture requirement lacks its OU term")
	}
}
