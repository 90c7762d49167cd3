package authenticode

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/signing"
)

// Attacks on the MSI verifier: directory entries and tables whose bytes no
// digest covers, streams the digest does not see, and broken structures.

// msiFindingsBeyondNote returns the findings other than the note every MSI
// without MsiDigitalSignatureEx gets.
func msiFindingsBeyondNote(res *Result) []signing.Finding {
	var out []signing.Finding
	for _, f := range res.Findings {
		if f.Rule == RuleMSIUnsignedMetadata && f.Severity == signing.SeverityNote {
			continue
		}
		out = append(out, f)
	}
	return out
}

// msiSigStream returns the DigitalSignature stream of a signed MSI.
func msiSigStream(t *testing.T, b []byte) []byte {
	t.Helper()
	f := openMSI(t, b)
	for _, e := range f.Children(f.Root()) {
		if e.Name == msiSignatureStream {
			sig, err := f.ReadAll(e, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			return sig
		}
	}
	t.Fatal("no DigitalSignature stream")
	return nil
}

func openMSI(t *testing.T, b []byte) *cfb.File {
	t.Helper()
	f, err := cfb.Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// msiEntry returns the directory entry named name.
func msiEntry(t *testing.T, b []byte, name string) *cfb.Entry {
	t.Helper()
	for _, e := range openMSI(t, b).Entries {
		if e.Name == name && e.Type != cfb.TypeUnused {
			return e
		}
	}
	t.Fatalf("no entry %q", name)
	return nil
}

// TestMSIEmptyStreamsReported adds empty streams with payload names to a
// signed MSI without MsiDigitalSignatureEx: its digest hashes the streams'
// contents only, so they leave it unchanged. They are reported, an error
// once their names could carry a payload. With MsiDigitalSignatureEx the
// metadata digest sees them.
func TestMSIEmptyStreamsReported(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	sig := &cfb.Node{Name: msiSignatureStream, Data: msiSigStream(t, signMSI(t, p, msiSpec{}))}
	var many []*cfb.Node
	for i := range 8 {
		many = append(many, &cfb.Node{Name: fmt.Sprintf("payload%d-%s", i, strings.Repeat("A", 20))})
	}
	res := verifyMSI(t, cfb.Build(msiTree(append(many, sig)...)), trust)
	if res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIUnsignedMetadata) || hasRule(res, RuleMSIDigestMismatch) {
		t.Fatalf("many: status %s findings %+v, want invalid with %s", res.Status, res.Findings, RuleMSIUnsignedMetadata)
	}
	res = verifyMSI(t, cfb.Build(msiTree(&cfb.Node{Name: "tag"}, sig)), trust)
	if res.Status != signing.StatusValid || len(msiFindingsBeyondNote(res)) != 1 || !hasRule(res, RuleMSIUnsignedMetadata) {
		t.Fatalf("one: status %s findings %+v, want valid with a %s warning", res.Status, res.Findings, RuleMSIUnsignedMetadata)
	}
	// With MsiDigitalSignatureEx.
	dse := signMSI(t, p, msiSpec{ex: true})
	f := openMSI(t, dse)
	var ex []byte
	for _, e := range f.Children(f.Root()) {
		if e.Name == msiSignatureExStream {
			ex, _ = f.ReadAll(e, 1024)
		}
	}
	b := cfb.Build(msiTree(&cfb.Node{Name: "tag"}, &cfb.Node{Name: msiSignatureExStream, Data: ex}, &cfb.Node{Name: msiSignatureStream, Data: msiSigStream(t, dse)}))
	if res := verifyMSI(t, b, trust); res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIMetadataDigestMismatch) {
		t.Fatalf("dse: status %s findings %+v, want invalid with %s", res.Status, res.Findings, RuleMSIMetadataDigestMismatch)
	}
}

