package codesign

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// signEditedCDs signs a Developer ID Mach-O with a SHA-256 primary and a
// SHA-1 alternate CodeDirectory, each changed by edit before the CMS signs
// them: what a signer (or an attacker holding any Developer ID) can write.
func signEditedCDs(t *testing.T, seed uint64, edit func(cd []byte)) []byte {
	t.Helper()
	p := machofile.NewPKI()
	spec := p.DeveloperIDSpec("com.example.app")
	spec.HashTypes = []uint8{machofile.HashSHA256, machofile.HashSHA1}
	sign := spec.CMS
	spec.CMS = func(cds []machofile.CD) ([]byte, error) {
		for i := range cds {
			edit(cds[i].Blob)
			h := cds[i].Hash().New()
			h.Write(cds[i].Blob)
			cds[i].Digest = h.Sum(nil)
		}
		return sign(cds)
	}
	b, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: seed}), spec)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAttackUnsupportedCodeDirectory: a CodeDirectory with a scatter
// vector hashes the ranges the vector names, not the pages of
// [0, codeLimit) in order, and one of a version past 0x2F000 has a layout
// macOS refuses to guess. shipgate reads neither, so page hashes that
// match in order must not make such a signature valid: it is
// unsupported, an error. The control changes a spare byte and stays valid.
func TestAttackUnsupportedCodeDirectory(t *testing.T) {
	cases := []struct {
		name string
		edit func(cd []byte)
		want signing.Status
	}{
		{"control-spare", func(cd []byte) { cd[40] = 0 }, signing.StatusValid},
		{"scatter", func(cd []byte) { binary.BigEndian.PutUint32(cd[44:], 52) }, signing.StatusMalformed},
		{"version-3", func(cd []byte) { binary.BigEndian.PutUint32(cd[8:], 0x30000) }, signing.StatusMalformed},
		{"version-limit", func(cd []byte) { binary.BigEndian.PutUint32(cd[8:], cdCompatibilityLimit) }, signing.StatusValid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := signEditedCDs(t, 3, c.edit)
			res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{Trust: testTrust(t), Time: checkTime})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Signatures[0].Status; got != c.want {
				t.Errorf("status %s, want %s\n%s", got, c.want, dump(res))
			}
			n := 0
			for _, f := range res.Findings {
				if f.Rule == RuleUnsupportedCodeDirectory {
					n++
				}
			}
			if want := map[bool]int{true: 0, false: 2}[c.want == signing.StatusValid]; n != want {
				t.Errorf("%d %s findings, want %d (one per CodeDirectory)\n%s", n, RuleUnsupportedCodeDirectory, want, dump(res))
			}
		})
	}
}

// TestAttackAdhocFlagWithCMS: macOS treats a CodeDirectory flagged CS_ADHOC
// as ad hoc and never decodes the CMS beside it, so a Developer ID CMS
// there (signing the ad-hoc directory) must not make the slice valid with
// that identity: macOS sees code nobody vouches for.
func TestAttackAdhocFlagWithCMS(t *testing.T) {
	b := signEditedCDs(t, 5, func(cd []byte) {
		binary.BigEndian.PutUint32(cd[12:], binary.BigEndian.Uint32(cd[12:])|flagAdhoc)
	})
	res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{Trust: testTrust(t), Time: checkTime})
	if err != nil {
		t.Fatal(err)
	}
	sig := res.Signatures[0]
	if sig.Status != signing.StatusInvalid || sig.Signer != nil || !res.Slices[0].Adhoc {
		t.Errorf("status %s, signer %v, ad hoc %t; want invalid, no signer, ad hoc\n%s", sig.Status, sig.Signer, res.Slices[0].Adhoc, dump(res))
	}
	rules := map[signing.Rule]bool{}
	for _, f := range res.Findings {
		rules[f.Rule] = true
	}
	if !rules[RuleSignatureInvalid] || !rules[RuleAdhoc] {
		t.Errorf("rules %v, want %s and %s", rules, RuleSignatureInvalid, RuleAdhoc)
	}
}

// TestAttackAlternateExecSegFlags: macOS takes a signature's facts from
// the CodeDirectory with the strongest hash, the report from the primary.
// The executable segment's flags (CS_EXECSEG_ALLOW_UNSIGNED 0x10 lets a
// process run unsigned pages) were not compared across directories, so a
// SHA-256 alternate asking for more than the SHA-1 primary showed passed.
func TestAttackAlternateExecSegFlags(t *testing.T) {
	p := machofile.NewPKI()
	for _, c := range []struct {
		name  string
		flags uint64 // the alternate's; the primary's are 1 (main binary)
		valid bool
	}{{"same", 1, true}, {"allow-unsigned", 0x11, false}} {
		t.Run(c.name, func(t *testing.T) {
			spec := p.DeveloperIDSpec("com.example.app")
			spec.HashTypes = []uint8{machofile.HashSHA1, machofile.HashSHA256}
			sign := spec.CMS
			spec.CMS = func(cds []machofile.CD) ([]byte, error) {
				binary.BigEndian.PutUint64(cds[1].Blob[80:], c.flags)
				h := cds[1].Hash().New()
				h.Write(cds[1].Blob)
				cds[1].Digest = h.Sum(nil)
				return sign(cds)
			}
			b, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 7}), spec)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{Trust: testTrust(t), Time: checkTime})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Status() == signing.StatusValid; got != c.valid {
				t.Errorf("valid %t, want %t\n%s", got, c.valid, dump(res))
			}
		})
	}
}
