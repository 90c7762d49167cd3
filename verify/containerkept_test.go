package verify

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/sevenz"
)

// TestContainerKeptOpenForZipEntries: a zip archive in a container whose
// files are checked as the container is read (a 7-Zip archive, an MSI's
// Binary stream, a cabinet) has its entries checked on other workers,
// read through the container's bytes when the zip is stored in it: the
// container stays open until they are checked, as a tarball does
// (TestTarballKeptOpenForZipEntries). It was closed once its own check
// ended, and entries still queued were file/unreadable ("file already
// closed").
func TestContainerKeptOpenForZipEntries(t *testing.T) {
	t.Parallel()
	var zes []zipEntry
	for i := range 300 {
		zes = append(zes, zipEntry{name: fmt.Sprintf("f%03d.txt", i), data: fmt.Appendf(nil, "data %d %0200d", i, i), store: i%2 == 0})
	}
	z := makeZip(t, zes)
	pad := make([]byte, 100<<10)
	for name, data := range map[string][]byte{
		"x.7z":      sevenz.Build([]sevenz.BuildFile{{Name: "pad.bin", Data: pad}, {Name: "in.zip", Data: z}}),
		"setup.msi": installer{dll: pad, customAction: z, method: cab.MethodNone}.signed(t),
		"x.cab":     cab.Build([]cab.BuildFile{{Name: "pad.bin", Data: pad}, {Name: "in.zip", Data: z}}, cab.BuildOptions{Method: cab.MethodNone}),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{name: data})
			for range 3 {
				r := run(t, Options{Workers: 2}, filepath.Join(dir, name))
				for _, f := range r.Findings {
					if f.Rule == ruleUnreadable || f.Rule == ruleMalformed {
						t.Fatalf("%s: %s %s: %s", name, f.Rule, f.Path, f.Message)
					}
				}
				if n := len(r.Files); n < 300 {
					t.Fatalf("%s: %d files listed, want the zip's 300 and more", name, n)
				}
			}
		})
	}
}
