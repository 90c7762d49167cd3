package sbom

import (
	"testing"

	"github.com/shipgate/shipgate/internal/filekind"
)

// TestBinaryKindsAreFilekinds: the builder carries filekind kinds, and the
// JSON spellings of the exported kinds are their names, so the inventory
// and the release walker cannot name a kind two ways.
func TestBinaryKindsAreFilekinds(t *testing.T) {
	t.Parallel()
	for k, want := range map[filekind.Kind]string{filekind.PE: KindPE, filekind.MachO: KindMachO, filekind.MachOUniversal: KindMachOUniversal, filekind.ELF: KindELF} {
		if binaryKind(k) != k || k.String() != want {
			t.Errorf("%v: binaryKind %v, name %q, want %q", k, binaryKind(k), k.String(), want)
		}
	}
	for _, k := range []filekind.Kind{filekind.Other, filekind.Asar, filekind.Tar, filekind.Gzip} {
		if binaryKind(k) != filekind.Other {
			t.Errorf("%v is a binary kind", k)
		}
	}
}
