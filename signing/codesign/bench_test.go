package codesign

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
)

// writeBigUniversal writes a universal file of two slices of about 52 MiB
// each (over 100 MB in all), signed with the test Developer ID using the
// given CodeDirectory hash types.
func writeBigUniversal(b *testing.B, dir string, hashTypes []uint8) (string, int64) {
	b.Helper()
	p := machofile.NewPKI()
	var arches []machofile.Arch
	for i, cpu := range []uint32{machofile.CPUX86_64, machofile.CPUARM64} {
		spec := p.DeveloperIDSpec("com.example.big")
		spec.HashTypes = hashTypes
		m, _, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: cpu, Seed: uint64(i + 7), CodeSize: 52 << 20}), spec)
		if err != nil {
			b.Fatal(err)
		}
		arches = append(arches, machofile.Arch{Data: m})
	}
	fat := machofile.Fat(arches, false)
	path := filepath.Join(dir, "big.macho")
	if err := os.WriteFile(path, fat, 0o644); err != nil {
		b.Fatal(err)
	}
	return path, int64(len(fat))
}

// BenchmarkVerifyUniversal compares verifying every page of every slice of
// a >100 MB universal file with one plain SHA-256 pass over the same bytes,
// both read through io.ReaderAt in 1 MiB windows from the same file.
func BenchmarkVerifyUniversal(b *testing.B) {
	dir := b.TempDir()
	path, size := writeBigUniversal(b, dir, []uint8{machofile.HashSHA256})
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	trust := testTrust(b)

	b.Run("sha256", func(b *testing.B) {
		b.SetBytes(size)
		buf := make([]byte, bufSize)
		for b.Loop() {
			h := sha256.New()
			for off := int64(0); off < size; off += int64(len(buf)) {
				n, err := f.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
				if err != nil && n == 0 {
					b.Fatal(err)
				}
				h.Write(buf[:n])
			}
			h.Sum(nil)
		}
	})
	b.Run("verify-sha256-cd", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			r, err := Verify(f, size, Options{Trust: trust, Time: checkTime})
			if err != nil || r.Status() != 0 {
				b.Fatalf("%v %v", err, r.Status())
			}
		}
	})
	b.Run("verify-sha256-cd+filehash", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if _, err := Verify(f, size, Options{Trust: trust, Time: checkTime, FileHash: sha256.New()}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkVerifyUniversalAlternate measures the Developer ID shape with a
// SHA-1 alternate CodeDirectory: every page is hashed twice.
func BenchmarkVerifyUniversalAlternate(b *testing.B) {
	path, size := writeBigUniversal(b, b.TempDir(), []uint8{machofile.HashSHA256, machofile.HashSHA1})
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	b.SetBytes(size)
	for b.Loop() {
		if _, err := Verify(f, size, Options{Time: checkTime}); err != nil {
			b.Fatal(err)
		}
	}
}
