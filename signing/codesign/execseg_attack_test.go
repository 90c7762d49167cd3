package codesign

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackAlternateExecSegOlderPrimary: the kernel reads the executable
// segment's base, limit and flags from the CodeDirectory with the
// strongest hash when its version has them (0x20400), and takes them as
// zero when it does not. A SHA-1 primary of version 0x20300, which has no
// such fields, beside a SHA-256 alternate of version 0x20400 asking for
// CS_EXECSEG_ALLOW_UNSIGNED (0x10) was not compared, as only directories
// both of version 0x20400 were: the slice passed valid while the process
// macOS runs may map unsigned pages. The control gives the alternate the
// older version too and stays valid.
func TestAttackAlternateExecSegOlderPrimary(t *testing.T) {
	p := machofile.NewPKI()
	for _, c := range []struct {
		name    string
		altOld  bool // the alternate is of version 0x20300 too
		altFlag uint64
		valid   bool
	}{
		{"control-both-older", true, 0x11, true},
		{"alternate-allow-unsigned", false, 0x11, false},
		{"alternate-main-binary", false, 0x1, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			spec := p.DeveloperIDSpec("com.example.app")
			spec.HashTypes = []uint8{machofile.HashSHA1, machofile.HashSHA256}
			sign := spec.CMS
			spec.CMS = func(cds []machofile.CD) ([]byte, error) {
				old := func(cd []byte) {
					binary.BigEndian.PutUint32(cd[8:], 0x20300)
					clear(cd[64:88]) // no executable segment fields before 0x20400
				}
				old(cds[0].Blob)
				if c.altOld {
					old(cds[1].Blob)
				} else {
					binary.BigEndian.PutUint64(cds[1].Blob[80:], c.altFlag)
				}
				for i := range cds {
					h := cds[i].Hash().New()
					h.Write(cds[i].Blob)
					cds[i].Digest = h.Sum(nil)
				}
				return sign(cds)
			}
			b, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 7}), spec)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{Trust: testTrust(t), Time: checkTime})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Status() == signing.StatusValid; got != c.valid {
				t.Errorf("valid %t, want %t\n%s", got, c.valid, dump(res))
			}
		})
	}
}
