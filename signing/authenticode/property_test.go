package authenticode

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

func fixtureNamed(t testing.TB, name string) []byte {
	t.Helper()
	for _, f := range loadFixtures(t) {
		if f.Name == name {
			return f.Data
		}
	}
	t.Fatalf("no fixture %s", name)
	return nil
}

// TestFlipsDetected flips single random bytes inside the hashed ranges of a
// signed, page-hashed fixture: none may come out valid or untrusted. Flips of
// the CheckSum field leave the signature valid with a checksum warning.
func TestFlipsDetected(t *testing.T) {
	t.Parallel()
	trust := fixtureTrust(t)
	good := fixtureNamed(t, "page-hashes-sha256.exe")
	in, err := pefile.Parse(good)
	if err != nil {
		t.Fatal(err)
	}
	if res := verifyBytes(t, good, Options{Trust: trust, Time: fixtures.Now}); res.Status != signing.StatusValid {
		t.Fatalf("fixture is %s", res.Status)
	}
	excluded := func(i int) bool {
		return (i >= in.ChecksumOff && i < in.ChecksumOff+4) ||
			(i >= in.SecDirOff && i < in.SecDirOff+8) || i >= int(in.CertOff)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	n := 1500
	if testing.Short() {
		n = 200
	}
	// The flips are drawn in order from the seeded generator, then
	// verified GOMAXPROCS at a time (serially this test was one of the
	// slowest under -race).
	type flip struct {
		at int
		x  byte
	}
	flips := make([]flip, 0, n)
	for len(flips) < n {
		i := rng.IntN(int(in.CertOff))
		if excluded(i) {
			continue
		}
		flips = append(flips, flip{i, byte(1 + rng.IntN(255))})
	}
	testpki.ForEach(n, func(k int) {
		i := flips[k].at
		b := bytes.Clone(good)
		b[i] ^= flips[k].x
		res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{Trust: trust, Time: fixtures.Now})
		var fe *FormatError
		if err != nil {
			if !errors.Is(err, ErrNotPE) && !errors.As(err, &fe) {
				t.Errorf("flip at 0x%x: %v", i, err)
			}
			return // the flip broke the headers: not accepted either
		}
		if res.Status < signing.StatusUnsigned {
			t.Errorf("flip at 0x%x (byte 0x%02x -> 0x%02x) came out %s", i, good[i], b[i], res.Status)
		}
	})
	for j := 0; j < 4; j++ {
		for _, x := range []byte{0x01, 0x80, 0xff} {
			b := bytes.Clone(good)
			b[in.ChecksumOff+j] ^= x
			res := verifyBytes(t, b, Options{Trust: trust, Time: fixtures.Now})
			if res.Status != signing.StatusValid {
				t.Errorf("checksum flip at +%d: status %s", j, res.Status)
			}
			stored := binary.LittleEndian.Uint32(b[in.ChecksumOff:])
			if has := hasRule(res, RuleChecksumMismatch); has != (stored != 0) {
				t.Errorf("checksum flip at +%d: warning %v with stored 0x%x", j, has, stored)
			}
		}
	}
}

func hasRule(res *Result, rule signing.Rule) bool {
	for _, f := range res.Findings {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

// FuzzVerify runs the whole parse and verify path on mutated fixtures: it must
// never panic, and every verdict must be explained by its checks.
func FuzzVerify(f *testing.F) {
	for _, fx := range loadFixtures(f) {
		f.Add(fx.Data)
	}
	f.Add(fixtures.Odd()[:300])
	// A signature with unowned bytes inside its PKCS#7 and an unused
	// certificate, for the ownership paths.
	p := fixtures.NewPKI()
	if b, err := pefile.SignAttach(fixtures.Base(), pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter, p.OtherRoot},
		Stamp: &pefile.Stamp{TSA: p.TSA, At: fixtures.Now.AddDate(0, -1, 0), Chain: []*testpki.Cert{p.Root}},
		Tweak: func(c *testpki.CMSSpec) { c.CRLs = []byte{4, 1, 'x'}; c.SignerDigestParams = []byte{5, 0, 5, 0} }}); err == nil {
		f.Add(b)
	}
	trust := fixtureTrust(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Verify(bytes.NewReader(data), int64(len(data)), Options{Trust: trust, Time: fixtures.Now})
		if err != nil {
			var fe *FormatError
			if !errors.Is(err, ErrNotPE) && !errors.As(err, &fe) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if len(res.Signatures) != len(res.Details) {
			t.Fatal("details do not match signatures")
		}
		if len(res.Signatures) == 0 && res.Status != signing.StatusUnsigned {
			t.Fatalf("no signatures but status %s", res.Status)
		}
		for _, s := range res.Signatures {
			if s.Status == signing.StatusValid {
				for _, c := range s.Checks {
					if !c.OK && !slices.Contains(warningChecks, string(c.Name)) && !(c.Name == "page-hashes" && strings.HasPrefix(c.Detail, "page hashes not verified")) {
						t.Fatalf("valid signature with failed check %+v", c)
					}
				}
			}
		}
	})
}
