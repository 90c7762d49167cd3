package verify

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/shipgate/shipgate/internal/apfs"
	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/codesign"
	"github.com/shipgate/shipgate/signing/dmg"
)

// dmgFixture returns an image built by dmgfile around an APFS container
// holding a README, signed by spec unless spec.CMS is nil and its
// identifier empty.
func dmgFixture(t *testing.T, spec *machofile.SignSpec, trailer []byte) []byte {
	t.Helper()
	vol, err := apfs.Build(apfs.BuildSpec{Files: map[string]apfs.BuildFile{"README": {Data: []byte("read me\n")}}, Name: "Example"})
	if err != nil {
		t.Fatal(err)
	}
	img, lay := dmgfile.Build(dmgfile.Spec{APFS: vol})
	if spec == nil {
		return img
	}
	out, _, err := dmgfile.Sign(img, lay, *spec, trailer)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDMG(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	good := dmgfile.SignSpec(f.apple, "com.example.dmg")
	valid := dmgFixture(t, &good, nil)
	pinTeam := &Policy{Rules: []Rule{{Match: []string{"**"}, Require: RequireValid, Signers: []Signer{{TeamID: machofile.TeamID}}}}}

	t.Run("valid", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"Example-1.4.0.dmg": valid})
		r := run(t, Options{Policy: pinTeam}, dir)
		if !r.Summary.Passed {
			t.Errorf("findings %v", r.Findings)
		}
		m := fileByPath(r, "Example-1.4.0.dmg")
		if m == nil || m.Kind != KindDMG || len(m.Signatures) != 1 || m.Signatures[0].Status != signing.StatusValid {
			t.Fatalf("file %+v", m)
		}
		if sum := sha256.Sum256(valid); m.SHA256.String() != hex.EncodeToString(sum[:]) {
			t.Errorf("sha256 %s", m.SHA256)
		}
		if got := rulesFor(r, "Example-1.4.0.dmg"); len(got) > 0 {
			t.Errorf("findings %v", got)
		}
		if fileByPath(r, "Example-1.4.0.dmg/README") == nil {
			t.Error("the APFS volume's file was not listed")
		}
	})
	t.Run("detected by its trailer whatever its name", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"download.bin": valid})
		r := run(t, Options{Policy: pinTeam}, dir)
		if m := fileByPath(r, "download.bin"); m == nil || m.Kind != KindDMG {
			t.Errorf("file %+v", m)
		}
	})
	t.Run("tampered data byte", func(t *testing.T) {
		b := append([]byte(nil), valid...)
		b[600] ^= 1 // inside the first zlib chunk
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"Example.dmg": b})
		mustFail(t, Options{Policy: requireValid()}, "Example.dmg", codesign.RulePageHashMismatch, dir)
	})
	t.Run("unsigned under require valid", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"Example.dmg": dmgFixture(t, nil, nil)})
		mustFail(t, Options{Policy: requireValid()}, "Example.dmg", RuleUnsigned, dir)
	})
	t.Run("signed by another team", func(t *testing.T) {
		other := f.apple.CA.Issue(testpki.Spec{
			CommonName: "Developer ID Application: Other Corp (OTHER98765)", Organization: "Other Corp", OrganizationalUnit: "OTHER98765",
			KeyN: 21, ExtraExtensions: machofile.DeveloperIDLeafExtensions(),
		})
		spec := dmgfile.SignSpec(f.apple, "com.example.dmg")
		spec.TeamID = "OTHER98765"
		s := f.apple.Signer()
		s.Leaf = other
		spec.CMS = s.CMS
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"Example.dmg": dmgFixture(t, &spec, nil)})
		mustFail(t, Options{Policy: pinTeam}, "Example.dmg", RuleSignerNotAllowed, dir)
	})
	t.Run("trailing bytes", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"Example.dmg": dmgFixture(t, &good, []byte("stage2"))})
		mustFail(t, Options{Policy: requireValid()}, "Example.dmg", dmg.RuleUnownedData, dir)
	})
	t.Run("named dmg without a trailer", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"Example.dmg": append(append([]byte(nil), valid...), "appended"...)})
		mustFail(t, Options{Policy: requireValid()}, "Example.dmg", ruleMalformed, dir)
	})
}

// TestDMGInZip: a .dmg inside a zip archive is held and verified as a disk
// image, its trailer being the last thing a stream shows.
func TestDMGInZip(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	good := dmgfile.SignSpec(f.apple, "com.example.dmg")
	b := dmgFixture(t, &good, []byte("stage2"))
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"release.zip": makeZip(t, []zipEntry{{name: "Example.dmg", data: b}})})
	r := mustFail(t, Options{Policy: requireValid()}, "release.zip/Example.dmg", dmg.RuleUnownedData, dir)
	if m := fileByPath(r, "release.zip/Example.dmg"); m == nil || m.Kind != KindDMG {
		t.Errorf("file %+v", m)
	}
}

// TestDMGTrailerOnPEStaysPE: a PE with a koly trailer appended, even named
// .dmg, is still verified as a PE, so its Authenticode is not skipped.
func TestDMGTrailerOnPEStaysPE(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	img := dmgFixture(t, nil, nil)
	pe := append(append([]byte(nil), f.peValid...), img[len(img)-512:]...)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.dmg": pe, "tool.exe": pe})
	r := run(t, Options{}, dir)
	for _, p := range []string{"setup.dmg", "tool.exe"} {
		if m := fileByPath(r, p); m == nil || m.Kind != KindPE {
			t.Errorf("%s: file %+v, want kind pe", p, m)
		}
	}
}
