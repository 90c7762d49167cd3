package authenticode

import (
	"bytes"
	"crypto"
	"encoding/binary"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
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
	t.Parallel()
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

// signedZip64RealEnd returns a package signed with ZIP64 end records
// whose plain end record gives the real counts, size and offset instead
// of the all-ones mark (writers may do either).
func signedZip64RealEnd(t *testing.T, p *fixtures.PKI) []byte {
	t.Helper()
	le := binary.LittleEndian
	realEnd := func(b []byte) []byte {
		out := fixtures.ToZip64(b)
		e, z64 := len(out)-22, len(out)-22-20-56
		le.PutUint16(out[e+8:], uint16(le.Uint64(out[z64+24:])))
		le.PutUint16(out[e+10:], uint16(le.Uint64(out[z64+32:])))
		le.PutUint32(out[e+12:], uint32(le.Uint64(out[z64+40:])))
		le.PutUint32(out[e+16:], uint32(le.Uint64(out[z64+48:])))
		return out
	}
	files := fixtures.DefaultAPPXFiles()
	bm, ct := fixtures.APPXBlockMap(files), []byte(fixtures.APPXContentTypes)
	unsigned, err := fixtures.APPXZip(files, bm, ct, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	cdOff := int(le.Uint32(unsigned[len(unsigned)-22+16:]))
	digest := fixtures.APPXDigest(realEnd(unsigned), cdOff, ct, bm, nil)
	blob, err := pefile.SignContent(pefile.SipIndirectData(0x01010000, fixtures.APPXSIPGUID, crypto.SHA256, digest),
		pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, SigningTime: fixtures.Now.AddDate(0, -1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := fixtures.APPXZip(files, bm, ct, append([]byte("PKCX"), blob...), true)
	if err != nil {
		t.Fatal(err)
	}
	return realEnd(signed)
}

// TestAttackAPPXEndRecordCounts writes data into the fields of the end
// records that the directory digest rewrites: the ZIP64 end record's
// count of entries on its disk (8 bytes), the plain end record's (2
// bytes), and, where a ZIP64 archive's plain end record gives real values
// rather than the all-ones mark, all four of its fields (12 bytes). Each
// passed as valid with no finding; they must be the archive's values.
func TestAttackAPPXEndRecordCounts(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	plain := buildAPPX(t, p, fixtures.APPXSpec{})
	zip64 := buildAPPX(t, p, fixtures.APPXSpec{Zip64: true})
	realEnd := signedZip64RealEnd(t, p)
	poke := func(b []byte, fromEnd int, v string) []byte {
		b = bytes.Clone(b)
		copy(b[len(b)-fromEnd:], v)
		return b
	}
	for name, b := range map[string][]byte{
		"plain-disk-entries":    poke(plain, 22-8, "PA"),
		"zip64-disk-entries":    poke(zip64, 22+20+56-24, "PAYLOAD!"),
		"zip64-real-end-fields": poke(realEnd, 22-8, "PAYLOADPAYLO"),
	} {
		res := verifyAPPX(t, b, trust)
		if res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIXUnsignedData) {
			t.Errorf("%s: status %s findings %+v, want invalid with %s", name, res.Status, res.Findings, RuleMSIXUnsignedData)
		}
	}
	for name, b := range map[string][]byte{"plain": plain, "zip64": zip64, "zip64-real-end": realEnd} {
		if res := verifyAPPX(t, b, trust); res.Status != signing.StatusValid || len(res.Findings) != 0 {
			t.Errorf("%s: status %s findings %+v, want valid", name, res.Status, res.Findings)
		}
	}
}

// withSignatureDeflatePrefix returns the package b, whose compressed
// AppxSignature.p7x has no data descriptor, with prefix put before the
// signature's deflate stream (deflate blocks that end on a byte).
func withSignatureDeflatePrefix(t *testing.T, b, prefix []byte) []byte {
	t.Helper()
	z, err := readAPPXZip(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	sig := z.byName[appxSignatureName]
	if sig.method != 8 || sig.flags&8 != 0 {
		t.Fatal("the signature is not deflated without a data descriptor")
	}
	le := binary.LittleEndian
	out := append(bytes.Clone(b[:sig.dataOff]), append(bytes.Clone(prefix), b[sig.dataOff:]...)...)
	n := uint32(len(prefix))
	le.PutUint32(out[sig.local+18:], le.Uint32(out[sig.local+18:])+n)
	cd := sig.cdOff + int64(n)
	le.PutUint32(out[cd+20:], le.Uint32(out[cd+20:])+n)
	eocd := len(out) - 22
	le.PutUint32(out[eocd+16:], le.Uint32(out[eocd+16:])+n)
	return out
}

// TestAttackAPPXSignatureDeflatePadding puts blocks that decode to nothing
// (or to a byte each) before the deflate stream of a compressed
// AppxSignature.p7x: the stream is no digest's, only what it decodes to is
// parsed, so 20 KB of empty stored blocks (their count, or stored blocks'
// lengths, spelling data) passed as valid with no finding. No deflate
// encoder writes more than 9 bits a byte (fixed Huffman codes alone);
// beyond that the encoding carries data.
func TestAttackAPPXSignatureDeflatePadding(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	good := buildAPPX(t, p, fixtures.APPXSpec{SignatureTail: []byte{}})
	empty := bytes.Repeat([]byte{0, 0, 0, 0xff, 0xff}, 4096) // non-final stored blocks of 0 bytes
	res := verifyAPPX(t, withSignatureDeflatePrefix(t, good, empty), trust)
	if res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIXUnsignedData) {
		t.Errorf("status %s findings %+v, want invalid with %s", res.Status, res.Findings, RuleMSIXUnsignedData)
	}
	// A few empty blocks, as encoders flush, stay within the bound.
	for name, b := range map[string][]byte{"as built": good, "flushed": withSignatureDeflatePrefix(t, good, empty[:10])} {
		if res := verifyAPPX(t, b, trust); res.Status != signing.StatusValid || len(res.Findings) != 0 {
			t.Errorf("%s: status %s findings %+v, want valid", name, res.Status, res.Findings)
		}
	}
}
