package machofile

import (
	"bytes"
	"encoding/binary"
	"testing"
)

func TestSignReplacesSignature(t *testing.T) {
	m := Build(Spec{})
	a, la, err := Sign(m, SignSpec{Flags: FlagAdhoc})
	if err != nil {
		t.Fatal(err)
	}
	b, lb, err := Sign(a, SignSpec{Flags: FlagAdhoc, Identifier: "other", HashTypes: []uint8{HashSHA256, HashSHA1}})
	if err != nil {
		t.Fatal(err)
	}
	if la.SigOff != lb.SigOff || len(b) != lb.SigOff+lb.SigSize || len(lb.CDs) != 2 {
		t.Fatalf("re-signing moved the signature: %+v %+v", la, lb)
	}
	if !bytes.Equal(a[0x400:la.SigOff], b[0x400:lb.SigOff]) {
		t.Fatal("re-signing changed the code")
	}
}

func TestSignNoRoom(t *testing.T) {
	m := Build(Spec{})
	binary.LittleEndian.PutUint32(m[20:], uint32(0x400-32-8)) // load commands fill the header
	if _, _, err := Sign(m, SignSpec{}); err == nil {
		t.Fatal("signed a file with no room for LC_CODE_SIGNATURE")
	}
}

func TestFatHeaders(t *testing.T) {
	m := Build(Spec{})
	for _, is64 := range []bool{false, true} {
		f := Fat([]Arch{{Data: m, Align: 12}, {CPU: CPUX86_64, Data: m, Align: 12}}, is64)
		magic := binary.BigEndian.Uint32(f)
		if (is64 && magic != 0xcafebabf) || (!is64 && magic != 0xcafebabe) || binary.BigEndian.Uint32(f[4:]) != 2 {
			t.Fatalf("header %x", f[:8])
		}
		if !bytes.Equal(f[4096:4096+len(m)], m) {
			t.Fatal("first slice not at 4096")
		}
	}
}
