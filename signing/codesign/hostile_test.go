package codesign

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

func TestNotMachO(t *testing.T) {
	t.Parallel()
	for name, b := range map[string][]byte{
		"empty":      nil,
		"text":       []byte("hello, world"),
		"java class": {0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x34, 0x00, 0x10},
		"pe":         append([]byte("MZ"), make([]byte, 64)...),
	} {
		if _, err := Verify(bytes.NewReader(b), int64(len(b)), Options{}); !errors.Is(err, ErrNotMachO) {
			t.Errorf("%s: err %v, want ErrNotMachO", name, err)
		}
	}
}

func TestFormatErrors(t *testing.T) {
	t.Parallel()
	thin := machofile.Build(machofile.Spec{})
	be := binary.BigEndian
	fatOOB := machofile.Fat([]machofile.Arch{{Data: thin, Align: 12}}, false)
	be.PutUint32(fatOOB[8+12:], uint32(len(fatOOB))) // size past EOF
	fat64Zero := []byte{0xca, 0xfe, 0xba, 0xbf, 0, 0, 0, 0, 0, 0, 0, 0}
	hugeCmds := bytes.Clone(thin)
	binary.LittleEndian.PutUint32(hugeCmds[20:], 0xfffffff0)
	badCmd := bytes.Clone(thin)
	binary.LittleEndian.PutUint32(badCmd[32+4:], 3) // first command size 3
	for name, c := range map[string]struct {
		b   []byte
		off int64
	}{
		"truncated header":     {thin[:20], 0},
		"fat slice past EOF":   {fatOOB, 8},
		"fat64 no arches":      {fat64Zero, 4},
		"sizeofcmds past file": {hugeCmds, 20},
		"bad command size":     {badCmd, 32},
	} {
		r, err := Verify(bytes.NewReader(c.b), int64(len(c.b)), Options{})
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("%s: err %v, want *FormatError", name, err)
			continue
		}
		if fe.Offset != c.off {
			t.Errorf("%s: offset %d, want %d (%v)", name, fe.Offset, c.off, fe)
		}
		if r == nil || r.Status() != signing.StatusMalformed || rulesOf(r)[0] != string(RuleMalformed) {
			t.Errorf("%s: result %+v", name, r)
		}
	}
}

// TestMalformedSignatures corrupts one structure at a time: each is a
// finding on a Result, never a lost file or a panic.
func TestMalformedSignatures(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	signed, lay, err := machofile.Sign(machofile.Build(machofile.Spec{}), p.DeveloperIDSpec("com.example.tool"))
	if err != nil {
		t.Fatal(err)
	}
	adhoc, _, err := machofile.Sign(machofile.Build(machofile.Spec{}), machofile.SignSpec{Flags: machofile.FlagAdhoc})
	if err != nil {
		t.Fatal(err)
	}
	cd0, _ := lay.Blob(machofile.SlotCodeDirectory)
	be := binary.BigEndian
	edit := func(b []byte, f func(b []byte)) []byte { b = bytes.Clone(b); f(b); return b }
	cases := []struct {
		name   string
		b      []byte
		status signing.Status
		rule   signing.Rule
		msg    string
	}{
		{"superblob magic", edit(signed, func(b []byte) { b[lay.SigOff] = 0 }), signing.StatusMalformed, RuleMalformed, "magic"},
		{"superblob count", edit(signed, func(b []byte) { be.PutUint32(b[lay.SigOff+8:], 1<<30) }), signing.StatusMalformed, RuleMalformed, "blobs"},
		{"blob offset", edit(signed, func(b []byte) { be.PutUint32(b[lay.SigOff+16:], 1<<30) }), signing.StatusMalformed, RuleMalformed, "outside the SuperBlob"},
		{"code slots count", edit(signed, func(b []byte) { be.PutUint32(b[cd0.Off+28:], 1<<30) }), signing.StatusMalformed, RuleMalformed, "do not fit"},
		{"hash type", edit(signed, func(b []byte) { b[cd0.Off+37] = 9 }), signing.StatusMalformed, RuleMalformed, "hash type"},
		{"code limit short", edit(adhoc, func(b []byte) {
			be.PutUint32(b[lay.SigOff+20+32:], uint32(lay.SigOff-4096))
		}), signing.StatusInvalid, RuleMalformed, "short of the code signature"},
		{"signature past slice", edit(signed, func(b []byte) {
			binary.LittleEndian.PutUint32(b[32+152+72+24+12:], 1<<24)
		}), signing.StatusMalformed, RuleMalformed, "past the end"},
		{"appended payload", append(bytes.Clone(signed), []byte("encrypted payload")...), signing.StatusInvalid, RuleDataOutsideSlices, "after the end of the Mach-O image"},
		{"bytes after superblob", edit(signed, func(b []byte) { b[len(b)-1] = 0x41 }), signing.StatusInvalid, RuleUnownedSignatureData, "follow the SuperBlob"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := verifyBytes(t, c.b, Options{Trust: testTrust(t), Time: checkTime})
			if r.Signatures[0].Status != c.status {
				t.Errorf("status %s, want %s\n%s", r.Signatures[0].Status, c.status, dump(r))
			}
			found := false
			for _, f := range r.Findings {
				if f.Rule == c.rule && strings.Contains(f.Message, c.msg) && f.Offset != nil {
					found = true
				}
			}
			if !found {
				t.Errorf("no %s finding mentioning %q with an offset\n%s", c.rule, c.msg, dump(r))
			}
		})
	}
}

// TestUniversalOneBadSlice keeps checking the good slice when the other's
// Mach-O header is garbage, and reports overlapping slices.
func TestUniversalOneBadSlice(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	good, _, _ := machofile.Sign(machofile.Build(machofile.Spec{CPU: machofile.CPUARM64}), p.DeveloperIDSpec("x"))
	bad := bytes.Repeat([]byte{0xcf, 0xfa, 0xed, 0xfe, 0xff}, 100)
	fat := machofile.Fat([]machofile.Arch{{CPU: machofile.CPUX86_64, Data: bad, Align: 12}, {Data: good, Align: 12}}, true)
	r := verifyBytes(t, fat, Options{Trust: testTrust(t), Time: checkTime})
	if got := strings.Join(statusesOf(r), ","); got != "malformed,valid" {
		t.Fatalf("statuses %s\n%s", got, dump(r))
	}

	over := machofile.Fat([]machofile.Arch{{Data: good, Align: 12}, {CPU: machofile.CPUX86_64, Data: good, Align: 12}}, false)
	binary.BigEndian.PutUint32(over[8+20+8:], binary.BigEndian.Uint32(over[8+8:])+16) // second slice starts inside the first
	r = verifyBytes(t, over, Options{})
	found := false
	for _, f := range r.Findings {
		found = found || (f.Rule == RuleMalformed && strings.Contains(f.Message, "overlaps"))
	}
	if !found {
		t.Fatalf("overlap not reported\n%s", dump(r))
	}
}
