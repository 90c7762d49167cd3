package codesign

import (
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// TestTimestampMovesValidationTime: long after the leaf expired, a verified
// timestamp from when it was valid keeps the signature valid; without one
// the chain is checked now and is untrusted.
func TestTimestampMovesValidationTime(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	late := machofile.SignTime.AddDate(10, 0, 0)
	trust := testTrust(t)
	code := machofile.Build(machofile.Spec{})
	stamped, _, err := machofile.Sign(code, p.DeveloperIDSpec("com.example.tool"))
	if err != nil {
		t.Fatal(err)
	}
	spec := p.DeveloperIDSpec("com.example.tool")
	s := p.Signer()
	s.TSA = nil
	spec.CMS = s.CMS
	bare, _, err := machofile.Sign(code, spec)
	if err != nil {
		t.Fatal(err)
	}
	r := verifyBytes(t, stamped, Options{Trust: trust, Time: late})
	if r.Status() != signing.StatusValid || r.Signatures[0].Timestamp == nil || !r.Signatures[0].Timestamp.Verified {
		t.Errorf("timestamped, checked late: %s", dump(r))
	}
	r = verifyBytes(t, bare, Options{Trust: trust, Time: late})
	if r.Status() != signing.StatusUntrusted || r.Signatures[0].Timestamp != nil {
		t.Errorf("not timestamped, checked late: %s", dump(r))
	}
	// An untrusted TSA does not move the time.
	r = verifyBytes(t, stamped, Options{Trust: nil, Time: late})
	if r.Status() != signing.StatusUntrusted || r.Signatures[0].Timestamp.Verified {
		t.Errorf("untrusted TSA: %s", dump(r))
	}
}

// TestHashTypes signs with every CodeDirectory hash type and page size.
func TestHashTypes(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	trust := testTrust(t)
	for _, c := range []struct {
		name    string
		types   []uint8
		pageLog int
	}{
		{"sha1", []uint8{machofile.HashSHA1}, 12},
		{"sha1+sha256", []uint8{machofile.HashSHA1, machofile.HashSHA256}, 12},
		{"sha256-truncated", []uint8{machofile.HashSHA256Truncated}, 12},
		{"sha384+sha256", []uint8{machofile.HashSHA384, machofile.HashSHA256}, 14},
		{"single-hash", []uint8{machofile.HashSHA256}, -1},
		{"16k-pages", []uint8{machofile.HashSHA256, machofile.HashSHA1, machofile.HashSHA384}, 14},
	} {
		t.Run(c.name, func(t *testing.T) {
			spec := p.DeveloperIDSpec("com.example.hash")
			spec.HashTypes, spec.PageLog = c.types, c.pageLog
			b, _, err := machofile.Sign(machofile.Build(machofile.Spec{CodeSize: 40000}), spec)
			if err != nil {
				t.Fatal(err)
			}
			r := verifyBytes(t, b, Options{Trust: trust, Time: checkTime})
			want, findings := signing.StatusValid, 0
			if c.pageLog < 0 {
				// The hashes verify, but XNU refuses page size 0 in a
				// Mach-O (TestAttackKernelRefusedCodeDirectory).
				want, findings = signing.StatusInvalid, 1
			}
			if r.Status() != want || len(r.Findings) != findings || len(r.Slices[0].CDHashes) != len(c.types) {
				t.Fatalf("%s", dump(r))
			}
			for i, cd := range r.Slices[0].CodeDirectories {
				if uint8(cd.HashType) != c.types[i] || len(cd.CDHash) != 40 {
					t.Errorf("CD %d: %+v", i, cd)
				}
			}
			b[0x400+39999] ^= 1 // last byte of code: the short last page
			if r := verifyBytes(t, b, Options{Trust: trust, Time: checkTime}); r.Status() != signing.StatusInvalid {
				t.Errorf("flip in the last page: %s", dump(r))
			}
		})
	}
}
