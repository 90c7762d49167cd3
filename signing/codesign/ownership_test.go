package codesign

import (
	"encoding/binary"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// payloadBlob is a blob an attacker hides in a signature: a second-stage
// URL behind a plausible magic.
var payloadBlob = machofile.Blob(0xfade7171, []byte("https://attacker.example/stage2?key=0123456789abcdef"))

// TestSignatureOwnership builds signatures where some bytes of the
// LC_CODE_SIGNATURE area belong to nothing a hash covers, and checks that
// each is reported with its offset, and that the signature is not left
// valid when the bytes could carry a payload.
func TestSignatureOwnership(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	code := machofile.Build(machofile.Spec{})
	be := binary.BigEndian
	type edit func(b []byte, lay *machofile.Layout)
	cases := []struct {
		name string
		spec machofile.SignSpec
		edit edit
		// want is the slice's status; rule the finding that must appear
		// (empty: no ownership finding at all), sev its severity.
		want signing.Status
		rule signing.Rule
		sev  signing.Severity
	}{
		{name: "clean Developer ID", spec: p.DeveloperIDSpec("x"), want: signing.StatusValid},
		{name: "payload in an unknown slot", spec: withExtra(p.DeveloperIDSpec("x"), machofile.ExtraBlob{Slot: 0x20000, Data: payloadBlob}),
			want: signing.StatusInvalid, rule: RuleUnknownSlot, sev: signing.SeverityError},
		{name: "unknown slot bound by every CodeDirectory", spec: withExtra(p.DeveloperIDSpec("x"), machofile.ExtraBlob{Slot: 12, Data: payloadBlob, Bind: true}),
			want: signing.StatusValid, rule: RuleUnknownSlot, sev: signing.SeverityWarning},
		{name: "entitlements slot left zero", spec: func() machofile.SignSpec {
			s := p.DeveloperIDSpec("x")
			s.Entitlements = nil // slot 7 (DER) stays bound, so the CD has 7 special slots
			return withExtra(s, machofile.ExtraBlob{Slot: 5, Data: payloadBlob})
		}(), want: signing.StatusInvalid, rule: RuleUnboundBlob, sev: signing.SeverityError},
		{name: "blob past the special slots", spec: withExtra(machofile.SignSpec{Flags: machofile.FlagAdhoc}, machofile.ExtraBlob{Slot: 5, Data: payloadBlob}),
			want: signing.StatusInvalid, rule: RuleUnboundBlob, sev: signing.SeverityError},
		{name: "blob in the Info.plist slot", spec: withExtra(p.DeveloperIDSpec("x"), machofile.ExtraBlob{Slot: 1, Data: payloadBlob}),
			want: signing.StatusInvalid, rule: RuleUnboundBlob, sev: signing.SeverityError},
		{name: "blob in the application slot, unbound", spec: withExtra(p.DeveloperIDSpec("x"), machofile.ExtraBlob{Slot: 4, Data: payloadBlob}),
			want: signing.StatusInvalid, rule: RuleUnboundBlob, sev: signing.SeverityError},
		{name: "blob in the rep-specific slot, bound", spec: withExtra(p.DeveloperIDSpec("x"), machofile.ExtraBlob{Slot: 6, Data: payloadBlob, Bind: true}),
			want: signing.StatusValid},
		{name: "blob in the ticket slot", spec: withExtra(p.DeveloperIDSpec("x"), machofile.ExtraBlob{Slot: 0x10002, Data: payloadBlob}),
			want: signing.StatusInvalid, rule: RuleUnboundBlob, sev: signing.SeverityError},
		{name: "launch constraint bound", spec: withExtra(p.DeveloperIDSpec("x"), machofile.ExtraBlob{Slot: 8, Data: machofile.Blob(0xfade8181, []byte{0x30, 0}), Bind: true}),
			want: signing.StatusValid},
		{name: "duplicate requirements slot", spec: withExtra(p.DeveloperIDSpec("x"), machofile.ExtraBlob{Slot: 2, Data: payloadBlob}),
			want: signing.StatusInvalid, rule: RuleDuplicateSlot, sev: signing.SeverityError},
		{name: "payload after the SuperBlob", spec: withTrailer(p.DeveloperIDSpec("x"), []byte("stage2")),
			want: signing.StatusInvalid, rule: RuleUnownedSignatureData, sev: signing.SeverityError},
		{name: "long zero padding after the SuperBlob", spec: withTrailer(p.DeveloperIDSpec("x"), make([]byte, maxSignaturePad+16)),
			want: signing.StatusValid, rule: RuleUnownedSignatureData, sev: signing.SeverityWarning},
		{name: "zero hole inside the SuperBlob", spec: p.DeveloperIDSpec("x"), edit: func(b []byte, lay *machofile.Layout) {
			be.PutUint32(b[lay.SigOff+4:], be.Uint32(b[lay.SigOff+4:])+16)
		}, want: signing.StatusValid, rule: RuleUnownedSignatureData, sev: signing.SeverityWarning},
		{name: "payload hole inside the SuperBlob", spec: p.DeveloperIDSpec("x"), edit: func(b []byte, lay *machofile.Layout) {
			n := be.Uint32(b[lay.SigOff+4:])
			be.PutUint32(b[lay.SigOff+4:], n+16)
			copy(b[lay.SigOff+int(n):], "stage2")
		}, want: signing.StatusInvalid, rule: RuleUnownedSignatureData, sev: signing.SeverityError},
		{name: "blobs overlap", spec: p.DeveloperIDSpec("x"), edit: func(b []byte, lay *machofile.Layout) {
			// The DER entitlements entry points at the XML entitlements blob.
			ent, _ := lay.Blob(machofile.SlotEntitlements)
			setIndex(b, lay, machofile.SlotDEREntitlements, uint32(ent.Off-lay.SigOff))
		}, want: signing.StatusInvalid, rule: RuleBlobOverlap, sev: signing.SeverityError},
		{name: "entry points into the index", spec: p.DeveloperIDSpec("x"), edit: func(b []byte, lay *machofile.Layout) {
			setIndex(b, lay, machofile.SlotRequirements, 12)
		}, want: signing.StatusInvalid, rule: RuleBlobOverlap, sev: signing.SeverityError},
	}
	ownership := map[signing.Rule]bool{RuleUnknownSlot: true, RuleUnboundBlob: true, RuleDuplicateSlot: true, RuleUnownedSignatureData: true, RuleBlobOverlap: true}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, lay, err := machofile.Sign(code, c.spec)
			if err != nil {
				t.Fatal(err)
			}
			if c.edit != nil {
				c.edit(b, lay)
			}
			r := verifyBytes(t, b, Options{Trust: testTrust(t), Time: checkTime})
			if got := r.Signatures[0].Status; got != c.want && !(c.want == signing.StatusValid && got == signing.StatusAdhoc) {
				t.Errorf("status %s, want %s\n%s", got, c.want, dump(r))
			}
			found := false
			for _, f := range r.Findings {
				switch {
				case f.Rule == c.rule && f.Severity == c.sev && f.Offset != nil:
					found = true
					if *f.Offset < int64(lay.SigOff) || *f.Offset >= int64(lay.SigOff+lay.SigSize) {
						t.Errorf("offset %#x outside the signature [%#x, +%#x): %s", *f.Offset, lay.SigOff, lay.SigSize, f.Message)
					}
				case c.rule == "" && ownership[f.Rule]:
					t.Errorf("unexpected finding %s: %s", f.Rule, f.Message)
				}
			}
			if c.rule != "" && !found {
				t.Errorf("no %s %s finding with an offset\n%s", c.sev, c.rule, dump(r))
			}
		})
	}
}

