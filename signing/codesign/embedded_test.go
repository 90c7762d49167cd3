package codesign

import (
	"bytes"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// embeddedFixture signs code as a disk image is signed: one hash over the
// code, outside bound in slot 6.
func embeddedFixture(t *testing.T, outside []byte) ([]byte, int) {
	t.Helper()
	p := machofile.NewPKI()
	code := bytes.Repeat([]byte("disk image bytes "), 300)
	spec := machofile.SignSpec{Identifier: "x", TeamID: machofile.TeamID, PageLog: -1, Requirements: machofile.EmptyRequirements, CMS: p.Signer().CMS,
		SpecialData: map[uint32][]byte{6: outside}}
	sig, _, err := machofile.SignData(code, spec)
	if err != nil {
		t.Fatal(err)
	}
	return append(append(code, sig...), outside...), len(code)
}

func embeddedRules(res *Result) []string {
	var out []string
	for _, f := range res.Findings {
		out = append(out, string(f.Rule))
	}
	return out
}

func TestVerifyEmbedded(t *testing.T) {
	t.Parallel()
	trailer := []byte("the trailer the signature binds in slot 6")
	b, off := embeddedFixture(t, trailer)
	sigLen := int64(len(b) - off - len(trailer))
	trust, err := signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{machofile.NewPKI().Root.PEM()}})
	if err != nil {
		t.Fatal(err)
	}
	verify := func(b []byte, e Embedded) *Result {
		t.Helper()
		res, err := VerifyEmbedded(bytes.NewReader(b), int64(len(b)), e, Options{Trust: trust, Time: checkTime})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	e := Embedded{Offset: int64(off), Size: sigLen, Outside: map[int][]byte{6: trailer}, Label: "image"}
	if res := verify(b, e); res.Status() != signing.StatusValid || len(res.Findings) != 0 {
		t.Errorf("valid: %s %v", res.Status(), embeddedRules(res))
	}
	t.Run("code byte", func(t *testing.T) {
		c := bytes.Clone(b)
		c[10] ^= 1
		if res := verify(c, e); res.Status() != signing.StatusInvalid || !slices.Contains(embeddedRules(res), string(RulePageHashMismatch)) {
			t.Errorf("%s %v", res.Status(), embeddedRules(res))
		}
	})
	t.Run("outside data", func(t *testing.T) {
		e2 := e
		e2.Outside = map[int][]byte{6: []byte("another trailer")}
		if res := verify(b, e2); res.Status() != signing.StatusInvalid || !slices.Contains(embeddedRules(res), string(RuleSpecialSlotMismatch)) {
			t.Errorf("%s %v", res.Status(), embeddedRules(res))
		}
	})
	t.Run("outside slot not bound", func(t *testing.T) {
		e2 := e
		e2.Outside = map[int][]byte{6: trailer, 9: []byte("x")}
		if res := verify(b, e2); res.Status() != signing.StatusInvalid || !slices.Contains(embeddedRules(res), string(RuleSpecialSlotMismatch)) {
			t.Errorf("%s %v", res.Status(), embeddedRules(res))
		}
	})
	t.Run("outside the file", func(t *testing.T) {
		e2 := e
		e2.Size = int64(len(b))
		if res := verify(b, e2); res.Status() != signing.StatusMalformed {
			t.Errorf("%s %v", res.Status(), embeddedRules(res))
		}
	})
	t.Run("code limit short of the signature", func(t *testing.T) {
		c := append(append(bytes.Clone(b[:off]), 'X'), b[off:]...)
		e2 := e
		e2.Offset++
		if res := verify(c, e2); res.Status() != signing.StatusInvalid || !slices.Contains(embeddedRules(res), string(RuleMalformed)) {
			t.Errorf("%s %v", res.Status(), embeddedRules(res))
		}
	})
}
