package codesign

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackUniversalNestedSameTeamOtherCode: CodeResources seals nested
// code by the cdhash of one architecture and by a requirement (identifier,
// Apple anchor, team), which macOS checks every architecture against. The
// team check ties the other slices to the sealed one's team, not to its
// identifier, so any other code the vendor ever signed (another tool, an
// old vulnerable build of something else) grafted in as the second slice
// passed. A slice with the sealed identifier still passes, as on macOS.
func TestAttackUniversalNestedSameTeamOtherCode(t *testing.T) {
	p := machofile.NewPKI()
	signed := func(cpu uint32, seed uint64, id string) ([]byte, string) {
		return signArch(t, cpu, seed, p.DeveloperIDSpec(id))
	}
	arm, armHash := signed(machofile.CPUARM64, 71, "libhelper")
	sealed, _ := hex.DecodeString(armHash)
	req := `identifier "libhelper" and anchor apple generic and certificate leaf[subject.OU] = ` + machofile.TeamID
	root := p.Root.Cert
	opts := Options{Trust: testTrust(t), Time: checkTime, appleRoot: func(c *x509.Certificate) bool { return bytes.Equal(c.Raw, root.Raw) }}
	cases := []struct {
		name string
		x86  []byte
		bad  bool
	}{
		{"same-code-other-arch", func() []byte { b, _ := signed(machofile.CPUX86_64, 72, "libhelper"); return b }(), false},
		{"other-vendor-code", func() []byte { b, _ := signed(machofile.CPUX86_64, 73, "com.example.updater"); return b }(), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lib := machofile.Fat([]machofile.Arch{{Data: arm}, {Data: c.x86}}, false)
			res, err := VerifyBundle(adhocNestedApp(t, p, lib, sealed, req), "Example.app", opts)
			if err != nil {
				t.Fatal(err)
			}
			modified := false
			for _, f := range res.Findings {
				modified = modified || f.Rule == RuleResourceModified
			}
			if modified != c.bad {
				t.Errorf("resource-modified %t, want %t\n%s", modified, c.bad, dumpBundle(res))
			}
			if valid := res.Status() == signing.StatusValid; valid == c.bad {
				t.Errorf("status %s", res.Status())
			}
		})
	}
}

// TestAttackUniversalSliceOtherProgram: macOS compares only the teams of
// a universal file's architectures, so another program of the vendor's
// team grafted in as one architecture of its tool verifies on macOS and
// here. The slices' identifiers then differ, which is reported (a
// warning: slices signed apart before lipo carry their file names).
func TestAttackUniversalSliceOtherProgram(t *testing.T) {
	p := machofile.NewPKI()
	sign := func(cpu uint32, seed uint64, id string) []byte {
		b, _ := signArch(t, cpu, seed, p.DeveloperIDSpec(id))
		return b
	}
	arm := sign(machofile.CPUARM64, 81, "tool")
	for _, c := range []struct {
		id   string
		warn bool
	}{{"tool", false}, {"com.example.updater", true}} {
		t.Run(c.id, func(t *testing.T) {
			fat := machofile.Fat([]machofile.Arch{{Data: arm}, {Data: sign(machofile.CPUX86_64, 82, c.id)}}, false)
			res, err := Verify(bytes.NewReader(fat), int64(len(fat)), Options{Trust: testTrust(t), Time: checkTime})
			if err != nil {
				t.Fatal(err)
			}
			warned := false
			for _, f := range res.Findings {
				if f.Rule == RuleSliceIdentifierMismatch {
					warned = f.Severity == signing.SeverityWarning && f.Signature == 1
				}
			}
			if warned != c.warn {
				t.Errorf("warned %t, want %t\n%s", warned, c.warn, dump(res))
			}
		})
	}
}
