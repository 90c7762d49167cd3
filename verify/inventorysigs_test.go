package verify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"path/filepath"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/sbom"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
	"github.com/shipgate/shipgate/signing/codesign"
)

// TestInventorySignaturesDiff diffs, through the library as a pipeline
// would, a release whose unsigned app.exe and ad-hoc tool become signed
// ones: with InventorySignatures the new signers are reported
// (diff/signer-changed) and the new signatures are valid, as with the CLI's
// diff.
func TestInventorySignaturesDiff(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	old, nw := filepath.Join(dir, "old"), filepath.Join(dir, "new")
	writeTree(t, old, map[string][]byte{"app.exe": f.peUnsigned, "tool": f.machoAdhoc})
	writeTree(t, nw, map[string][]byte{"app.exe": f.peValid, "tool": f.machoValid})
	opts := sbom.DiffOptions{Inventory: sbom.Options{Signatures: InventorySignatures(
		authenticode.Options{Trust: f.trust, Time: checkTime},
		codesign.Options{Trust: f.trust, Time: checkTime},
	)}}
	r, err := sbom.DiffReleases(context.Background(), old, nw, opts)
	if err != nil {
		t.Fatal(err)
	}
	var changed []string
	for _, fd := range r.Findings {
		if fd.Rule == sbom.RuleSignerChanged {
			changed = append(changed, fd.Path)
		}
	}
	if !slices.Equal(changed, []string{"app.exe", "tool"}) {
		t.Errorf("diff/signer-changed at %q, want app.exe and tool; findings %+v", changed, r.Findings)
	}
	if r.Diff == nil || r.Diff.ReleaseDiff == nil {
		t.Fatalf("no diff section: %+v", r)
	}
	for _, b := range r.Diff.Binaries {
		if b.Change != report.ChangeChanged || b.New == nil || b.New.Signature == nil || b.New.Signature.Status != signing.StatusValid {
			t.Errorf("binary %s: %+v, want changed to a valid signature", b.Path, b)
		}
	}
	if len(r.Diff.Binaries) != 2 {
		t.Errorf("binaries %+v, want app.exe and tool", r.Diff.Binaries)
	}
}

// TestInventorySignaturesIgnoresFileHash: the reader is called for every
// binary of a release, from several goroutines, so a FileHash given in its
// options is not written (it would mix the bytes of many files).
func TestInventorySignaturesIgnoresFileHash(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	peHash, macHash := sha256.New(), sha256.New()
	read := InventorySignatures(authenticode.Options{Trust: f.trust, Time: checkTime, FileHash: peHash},
		codesign.Options{Trust: f.trust, Time: checkTime, FileHash: macHash})
	for _, c := range []struct {
		kind Kind
		b    []byte
	}{{KindPE, f.peValid}, {KindMachO, f.machoValid}} {
		sigs, err := read(bytes.NewReader(c.b), int64(len(c.b)), string(c.kind))
		if err != nil || len(sigs) != 1 || sigs[0].Status != signing.StatusValid {
			t.Errorf("%s: %+v, %v; want one valid signature", c.kind, sigs, err)
		}
	}
	empty := sha256.Sum256(nil)
	if !bytes.Equal(peHash.Sum(nil), empty[:]) || !bytes.Equal(macHash.Sum(nil), empty[:]) {
		t.Error("the options' FileHash was written")
	}
}