// TestMSIStreamBoundaryShiftNoted moves a byte from one stream to its
// neighbour in name order. Without MsiDigitalSignatureEx the digest, which
// joins the contents, does not change, as on Windows: the signature stays
// valid and the note says the names and sizes are unsigned. With
// MsiDigitalSignatureEx the sizes are covered and the signature breaks.
func TestMSIStreamBoundaryShiftNoted(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	shift := func(b []byte, extra ...*cfb.Node) []byte {
		// msiTree's \x05SummaryInformation (400 bytes) and the string pool
		// stream follow each other in name order.
		root := msiTree(extra...)
		var sum, pool *cfb.Node
		for _, c := range root.Children {
			switch {
			case c.Name == "\x05SummaryInformation":
				sum = c
			case strings.HasPrefix(c.Name, "\u4840\u3b3f"):
				pool = c
			}
		}
		if msiRawLess(sum.Name, pool.Name) {
			pool.Data = append([]byte{sum.Data[len(sum.Data)-1]}, pool.Data...)
			sum.Data = sum.Data[:len(sum.Data)-1]
		} else {
			sum.Data = append([]byte{pool.Data[len(pool.Data)-1]}, sum.Data...)
			pool.Data = pool.Data[:len(pool.Data)-1]
		}
		return cfb.Build(root)
	}
	plain := signMSI(t, p, msiSpec{})
	res := verifyMSI(t, shift(plain, &cfb.Node{Name: msiSignatureStream, Data: msiSigStream(t, plain)}), trust)
	if res.Status != signing.StatusValid || !hasRule(res, RuleMSIUnsignedMetadata) {
		t.Fatalf("plain: status %s findings %+v, want valid with the %s note", res.Status, res.Findings, RuleMSIUnsignedMetadata)
	}
	dse := signMSI(t, p, msiSpec{ex: true})
	f := openMSI(t, dse)
	var ex []byte
	for _, e := range f.Children(f.Root()) {
		if e.Name == msiSignatureExStream {
			ex, _ = f.ReadAll(e, 1024)
		}
	}
	res = verifyMSI(t, shift(dse, &cfb.Node{Name: msiSignatureExStream, Data: ex}, &cfb.Node{Name: msiSignatureStream, Data: msiSigStream(t, dse)}), trust)
	if res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIMetadataDigestMismatch) {
		t.Fatalf("dse: status %s findings %+v, want invalid with %s", res.Status, res.Findings, RuleMSIMetadataDigestMismatch)
	}
}

// msiRawLess orders two names as msiSorted does.
func msiRawLess(a, b string) bool {
	x, y := &cfb.Entry{RawName: utf16Of(a)}, &cfb.Entry{RawName: utf16Of(b)}
	for k := 0; k < len(x.RawName) && k < len(y.RawName); k++ {
		if x.RawName[k]&0xff != y.RawName[k]&0xff {
			return x.RawName[k]&0xff < y.RawName[k]&0xff
		}
		if x.RawName[k]>>8 != y.RawName[k]>>8 {
			return x.RawName[k]>>8 < y.RawName[k]>>8
		}
	}
	return len(x.RawName) < len(y.RawName)
}

func utf16Of(s string) []uint16 {
	var out []uint16
	for _, r := range s {
		out = append(out, uint16(r))
	}
	return out
}

// TestMSIDirectoryFieldsReported writes into directory entry fields that
// [MS-CFB] requires to be zero and that no digest covers: a stream's class
// identifier, state bits and times, its child pointer, a storage's start
// and size, the root's creation time, siblings and name, the high half of a
// version 3 size, the color. Each is reported; written into every stream's
// class identifier they add up to a payload and the signature is invalid.
func TestMSIDirectoryFieldsReported(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	for _, ex := range []bool{false, true} {
		signed := signMSI(t, p, msiSpec{ex: ex})
		stream := msiEntry(t, signed, "payload.cab").Offset
		storage := msiEntry(t, signed, "sub").Offset
		root := openMSI(t, signed).Root().Offset
		for name, at := range map[string]int64{
			"stream-clsid": stream + 80, "stream-state": stream + 96, "stream-time": stream + 108,
			"stream-child": stream + 76, "storage-start": storage + 116, "storage-size": storage + 120,
			"root-ctime": root + 100, "root-left": root + 68, "root-name": root + 2,
			"size-high": stream + 124, "color": stream + 67,
		} {
			b := bytes.Clone(signed)
			b[at] ^= 0x42
			res, err := VerifyMSI(bytes.NewReader(b), int64(len(b)), Options{Trust: trust, Time: fixtures.Now})
			if err != nil {
				t.Errorf("ex %v %s: %v", ex, name, err)
				continue
			}
			if !hasRule(res, RuleMSIUnownedData) && res.Status == signing.StatusValid {
				t.Errorf("ex %v %s: status %s findings %+v, want %s", ex, name, res.Status, res.Findings, RuleMSIUnownedData)
			}
		}
		// Every stream's class identifier.
		b := bytes.Clone(signed)
		for _, e := range openMSI(t, b).Entries {
			if e.Type == cfb.TypeStream {
				copy(b[e.Offset+80:e.Offset+96], "PAYLOAD-PAYLOAD!")
			}
		}
		res := verifyMSI(t, b, trust)
		if res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIUnownedData) {
			t.Errorf("ex %v all-clsids: status %s findings %+v, want invalid with %s", ex, res.Status, res.Findings, RuleMSIUnownedData)
		}
	}
}

