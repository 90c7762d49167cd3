package codesign

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackKernelRefusedCodeDirectory: XNU's cs_validate_csblob refuses
// (EBADEXEC) a signature with a CodeDirectory whose page shift is neither
// 12 nor the kernel's own (14 on arm64, 12 on Intel), page size 0 included,
// and one with two CodeDirectories of one hash type. Such slices passed as
// valid although macOS will not run them; they are now codesign/malformed
// and invalid. 4 KiB pages everywhere and 16 KiB pages on arm64 stay valid.
func TestAttackKernelRefusedCodeDirectory(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	for _, tc := range []struct {
		name    string
		cpu     uint32
		pageLog int
		hashes  []uint8
		want    signing.Status
	}{
		{"x86_64 4k", machofile.CPUX86_64, 12, nil, signing.StatusValid},
		{"arm64 4k", machofile.CPUARM64, 12, nil, signing.StatusValid},
		{"arm64 16k", machofile.CPUARM64, 14, nil, signing.StatusValid},
		{"sha1 and sha256", machofile.CPUARM64, 14, []uint8{machofile.HashSHA1, machofile.HashSHA256}, signing.StatusValid},
		{"x86_64 16k", machofile.CPUX86_64, 14, nil, signing.StatusInvalid},
		{"arm64 8k", machofile.CPUARM64, 13, nil, signing.StatusInvalid},
		{"arm64 64k", machofile.CPUARM64, 16, nil, signing.StatusInvalid},
		{"arm64 single hash", machofile.CPUARM64, -1, nil, signing.StatusInvalid},
		{"two sha256 directories", machofile.CPUARM64, 14, []uint8{machofile.HashSHA256, machofile.HashSHA256}, signing.StatusInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := machofile.Signer{Leaf: p.Leaf, Chain: []*testpki.Cert{p.CA}, SigningTime: machofile.SignTime, TSA: p.TSA, TimestampAt: machofile.SignTime}
			spec := p.DeveloperIDSpec("com.example.app")
			spec.CMS, spec.PageLog, spec.HashTypes = s.CMS, tc.pageLog, tc.hashes
			b, _, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: tc.cpu, Seed: 83, CodeSize: 40000}), spec)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{Trust: testTrust(t), Time: checkTime})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Signatures[0].Status; got != tc.want {
				t.Fatalf("status %s, want %s\n%s", got, tc.want, dump(res))
			}
			if tc.want == signing.StatusInvalid {
				found := false
				for _, f := range res.Findings {
					found = found || (f.Rule == RuleMalformed && strings.Contains(f.Message, "kernel"))
				}
				if !found {
					t.Errorf("no codesign/malformed finding naming the kernel\n%s", dump(res))
				}
			}
		})
	}
}
