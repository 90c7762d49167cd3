package authenticode

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/signing"
)

// Attacks on the APPX verifier: data in the signature's own zip records,
// which no APPX digest covers.

// withSignatureExtra returns the package b with x appended to the extra
// field of AppxSignature.p7x's central directory record (cd) or local
// header (not cd); the signature's record is the last before the
// directory, whose offset moves with the local header.
func withSignatureExtra(t *testing.T, b []byte, cd bool, x []byte) []byte {
	t.Helper()
	z, err := readAPPXZip(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	sig := z.byName[appxSignatureName]
	le := binary.LittleEndian
	rec := sig.local
	if cd {
		rec = sig.cdOff
	}
	nameAt, extraAt := int64(26), int64(30)
	if cd {
		nameAt, extraAt = 28, 46
	}
	n, k := int64(le.Uint16(b[rec+nameAt:])), int64(le.Uint16(b[rec+nameAt+2:]))
	pos := rec + extraAt + n + k
	out := append(bytes.Clone(b[:pos]), append(bytes.Clone(x), b[pos:]...)...)
	le.PutUint16(out[rec+nameAt+2:], uint16(k+int64(len(x))))
	eocd := int64(len(out)) - 22
	if cd {
		le.PutUint32(out[eocd+12:], le.Uint32(out[eocd+12:])+uint32(len(x)))
	} else {
		le.PutUint32(out[eocd+16:], le.Uint32(out[eocd+16:])+uint32(len(x)))
	}
	return out
}

// zip64Field returns a ZIP64 extended information field of the values.
func zip64Field(vals ...uint64) []byte {
	f := binary.LittleEndian.AppendUint16(nil, 1)
	f = binary.LittleEndian.AppendUint16(f, uint16(8*len(vals)))
	for _, v := range vals {
		f = binary.LittleEndian.AppendUint64(f, v)
	}
	return f
}

// TestAttackAPPXSignatureRecordFields hides data in the fields of
// AppxSignature.p7x's local header and central directory record, which
// the APPX digests leave out: a foreign extra field of up to 32 bytes in
// each (only longer ones were reported), a ZIP64 field of made-up values,
// and the CRC-32s and sizes, which nothing compared with the data. All
// passed as valid with no finding (osslsigncode accepts them too), some
// 100 bytes no digest covers.
func TestAttackAPPXSignatureRecordFields(t *testing.T) {
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	good := buildAPPX(t, p, fixtures.APPXSpec{StoreSignature: true})
	z, err := readAPPXZip(bytes.NewReader(good), int64(len(good)))
	if err != nil {
		t.Fatal(err)
	}
	sig := z.byName[appxSignatureName]
	foreign := append([]byte{0xfe, 0xca, 24, 0}, bytes.Repeat([]byte("hidden!!"), 3)...)
	poke := func(at int64, v string) []byte {
		b := bytes.Clone(good)
		copy(b[at:], v)
		return b
	}
	for name, b := range map[string][]byte{
		"cd-foreign-extra":  withSignatureExtra(t, good, true, foreign),
		"lfh-foreign-extra": withSignatureExtra(t, good, false, foreign),
		"cd-zip64-made-up":  withSignatureExtra(t, good, true, zip64Field(0x6e6564646968, 0x2121)),
		"lfh-zip64-made-up": withSignatureExtra(t, good, false, zip64Field(sig.uncomp, 0x6e6564646968)),
		"cd-crc":            poke(sig.cdOff+16, "PAYL"),
		"lfh-crc":           poke(sig.local+14, "PAYL"),
		"lfh-sizes":         poke(sig.local+18, "PAYLOAD!"),
	} {
		res := verifyAPPX(t, b, trust)
		if res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIXUnsignedData) {
			t.Errorf("%s: status %s findings %+v, want invalid with %s", name, res.Status, res.Findings, RuleMSIXUnsignedData)
		}
	}
	// ZIP64 fields holding the entry's own sizes and offset, as makeappx
	// writes them, are no data.
	for name, b := range map[string][]byte{
		"as built":  good,
		"cd-zip64":  withSignatureExtra(t, good, true, zip64Field(sig.uncomp, sig.comp, uint64(sig.local))),
		"lfh-zip64": withSignatureExtra(t, good, false, zip64Field(sig.uncomp, sig.comp)),
	} {
		if res := verifyAPPX(t, b, trust); res.Status != signing.StatusValid || len(res.Findings) != 0 {
			t.Errorf("%s: status %s findings %+v, want valid", name, res.Status, res.Findings)
		}
	}
}
