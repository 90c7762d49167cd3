package authenticode

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/signing"
)

// Attacks on the cabinet verifier: the header bytes the digest skips, the
// bytes around the signature, and the cabinet's size.

// TestCABDataReserveSizeInvalid sets cbCFData in a signed cabinet. The
// digest skips that byte, yet it moves where every CFDATA block's data
// starts: the same covered bytes extract to different files. The signature
// is invalid.
func TestCABDataReserveSizeInvalid(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	b := signCAB(t, p, nil)
	b[39] = 4
	res := verifyCAB(t, b, scriptTrust(t, p))
	if res.Status != signing.StatusInvalid || !hasRule(res, RuleCABUnhashedHeaderData) || hasRule(res, RuleCABDigestMismatch) {
		t.Fatalf("status %s findings %+v, want invalid with %s", res.Status, res.Findings, RuleCABUnhashedHeaderData)
	}
}

// TestCABUnhashedHeaderFieldsReported writes into the header bytes the
// digest skips and that a signer leaves zero: reserved1, iCabinet of a
// cabinet in no set, the reserve's marker and its last skipped bytes. They
// are reported; a few bytes cannot carry a payload, so the status stays.
func TestCABUnhashedHeaderFieldsReported(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	for name, at := range map[string]int{"reserved1": 4, "iCabinet": 34, "reserve-marker": 40, "reserve-tail": 52} {
		b := signCAB(t, p, nil)
		b[at] ^= 0x5a
		res := verifyCAB(t, b, scriptTrust(t, p))
		if res.Status != signing.StatusValid || !hasRule(res, RuleCABUnhashedHeaderData) {
			t.Errorf("%s: status %s findings %+v, want valid with %s", name, res.Status, res.Findings, RuleCABUnhashedHeaderData)
		}
	}
}

// TestCABFolderReserveSizeMalformed sets cbCFFolder: a signed cabinet's
// folder entries carry no reserve.
func TestCABFolderReserveSizeMalformed(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	b := signCAB(t, p, nil)
	b[38] = 8
	_, err := VerifyCAB(bytes.NewReader(b), int64(len(b)), Options{Trust: scriptTrust(t, p), Time: fixtures.Now})
	if err == nil {
		res := verifyCAB(t, b, scriptTrust(t, p))
		if res.Status == signing.StatusValid {
			t.Fatalf("status %s findings %+v, want not valid", res.Status, res.Findings)
		}
	}
}

// TestCABSecondSignatureReported appends a second PKCS#7 after the first:
// the locator names one signature, the second is data after it.
func TestCABSecondSignatureReported(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	signed := signCAB(t, p, nil)
	sig := signed[len(cabBytes(true, 0)):]
	b := append(bytes.Clone(signed), sig...)
	res := verifyCAB(t, b, scriptTrust(t, p))
	if res.Status != signing.StatusInvalid || !hasRule(res, RuleCABDataAfterSignature) {
		t.Fatalf("status %s findings %+v, want invalid with %s", res.Status, res.Findings, RuleCABDataAfterSignature)
	}
}

// TestCABSizeAndLocatorTricks moves bytes around the signature: data
// between the last CFDATA and the signature (moving the locator), a
// cbCabinet smaller or larger than the cabinet, a locator pointing into the
// cabinet, a signature shorter than its locator says (the rest zero).
func TestCABSizeAndLocatorTricks(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	signed := signCAB(t, p, nil)
	cabLen := len(cabBytes(true, 0))
	le := binary.LittleEndian
	gap := bytes.Join([][]byte{signed[:cabLen], []byte("PAYLOAD!PAYLOAD!"), signed[cabLen:]}, nil)
	le.PutUint32(gap[44:], uint32(cabLen+16))
	smaller := bytes.Clone(signed)
	le.PutUint32(smaller[8:], uint32(cabLen-16))
	larger := bytes.Clone(signed)
	le.PutUint32(larger[8:], uint32(len(signed)+1))
	inside := bytes.Clone(signed)
	le.PutUint32(inside[44:], uint32(cabLen-8))
	short := bytes.Clone(signed)
	le.PutUint32(short[48:], le.Uint32(short[48:])+64)
	short = append(short, make([]byte, 64)...)
	for name, b := range map[string][]byte{"gap": gap, "smaller": smaller, "larger": larger, "inside": inside, "padded": short} {
		res, err := VerifyCAB(bytes.NewReader(b), int64(len(b)), Options{Trust: trust, Time: fixtures.Now})
		if err == nil && res.Status == signing.StatusValid {
			t.Errorf("%s: status %s findings %+v, want not valid", name, res.Status, res.Findings)
		}
	}
}

// TestAttackUnsignedCABReserved1: an unsigned cabinet's digest (the one a
// catalog lists it by) skips reserved1 as a signed one's does, but only a
// signed cabinet's header was checked, so four bytes of the attacker's
// choosing rode in a catalog-vouched cabinet with no finding. They are
// reported as in a signed cabinet; the digest stays the clean one's.
func TestAttackUnsignedCABReserved1(t *testing.T) {
	for _, reserve := range []bool{false, true} {
		clean := cabBytes(reserve, 0)
		want := verifyCAB(t, clean, nil)
		if want.Status != signing.StatusUnsigned || len(want.Findings) != 0 {
			t.Fatalf("reserve %t: clean cabinet %s %+v", reserve, want.Status, want.Findings)
		}
		b := bytes.Clone(clean)
		binary.LittleEndian.PutUint32(b[4:], 0xc0a80001)
		res := verifyCAB(t, b, nil)
		if res.Authentihash["sha256"] != want.Authentihash["sha256"] {
			t.Fatalf("reserve %t: reserved1 changed the unsigned digest", reserve)
		}
		if res.Status != signing.StatusUnsigned || len(res.Findings) != 1 || res.Findings[0].Rule != RuleCABUnhashedHeaderData || res.Findings[0].Severity != signing.SeverityWarning {
			t.Errorf("reserve %t: %s %+v, want unsigned with one %s warning", reserve, res.Status, res.Findings, RuleCABUnhashedHeaderData)
		}
	}
}
