package codesign

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"testing"
	"testing/fstest"

	"github.com/shipgate/shipgate/internal/machofile"
)

// FuzzVerify runs the whole Mach-O signature path on arbitrary input: it
// must never panic, must return a Result with one signature per slice or an
// error, and must feed FileHash every byte whenever it read the file.
func FuzzVerify(f *testing.F) {
	for _, fx := range machofile.Fixtures() {
		f.Add(fx.Data)
	}
	f.Add([]byte{0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0x34, 0, 0})
	f.Add([]byte{0xca, 0xfe, 0xba, 0xbf, 0, 0, 0, 1})
	// Hostile shapes: fat entries repeating or overlapping one slice, a
	// CodeDirectory with thousands of special slots, thousands of load
	// commands, blobs overlapping or pointing into the SuperBlob index.
	p := machofile.NewPKI()
	devid, lay, err := machofile.Sign(machofile.Build(machofile.Spec{CodeSize: 2000}), p.DeveloperIDSpec("x"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(fatOver(devid, 8, true))
	f.Add(fatOver(devid, 8, false))
	f.Add(manySpecialSlots(f, 1000))
	f.Add(manyLoadCommands(4096))
	overlap := bytes.Clone(devid)
	ent, _ := lay.Blob(machofile.SlotEntitlements)
	setIndex(overlap, lay, machofile.SlotDEREntitlements, uint32(ent.Off-lay.SigOff))
	f.Add(overlap)
	intoIndex := bytes.Clone(devid)
	setIndex(intoIndex, lay, machofile.SlotRequirements, 12)
	f.Add(intoIndex)
	trust := testTrust(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		h := sha256.New()
		r, err := Verify(bytes.NewReader(b), int64(len(b)), Options{Trust: trust, Time: checkTime, FileHash: h})
		var fe *FormatError
		switch {
		case errors.Is(err, ErrNotMachO):
			return
		case err != nil && !errors.As(err, &fe):
			t.Fatalf("unexpected error on in-memory input: %v", err)
		}
		if r == nil || len(r.Signatures) == 0 {
			t.Fatalf("no result (err %v)", err)
		}
		if err == nil && len(r.Signatures) != len(r.Slices) {
			t.Fatalf("%d signatures for %d slices", len(r.Signatures), len(r.Slices))
		}
		sum := sha256.Sum256(b)
		if !bytes.Equal(h.Sum(nil), sum[:]) {
			t.Fatalf("FileHash did not see the whole file")
		}
		for _, s := range r.Signatures {
			if s.Status.String() != "valid" && len(s.Checks) == 0 && len(r.Findings) == 0 {
				t.Fatalf("status %s without a check or finding", s.Status)
			}
		}
	})
}

// FuzzBundleSeal runs bundle verification with an arbitrary CodeResources.
func FuzzBundleSeal(f *testing.F) {
	files := machofile.ExampleBundle(machofile.NewPKI())
	seal := files["Example.app/Contents/_CodeSignature/CodeResources"].Data
	f.Add(seal)
	f.Add([]byte("bplist00"))
	f.Add([]byte(`<plist><dict><key>rules2</key><dict><key>(</key><true/></dict></dict></plist>`))
	base := bundleFS(files)
	// A file beside the seal that nothing seals, so the fuzzer also walks
	// _CodeSignature with a broken seal.
	base["Example.app/Contents/_CodeSignature/CodeSignature"] = &fstest.MapFile{Data: []byte("stage2")}
	f.Fuzz(func(t *testing.T, b []byte) {
		m := fstest.MapFS{}
		for k, v := range base {
			m[k] = v
		}
		m["Example.app/Contents/_CodeSignature/CodeResources"] = &fstest.MapFile{Data: b}
		if _, err := VerifyBundle(m, "Example.app", Options{}); err != nil {
			t.Fatalf("VerifyBundle: %v", err)
		}
	})
}
