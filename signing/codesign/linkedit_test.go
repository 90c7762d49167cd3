package codesign

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// withSegment returns the Mach-O m (as machofile.Build makes it: __TEXT,
// __LINKEDIT, LC_SYMTAB) with a segment named name inserted after
// __TEXT, mapping [off, off+size) of the file.
func withSegment(m []byte, name string, off, size uint64) []byte {
	le := binary.LittleEndian
	ncmds, sz := le.Uint32(m[16:]), le.Uint32(m[20:])
	seg := make([]byte, 72)
	le.PutUint32(seg[0:], 0x19) // LC_SEGMENT_64
	le.PutUint32(seg[4:], 72)
	copy(seg[8:], name)
	le.PutUint64(seg[24:], 0x200000000)
	le.PutUint64(seg[32:], 0x4000)
	le.PutUint64(seg[40:], off)
	le.PutUint64(seg[48:], size)
	const textCmd = 32 + 72 + 80 // the header, then __TEXT with one section
	rest := append([]byte(nil), m[textCmd:32+sz]...)
	copy(m[textCmd:], seg)
	copy(m[textCmd+72:], rest)
	le.PutUint32(m[16:], ncmds+1)
	le.PutUint32(m[20:], sz+72)
	return m
}

// TestAttackSecondLinkedit: the layout checks that keep data out of the
// file after the signature exempted every segment named __LINKEDIT, not
// only the one holding the signature. A second __LINKEDIT mapping bytes
// after the signature made them part of the image, so a megabyte that no
// hash covers, free to change after signing, passed as valid. The same
// segment under another name was always caught.
func TestAttackSecondLinkedit(t *testing.T) {
	p := machofile.NewPKI()
	for _, name := range []string{"__LINKEDIT", "__PAYLOAD"} {
		t.Run(name, func(t *testing.T) {
			m := withSegment(machofile.Build(machofile.Spec{Seed: 5}), name, 0x100000, 0x1000)
			b, _, err := machofile.Sign(m, p.DeveloperIDSpec("tool"))
			if err != nil {
				t.Fatal(err)
			}
			b = append(b, make([]byte, 0x101000-len(b))...)
			copy(b[0x100000:], "stage two, unsigned")
			res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{Trust: testTrust(t), Time: checkTime})
			if err != nil {
				t.Fatal(err)
			}
			if st := res.Status(); st != signing.StatusInvalid {
				t.Errorf("status %s, want invalid\n%s", st, dump(res))
			}
		})
	}
}
