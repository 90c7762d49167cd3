package authenticode

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackMSIUnhashedStorageMetadata writes 20 bytes into a storage's
// state bits and times and 12 into the root's state bits and modification
// time, which the digest of an MSI without MsiDigitalSignatureEx does not
// cover: each is reported (msi/unhashed-metadata, naming the storage and
// offset), an error once they add up; zero and real FILETIMEs are not.
func TestAttackMSIUnhashedStorageMetadata(t *testing.T) {
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	signed := signMSI(t, p, msiSpec{})
	if res := verifyMSI(t, signed, trust); res.Status != signing.StatusValid || hasRule(res, RuleMSIUnhashedMetadata) {
		t.Fatalf("clean: status %s findings %+v", res.Status, res.Findings)
	}
	storage := msiEntry(t, signed, "sub").Offset
	root := openMSI(t, signed).Root().Offset
	real := fileTime(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))
	b := bytes.Clone(signed)
	binary.LittleEndian.PutUint64(b[storage+100:], real)
	binary.LittleEndian.PutUint64(b[storage+108:], real+1234567)
	binary.LittleEndian.PutUint64(b[root+108:], real)
	if res := verifyMSI(t, b, trust); res.Status != signing.StatusValid || hasRule(res, RuleMSIUnhashedMetadata) {
		t.Errorf("real times: status %s findings %+v, want valid without %s", res.Status, res.Findings, RuleMSIUnhashedMetadata)
	}
	for name, at := range map[string]int64{
		"storage-state": storage + 96, "storage-ctime": storage + 100, "storage-mtime": storage + 108,
		"root-state": root + 96, "root-mtime": root + 108,
	} {
		b := bytes.Clone(signed)
		copy(b[at:at+4], "DATA")
		res := verifyMSI(t, b, trust)
		if res.Status != signing.StatusValid || !hasRule(res, RuleMSIUnhashedMetadata) {
			t.Errorf("%s: status %s findings %+v, want valid with %s", name, res.Status, res.Findings, RuleMSIUnhashedMetadata)
			continue
		}
		for _, f := range res.Findings {
			if f.Rule == RuleMSIUnhashedMetadata && (f.Offset == nil || *f.Offset != at) {
				t.Errorf("%s: finding %+v, want at %d", name, f, at)
			}
		}
	}
	// All 32 bytes together are a payload.
	b = bytes.Clone(signed)
	copy(b[storage+96:storage+116], "PAYLOAD-PAYLOAD-PAYL")
	copy(b[root+96:root+100], "ROOT")
	copy(b[root+108:root+116], "ROOTTIME")
	if res := verifyMSI(t, b, trust); len(res.Findings) == 0 || !hasRule(res, RuleMSIUnhashedMetadata) {
		t.Errorf("all: findings %+v, want %s", res.Findings, RuleMSIUnhashedMetadata)
	}
}

// TestAttackMSIExMetadataCoversStorages tampers with what
// MsiDigitalSignatureEx covers, a storage's class identifier, state bits
// and times and the root's class identifier and state bits: each breaks
// the signature. The root's modification time, which it does not cover,
// is reported when it holds what no writer puts there.
func TestAttackMSIExMetadataCoversStorages(t *testing.T) {
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	signed := signMSI(t, p, msiSpec{ex: true})
	if res := verifyMSI(t, signed, trust); res.Status != signing.StatusValid {
		t.Fatalf("clean: status %s findings %+v", res.Status, res.Findings)
	}
	storage := msiEntry(t, signed, "sub").Offset
	root := openMSI(t, signed).Root().Offset
	for name, at := range map[string]int64{
		"storage-clsid": storage + 84, "storage-state": storage + 96, "storage-ctime": storage + 100,
		"storage-mtime": storage + 108, "root-clsid": root + 84, "root-state": root + 96,
	} {
		b := bytes.Clone(signed)
		b[at] ^= 0x5a
		if res := verifyMSI(t, b, trust); res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIMetadataDigestMismatch) {
			t.Errorf("%s: status %s findings %+v, want invalid with %s", name, res.Status, res.Findings, RuleMSIMetadataDigestMismatch)
		}
	}
	b := bytes.Clone(signed)
	copy(b[root+108:root+116], "ROOTTIME")
	if res := verifyMSI(t, b, trust); res.Status != signing.StatusValid || !hasRule(res, RuleMSIUnhashedMetadata) {
		t.Errorf("root-mtime: status %s findings %+v, want valid with %s", res.Status, res.Findings, RuleMSIUnhashedMetadata)
	}
	b = bytes.Clone(signed)
	binary.LittleEndian.PutUint64(b[root+108:], fileTime(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)))
	if res := verifyMSI(t, b, trust); res.Status != signing.StatusValid || len(msiFindingsBeyondNote(res)) != 0 {
		t.Errorf("root-mtime real: status %s findings %+v, want valid", res.Status, res.Findings)
	}
}