// TestMSIUnownedSmallRegionsAddUp spreads a payload in 8-byte pieces over
// free sectors after the last one, each piece too small to count alone:
// together they are a payload and the signature is invalid.
func TestMSIUnownedSmallRegionsAddUp(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	b := signMSI(t, p, msiSpec{})
	tail := make([]byte, 1024)
	for k := 0; k < len(tail); k += 64 {
		copy(tail[k:], "PAYLOAD!")
	}
	res := verifyMSI(t, append(b, tail...), scriptTrust(t, p))
	if res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIUnownedData) {
		t.Fatalf("status %s findings %+v, want invalid with %s", res.Status, res.Findings, RuleMSIUnownedData)
	}
	for _, f := range res.Findings {
		if f.Rule == RuleMSIUnownedData && f.Severity != signing.SeverityError {
			t.Errorf("finding %+v is not an error", f)
		}
	}
}

// TestMSIFreeSectorFATEntryReported appends a zero sector and writes a
// sector number into its FAT entry, which must be FREESECT.
func TestMSIFreeSectorFATEntryReported(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	b := signMSI(t, p, msiSpec{})
	nsect := (len(b) - 512) / 512
	b = append(b, make([]byte, 512)...)
	fat0 := 512 + 512*int(binary.LittleEndian.Uint32(b[76:]))
	binary.LittleEndian.PutUint32(b[fat0+4*nsect:], 0x41414141)
	res := verifyMSI(t, b, scriptTrust(t, p))
	if !hasRule(res, RuleMSIUnownedData) {
		t.Fatalf("status %s findings %+v, want %s", res.Status, res.Findings, RuleMSIUnownedData)
	}
}

// TestMSIBrokenStructureRefused checks structures that would let two
// readers see different bytes: two entries whose names differ in case, a
// sector in two chains, a chain longer than its stream, a DIFAT count that
// differs from the chain, a big stream's size cut under the mini stream
// cutoff. Each is a format error or an invalid signature, never valid.
func TestMSIBrokenStructureRefused(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	signed := signMSI(t, p, msiSpec{})
	le := binary.LittleEndian
	cases := map[string][]byte{}
	sig := &cfb.Node{Name: msiSignatureStream, Data: msiSigStream(t, signed)}
	cases["case-duplicate"] = cfb.Build(msiTree(&cfb.Node{Name: "PAYLOAD.CAB", Data: []byte("other")}, sig))
	shared := bytes.Clone(signed)
	inner, big := msiEntry(t, signed, "inner"), msiEntry(t, signed, "payload.cab")
	copy(shared[inner.Offset+116:inner.Offset+120], le.AppendUint32(nil, msiEntry(t, signed, "\u4840\u3f3f\u4577\u446c\u3b6a\u45e4\u4824").Start))
	cases["shared-mini-sector"] = shared
	longer := bytes.Clone(signed)
	le.PutUint32(longer[big.Offset+120:], uint32(big.Size-512))
	cases["chain-longer-than-size"] = longer
	difat := bytes.Clone(signed)
	le.PutUint32(difat[72:], 1)
	cases["difat-count"] = difat
	cut := bytes.Clone(signed)
	le.PutUint32(cut[big.Offset+120:], 4095)
	cases["under-cutoff"] = cut
	clsid := bytes.Clone(signed)
	clsid[msiEntry(t, signed, "sub").Offset+81] ^= 1
	cases["storage-clsid"] = clsid
	for name, b := range cases {
		res, err := VerifyMSI(bytes.NewReader(b), int64(len(b)), Options{Trust: trust, Time: fixtures.Now})
		var fe *FormatError
		switch {
		case err != nil && !errors.As(err, &fe):
			t.Errorf("%s: %v, want a FormatError", name, err)
		case err == nil && res.Status == signing.StatusValid:
			t.Errorf("%s: status %s findings %+v, want a format error or not valid", name, res.Status, res.Findings)
		}
	}
}

// TestMSIHeaderFieldsReported writes into header bytes no digest covers:
// the class identifier, the reserved bytes, the transaction signature, the
// minor version.
func TestMSIHeaderFieldsReported(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	for name, at := range map[string]int{"clsid": 8, "reserved": 34, "transaction": 52, "minor-version": 24} {
		b := signMSI(t, p, msiSpec{})
		b[at] ^= 0x42
		if res := verifyMSI(t, b, scriptTrust(t, p)); !hasRule(res, RuleMSIUnownedData) {
			t.Errorf("%s: status %s findings %+v, want %s", name, res.Status, res.Findings, RuleMSIUnownedData)
		}
	}
}

