package authenticode

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/signing"
)

// msiInstallerTree is a real database (msi.BuildInstaller's): a cabinet
// the Media table names and a custom action's stream in the Binary table.
func msiInstallerTree(extra ...*cfb.Node) *cfb.Node {
	// Bytes that do not compress: a cabinet of more than 200 bytes.
	data := make([]byte, 2048)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	n := msi.BuildInstaller(msi.Installer{
		Folder: "Acme",
		Files:  map[string][]byte{"app.exe": data},
		Binary: map[string][]byte{"CA": []byte("MZ custom action")},
	})
	n.Children = append(n.Children, extra...)
	return n
}

// msiSplitCabTail returns the signed installer with the last len(suffixes)
// bytes of its cabinet split off into one-byte streams named the
// cabinet's stored name followed by each suffix: they sort right after
// the cabinet, so the digest without MsiDigitalSignatureEx, which joins
// the streams' contents in name order, is as it was.
func msiSplitCabTail(t *testing.T, signed []byte, suffixes []string) []byte {
	t.Helper()
	root := msiInstallerTree(&cfb.Node{Name: msiSignatureStream, Data: msiSigStream(t, signed)})
	cabName := msi.EncodeName("app.cab", false)
	for _, n := range root.Children {
		if n.Name != cabName {
			continue
		}
		cab := n.Data
		n.Data = cab[:len(cab)-len(suffixes)]
		for i, s := range suffixes {
			root.Children = append(root.Children, &cfb.Node{Name: cabName + s, Data: cab[len(cab)-len(suffixes)+i:][:1]})
		}
		return cfb.Build(root)
	}
	t.Fatal("no cabinet stream")
	return nil
}

// TestAttackMSISplitStreamNames splits the last 200 bytes of a signed
// MSI's cabinet (no MsiDigitalSignatureEx) off into 200 one-byte streams
// whose 29-character names carry data: the digest joins the contents in
// name order and covers no name, so it passed with the note alone. The
// database refers to none of those streams: their names are reported as
// empty streams' are, an error once they could carry a payload.
func TestAttackMSISplitStreamNames(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	signed := signMSI(t, p, msiSpec{tree: msiInstallerTree})
	var suffixes []string
	for i := range 200 {
		suffixes = append(suffixes, fmt.Sprintf("%03d", i)+strings.Repeat("x", 22))
	}
	res := verifyMSI(t, msiSplitCabTail(t, signed, suffixes), trust)
	if res.Status != signing.StatusInvalid || hasRule(res, RuleMSIDigestMismatch) || !hasSeverity(res, RuleMSIUnsignedMetadata, signing.SeverityError) {
		t.Fatalf("status %s findings %+v, want invalid with %s errors and no digest mismatch", res.Status, res.Findings, RuleMSIUnsignedMetadata)
	}
}

// TestMSIUnreferencedStreamWarning splits the cabinet's last byte off into
// one stream with a short name: a warning, as an empty stream of that
// name is. The installer as signed, whose streams the database all refers
// to (cabinet, Binary row, tables), has no finding but the note.
func TestMSIUnreferencedStreamWarning(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	signed := signMSI(t, p, msiSpec{tree: msiInstallerTree})
	if res := verifyMSI(t, signed, trust); res.Status != signing.StatusValid || len(msiFindingsBeyondNote(res)) != 0 {
		t.Fatalf("as signed: status %s findings %+v, want valid", res.Status, res.Findings)
	}
	res := verifyMSI(t, msiSplitCabTail(t, signed, []string{"z"}), trust)
	got := msiFindingsBeyondNote(res)
	if res.Status != signing.StatusValid || len(got) != 1 || got[0].Rule != RuleMSIUnsignedMetadata || got[0].Severity != signing.SeverityWarning ||
		!strings.Contains(got[0].Message, "does not refer to") {
		t.Fatalf("status %s findings %+v, want valid with one %s warning", res.Status, res.Findings, RuleMSIUnsignedMetadata)
	}
}

func hasSeverity(res *Result, rule signing.Rule, sev signing.Severity) bool {
	for _, f := range res.Findings {
		if f.Rule == rule && f.Severity == sev {
			return true
		}
	}
	return false
}

// TestAttackMSISplitStreamNamesInStorage splits the cabinet's tail off
// into a storage that opens as no database: 200 one-byte streams with
// payload names, then the storage's class identifier (the last 16 bytes),
// which the digest reads after them. Every stream of such a storage is
// unreferenced. A nested database stored in a storage, signed so, has no
// finding but the note: its own streams are referenced.
func TestAttackMSISplitStreamNamesInStorage(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	signed := signMSI(t, p, msiSpec{tree: msiInstallerTree})
	root := msiInstallerTree(&cfb.Node{Name: msiSignatureStream, Data: msiSigStream(t, signed)})
	cabName := msi.EncodeName("app.cab", false)
	for _, n := range root.Children {
		if n.Name != cabName {
			continue
		}
		cab := n.Data
		n.Data = cab[:len(cab)-216]
		tail := cab[len(cab)-216:]
		st := &cfb.Node{Name: cabName + "s", CLSID: [16]byte(tail[200:])}
		for i := range 200 {
			st.Children = append(st.Children, &cfb.Node{Name: fmt.Sprintf("%03d", i) + strings.Repeat("y", 26), Data: tail[i : i+1]})
		}
		root.Children = append(root.Children, st)
	}
	res := verifyMSI(t, cfb.Build(root), trust)
	if res.Status != signing.StatusInvalid || hasRule(res, RuleMSIDigestMismatch) || !hasSeverity(res, RuleMSIUnsignedMetadata, signing.SeverityError) {
		t.Fatalf("status %s findings %+v, want invalid with %s errors and no digest mismatch", res.Status, res.Findings, RuleMSIUnsignedMetadata)
	}
	nested := func(extra ...*cfb.Node) *cfb.Node {
		inner := msiInstallerTree()
		inner.Name, inner.Storage = "inner", true
		return msiInstallerTree(append(extra, inner)...)
	}
	if res := verifyMSI(t, signMSI(t, p, msiSpec{tree: nested}), trust); res.Status != signing.StatusValid || len(msiFindingsBeyondNote(res)) != 0 {
		t.Fatalf("nested database: status %s findings %+v, want valid", res.Status, res.Findings)
	}
}
