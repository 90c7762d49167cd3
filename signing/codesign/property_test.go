package codesign

import (
	"bytes"
	"crypto/sha256"
	"math/rand/v2"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// TestRandomFlipsCaught flips random bits in the code range [0, codeLimit)
// of each slice of a signed universal file: every flip must be reported as a
// page hash mismatch of that slice and make it invalid, and no other slice
// may be blamed.
func TestRandomFlipsCaught(t *testing.T) {
	t.Parallel()
	var fat []byte
	for _, f := range machofile.Fixtures() {
		if f.Name == "universal.macho" {
			fat = f.Data
		}
	}
	trust := testTrust(t)
	clean := verifyBytes(t, fat, Options{Trust: trust, Time: checkTime})
	if clean.Status() != signing.StatusValid {
		t.Fatalf("clean file: %s", dump(clean))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	n := 300
	if testing.Short() {
		n = 50
	}
	for i := 0; i < n; i++ {
		si := rng.IntN(len(clean.Slices))
		sl := clean.Slices[si]
		limit := sl.CodeDirectories[0].CodeLimit
		off := sl.Offset + rng.Int64N(limit)
		b := bytes.Clone(fat)
		b[off] ^= byte(1 << rng.IntN(8))
		r := verifyBytes(t, b, Options{Trust: trust, Time: checkTime})
		if r.Signatures[si].Status != signing.StatusInvalid {
			t.Fatalf("flip at %#x (slice %d): status %s\n%s", off, si, r.Signatures[si].Status, dump(r))
		}
		caught := false
		for _, f := range r.Findings {
			if f.Signature != si && f.Signature >= 0 {
				t.Fatalf("flip at %#x in slice %d blamed slice %d: %s", off, si, f.Signature, f.Message)
			}
			if f.Rule == RulePageHashMismatch && f.Signature == si {
				caught = true
				page := (off - sl.Offset) / 4096
				if *f.Offset != sl.Offset+page*4096 {
					t.Fatalf("flip at %#x reported at %#x, want page start %#x", off, *f.Offset, sl.Offset+page*4096)
				}
			}
		}
		if !caught {
			t.Fatalf("flip at %#x not reported as a page hash mismatch\n%s", off, dump(r))
		}
		if d := r.Signatures[si].Digest; d.Signed == d.Computed {
			t.Fatalf("flip at %#x: digest signed == computed", off)
		}
	}
}

// TestFileHash checks that Options.FileHash sees every byte of the file
// once, in order, for every fixture, including with no sink wanting them.
func TestFileHash(t *testing.T) {
	t.Parallel()
	for _, f := range machofile.Fixtures() {
		h := sha256.New()
		_, err := Verify(bytes.NewReader(f.Data), int64(len(f.Data)), Options{FileHash: h})
		if err != nil {
			t.Fatal(err)
		}
		want := sha256.Sum256(f.Data)
		if !bytes.Equal(h.Sum(nil), want[:]) {
			t.Errorf("%s: FileHash differs from SHA-256 of the file", f.Name)
		}
	}
}