// TestAttackMSITableSlackSpecialValues spells data in the FAT and mini
// FAT entries of sectors the file does not have, and of a free sector,
// with special values (ENDOFCHAIN, FATSECT, DIFSECT, 0xFFFFFFFB): only a
// sector number there was reported, so two bits an entry, in every entry
// of as many FAT sectors as the header lists, passed as valid with no
// finding. Such entries must be FREESECT; osslsigncode leaves one
// ENDOFCHAIN after its mini FAT's last sector, which stays valid.
func TestAttackMSITableSlackSpecialValues(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	signed := signMSI(t, p, msiSpec{ex: true})
	le := binary.LittleEndian
	nsect := (len(signed) - 512) / 512
	fat0 := 512 + 512*int(le.Uint32(signed[76:]))
	mini0 := 512 + 512*int(le.Uint32(signed[60:]))
	miniSects := int(openMSI(t, signed).Root().Size+63) / 64
	spell := func(b []byte, at, from int) {
		for i := from; i < 128; i++ {
			le.PutUint32(b[at+4*i:], 0xfffffffb+uint32(i*7%4)) // 0xfffffffb to 0xfffffffe
		}
	}
	fat := bytes.Clone(signed)
	spell(fat, fat0, nsect)
	mini := bytes.Clone(signed)
	spell(mini, mini0, miniSects)
	for name, b := range map[string][]byte{"fat": fat, "mini-fat": mini} {
		res := verifyMSI(t, b, trust)
		if res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIUnownedData) {
			t.Errorf("%s: status %s findings %+v, want invalid with %s", name, res.Status, res.Findings, RuleMSIUnownedData)
		}
	}
	// A free sector's FAT entry holding a special value is reported too.
	free := append(bytes.Clone(signed), make([]byte, 512)...)
	le.PutUint32(free[fat0+4*nsect:], 0xfffffffc)
	if res := verifyMSI(t, free, trust); !hasRule(res, RuleMSIUnownedData) {
		t.Errorf("free sector: status %s findings %+v, want %s", res.Status, res.Findings, RuleMSIUnownedData)
	}
	// FREESECT, and one ENDOFCHAIN first, as osslsigncode writes.
	end := bytes.Clone(signed)
	le.PutUint32(end[mini0+4*miniSects:], 0xfffffffe)
	for name, b := range map[string][]byte{"as built": signed, "osslsigncode's ENDOFCHAIN": end} {
		if res := verifyMSI(t, b, trust); res.Status != signing.StatusValid || len(msiFindingsBeyondNote(res)) != 0 {
			t.Errorf("%s: status %s findings %+v, want valid", name, res.Status, res.Findings)
		}
	}
}

// TestAttackMSIEmptyStorages adds storages that hold no stream to a signed
// MSI without MsiDigitalSignatureEx: the digest joins the streams'
// contents and each storage's class identifier, with no name or framing,
// so a storage whose class identifier is the last 16 bytes taken off the
// stream before it leaves the digest as it was. Nested, with payload
// names, they passed as valid with the note alone, as empty streams did
// before they were reported; they are reported alike, an error once their
// names could carry a payload.
func TestAttackMSIEmptyStorages(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	sig := &cfb.Node{Name: msiSignatureStream, Data: msiSigStream(t, signMSI(t, p, msiSpec{}))}
	// payload.cab's last 32 bytes become the class identifiers of two
	// storages that sort right after it, one inside the other: in the
	// digest an inner storage's identifier comes before its parent's.
	tree := func(names ...string) []byte {
		root := msiTree(sig)
		for _, n := range root.Children {
			if n.Name != "payload.cab" {
				continue
			}
			cab := n.Data
			n.Data = cab[:len(cab)-32]
			inner := &cfb.Node{Name: names[1], Storage: true, CLSID: [16]byte(cab[len(cab)-32:])}
			outer := &cfb.Node{Name: names[0], Children: []*cfb.Node{inner}, CLSID: [16]byte(cab[len(cab)-16:])}
			root.Children = append(root.Children, outer)
		}
		return cfb.Build(root)
	}
	res := verifyMSI(t, tree("payload.cab-exfiltrate-to-host", "c2.example.net:443/beacon?id=7"), trust)
	if res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIUnsignedMetadata) || hasRule(res, RuleMSIDigestMismatch) {
		t.Errorf("payload names: status %s findings %+v, want invalid with %s and no digest mismatch", res.Status, res.Findings, RuleMSIUnsignedMetadata)
	}
	// Short names are a warning, as for empty streams.
	res = verifyMSI(t, tree("q", "r"), trust)
	if res.Status != signing.StatusValid || !hasRule(res, RuleMSIUnsignedMetadata) || len(msiFindingsBeyondNote(res)) != 2 {
		t.Errorf("short names: status %s findings %+v, want valid with two %s warnings", res.Status, res.Findings, RuleMSIUnsignedMetadata)
	}
	// A storage holding a stream is no empty storage.
	if res := verifyMSI(t, signMSI(t, p, msiSpec{}), trust); res.Status != signing.StatusValid || len(msiFindingsBeyondNote(res)) != 0 {
		t.Errorf("as signed: status %s findings %+v, want valid", res.Status, res.Findings)
	}
}
