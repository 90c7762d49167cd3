package codesign

import (
	"bytes"
	"encoding/binary"
	"runtime"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// hostileFat returns a universal file holding one ad-hoc slice of about
// codeSize bytes with six CodeDirectories, listed n times by its fat
// header: with the same offset and size when same, else with sizes growing
// by 16 bytes so that every entry is a distinct slice over the same bytes.
func hostileFat(t testing.TB, codeSize, n int, same bool) []byte {
	thin, _, err := machofile.Sign(machofile.Build(machofile.Spec{CodeSize: codeSize}), machofile.SignSpec{
		Flags:     machofile.FlagAdhoc,
		HashTypes: []uint8{machofile.HashSHA256, machofile.HashSHA1, machofile.HashSHA384, machofile.HashSHA256Truncated, machofile.HashSHA256, machofile.HashSHA1},
	})
	if err != nil {
		t.Fatal(err)
	}
	return fatOver(thin, n, same)
}

// fatOver lists thin n times in a fat header, as hostileFat does.
func fatOver(thin []byte, n int, same bool) []byte {
	be := binary.BigEndian
	hdr := 8 + 20*n
	off := (hdr + 4095) &^ 4095
	out := make([]byte, off+len(thin)+16*n)
	be.PutUint32(out, 0xcafebabe)
	be.PutUint32(out[4:], uint32(n))
	copy(out[off:], thin)
	for i := 0; i < n; i++ {
		e := out[8+20*i:]
		be.PutUint32(e, machofile.CPUARM64)
		be.PutUint32(e[8:], uint32(off))
		size := len(thin)
		if !same {
			size += 16 * i
		}
		be.PutUint32(e[12:], uint32(size))
		be.PutUint32(e[16:], 12)
	}
	return out
}

// TestHostileUniversalBudget verifies universal files whose fat entries
// list one 1 MB slice 204 times, and checks that verification stays within
// a second and 100 MB of allocation per MB of input, never says valid, and
// names the budget when it stops.
func TestHostileUniversalBudget(t *testing.T) {
	p := machofile.NewPKI()
	devid, _, err := machofile.Sign(machofile.Build(machofile.Spec{CodeSize: 2000}), p.DeveloperIDSpec("x"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		file   []byte
		budget bool // the work budget must be reported
	}{
		{"repeated entries", hostileFat(t, 1<<20, maxFatArches, true), false},
		{"overlapping entries", hostileFat(t, 1<<20, maxFatArches, false), true},
		{"overlapping Developer ID slices", fatOver(devid, maxFatArches, false), true},
		{"many load commands", manyLoadCommands(1 << 20), false},
		{"many special slots", manySpecialSlots(t, 4000), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := c.file
			trust := testTrust(t)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			r, err := Verify(bytes.NewReader(b), int64(len(b)), Options{Trust: trust, Time: checkTime})
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			// Below 1 MB of input the allowance is that of 1 MB: the fixed
			// cost of a CMS check is not proportional to anything.
			mb := max(float64(len(b))/(1<<20), 1)
			alloc := float64(after.TotalAlloc-before.TotalAlloc) / (1 << 20)
			t.Logf("%d bytes, %d signatures: %v, %.1f MB allocated", len(b), len(r.Signatures), took, alloc)
			if took > time.Second && !testing.Short() {
				t.Errorf("took %v, want at most 1s", took)
			}
			if alloc > 100*mb {
				t.Errorf("allocated %.1f MB for %.1f MB of input, want at most 100 MB per MB", alloc, mb)
			}
			if r.Status() == signing.StatusValid || r.Status() == signing.StatusAdhoc {
				t.Errorf("status %s for a hostile file", r.Status())
			}
			if !r.Universal {
				return
			}
			if len(r.Signatures) != maxFatArches || len(r.Slices) != maxFatArches {
				t.Errorf("%d signatures, %d slices, want one per fat entry (%d)", len(r.Signatures), len(r.Slices), maxFatArches)
			}
			if got := hasRule(r, RuleWorkBudgetExceeded); got != c.budget {
				t.Errorf("work-budget finding %v, want %v", got, c.budget)
			}
		})
	}
}

// manyLoadCommands returns a thin Mach-O whose load commands fill n bytes
// with 8-byte commands of an unknown type.
func manyLoadCommands(n int) []byte {
	b := make([]byte, 32+n)
	le := binary.LittleEndian
	le.PutUint32(b, 0xfeedfacf)
	le.PutUint32(b[4:], machofile.CPUARM64)
	le.PutUint32(b[12:], 2)
	le.PutUint32(b[16:], uint32(n/8))
	le.PutUint32(b[20:], uint32(n))
	for i := 32; i < len(b); i += 8 {
		le.PutUint32(b[i:], 0x7fff)
		le.PutUint32(b[i+4:], 8)
	}
	return b
}

// manySpecialSlots returns an ad-hoc Mach-O whose signature carries a
// CodeDirectory with n special slots (n below 0x1000), all holding a hash.
func manySpecialSlots(t testing.TB, n int) []byte {
	code := machofile.Build(machofile.Spec{CodeSize: 4096})
	// A large bound blob in slot 12 makes Sign reserve the slots; the
	// slots are then filled with non-zero bytes.
	b, lay, err := machofile.Sign(code, machofile.SignSpec{Flags: machofile.FlagAdhoc,
		ExtraBlobs: []machofile.ExtraBlob{{Slot: uint32(n), Data: machofile.Blob(0xfade0c01, nil), Bind: true}}})
	if err != nil {
		t.Fatal(err)
	}
	cd, _ := lay.Blob(machofile.SlotCodeDirectory)
	hashOff := int(binary.BigEndian.Uint32(b[cd.Off+16:]))
	for i := cd.Off + hashOff - n*32; i < cd.Off+hashOff; i++ {
		b[i] |= 1
	}
	return b
}

func hasRule(r *Result, rule signing.Rule) bool {
	for _, f := range r.Findings {
		if f.Rule == rule {
			return true
		}
	}
	return false
}
