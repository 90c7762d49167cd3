package verify

import (
	"bytes"
	"maps"
	"sync"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
)

// The example bundle and package signed with the fixtures' Apple PKI are
// built once per test binary (each build signs a dozen Mach-O files, and
// the package compresses its payload) and handed out as copies, so that a
// test may change its own.
var (
	exampleBundleOnce  sync.Once
	exampleBundleFiles map[string]machofile.BundleFile
	examplePackageOnce sync.Once
	examplePackageFile []pkgfile.File
)

// exampleBundle returns a copy of machofile.ExampleBundle of the fixtures'
// Apple PKI.
func exampleBundle(t testing.TB) map[string]machofile.BundleFile {
	t.Helper()
	p := getFixtures(t).apple
	exampleBundleOnce.Do(func() { exampleBundleFiles = machofile.ExampleBundle(p) })
	out := maps.Clone(exampleBundleFiles)
	for name, f := range out {
		f.Data = bytes.Clone(f.Data)
		out[name] = f
	}
	return out
}

// examplePackage returns a copy of pkgfile.ExamplePackage (PBZX) of the
// fixtures' Apple PKI.
func examplePackage(t testing.TB) []pkgfile.File {
	t.Helper()
	p := getFixtures(t).apple
	examplePackageOnce.Do(func() { examplePackageFile = pkgfile.ExamplePackage(p, true) })
	out := append([]pkgfile.File(nil), examplePackageFile...)
	for i := range out {
		out[i].Data = bytes.Clone(out[i].Data)
	}
	return out
}
