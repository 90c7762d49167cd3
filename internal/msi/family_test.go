package msi

import (
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/cfb"
)

// unreferencedNames returns the decoded names of d's unreferenced streams.
func unreferencedNames(d *Database) []string {
	var got []string
	for _, s := range d.Unreferenced() {
		got = append(got, s.Name)
	}
	slices.Sort(got)
	return got
}

// TestFamilyCabinets: a merge module's MergeModule.CABinet and a patch's
// cabinet streams are its cabinets, and referenced; the same streams in a
// plain database, and a patch's stream that holds no cabinet, are not.
func TestFamilyCabinets(t *testing.T) {
	c := Installer{Files: map[string][]byte{"a": []byte("a")}}.CAB()
	mm := open(t, cfb.Build(BuildInstaller(Installer{Module: true, Files: map[string][]byte{"a": []byte("a")}})))
	if fc := mm.FamilyCabinets(); !mm.Module() || len(fc) != 1 || fc[0].Name != ModuleCabinet || len(unreferencedNames(mm)) != 0 {
		t.Errorf("module: %v %v, unreferenced %q", mm.Module(), fc, unreferencedNames(mm))
	}
	plain := open(t, cfb.Build(BuildInstaller(Installer{Files: map[string][]byte{"a": []byte("a")}, Streams: map[string][]byte{ModuleCabinet: c}})))
	if fc := plain.FamilyCabinets(); len(fc) != 0 || !slices.Equal(unreferencedNames(plain), []string{ModuleCabinet}) {
		t.Errorf("database: %v, unreferenced %q", fc, unreferencedNames(plain))
	}
	p := open(t, cfb.Build(BuildPatch(map[string][]byte{"PCW_CAB": c, "stash": []byte("MZ")}, nil)))
	if fc := p.FamilyCabinets(); len(fc) != 1 || fc[0].Name != "PCW_CAB" || !slices.Equal(unreferencedNames(p), []string{"stash"}) {
		t.Errorf("patch: %v, unreferenced %q", fc, unreferencedNames(p))
	}
}

// TestTransformStreams: a transform's table streams and the streams of
// rows of the tables it changes are referenced; a stream of a row of a
// table it does not change is not.
func TestTransformStreams(t *testing.T) {
	d := open(t, cfb.Build(BuildTransform(map[string][]byte{"Binary.Added": []byte("MZ"), "Icon.Stray": []byte("MZ")})))
	if got := unreferencedNames(d); !slices.Equal(got, []string{"Icon.Stray"}) {
		t.Errorf("unreferenced %q, want [Icon.Stray]", got)
	}
}
