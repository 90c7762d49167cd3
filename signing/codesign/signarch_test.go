package codesign

import (
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
)

// signArch returns a Mach-O for cpu, built from seed with 6000 bytes of
// code and signed as spec says, and its cdhash in hex: one architecture of
// the universal files the tests make.
func signArch(t testing.TB, cpu uint32, seed uint64, spec machofile.SignSpec) ([]byte, string) {
	t.Helper()
	b, lay, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: cpu, Seed: seed, CodeSize: 6000}), spec)
	if err != nil {
		t.Fatal(err)
	}
	return b, machofile.CDHashHex(lay)
}