func withExtra(s machofile.SignSpec, e ...machofile.ExtraBlob) machofile.SignSpec {
	s.ExtraBlobs = append(s.ExtraBlobs, e...)
	return s
}

func withTrailer(s machofile.SignSpec, b []byte) machofile.SignSpec {
	s.Trailer = b
	return s
}

// setIndex points the SuperBlob index entry of slot at off (from the
// SuperBlob start).
func setIndex(b []byte, lay *machofile.Layout, slot, off uint32) {
	be := binary.BigEndian
	n := be.Uint32(b[lay.SigOff+8:])
	for i := uint32(0); i < n; i++ {
		e := b[lay.SigOff+12+8*int(i):]
		if be.Uint32(e) == slot {
			be.PutUint32(e[4:], off)
			return
		}
	}
	panic("no such slot")
}

// TestFileLevelErrorsMakeResultInvalid checks that bytes of a universal
// file outside every slice leave the file's status invalid even though
// each slice's own signature verifies.
func TestFileLevelErrorsMakeResultInvalid(t *testing.T) {
	t.Parallel()
	trust := testTrust(t)
	for _, f := range machofile.Fixtures() {
		want := map[string]signing.Status{"universal.macho": signing.StatusValid, "universal-trailing.macho": signing.StatusInvalid}
		w, ok := want[f.Name]
		if !ok {
			continue
		}
		r := verifyBytes(t, f.Data, Options{Trust: trust, Time: checkTime})
		if r.Status() != w {
			t.Errorf("%s: status %s, want %s\n%s", f.Name, r.Status(), w, dump(r))
		}
	}
}
