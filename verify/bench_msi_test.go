package verify

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/internal/testpki"
)

var msiBenchMB = flag.Int("msi-mb", 200, "size in MiB of the installer BenchmarkMSIVsSHA256 verifies")

// BenchmarkMSIVsSHA256 verifies a signed MSI of -msi-mb MiB (an embedded
// cabinet of 2 MiB files, stored or MSZIP-compressed, and the fixtures'
// signed DLL) given on its own, interleaving each run with one SHA-256 pass
// over the file, and reports the ratios of their CPU and wall-clock times
// (mean and best). The installer's bytes are hashed three times: the file's
// SHA-256, the MSI's Authenticode digest (both in one read) and each
// installed file's SHA-256 as the cabinet is walked, so on two cores the
// wall-clock ratio cannot go below 1.5 for a stored cabinet; MSZIP adds
// inflating every byte.
func BenchmarkMSIVsSHA256(b *testing.B) {
	for _, m := range []struct {
		name   string
		method cab.Method
	}{{"stored", cab.MethodNone}, {"mszip", cab.MethodMSZIP}} {
		b.Run(m.name, func(b *testing.B) {
			dir := b.TempDir()
			name := filepath.Join(dir, "setup.msi")
			files := []cab.BuildFile{{Name: "AppDll", Data: getFixtures(b).peValid}}
			rows := [][]any{{"AppDll", "Main", "app.dll", len(getFixtures(b).peValid), 1}}
			for i := 0; len(files)*2 < *msiBenchMB; i++ {
				data := make([]byte, 2<<20)
				testpki.NewRand(uint64(i)).Read(data)
				key := fmt.Sprintf("Data%03d", i)
				files = append(files, cab.BuildFile{Name: key, Data: data})
				rows = append(rows, []any{key, "Main", fmt.Sprintf("data%03d.bin", i), len(data), len(files)})
			}
			tables := []msi.BuildTable{
				{Name: "Media", Columns: []msi.Column{{Name: "DiskId", Type: colI2Key}, {Name: "LastSequence", Type: colI4}, {Name: "Cabinet", Type: colStr}},
					Rows: [][]any{{1, len(files), "#app.cab"}}},
				{Name: "File", Columns: []msi.Column{{Name: "File", Type: colKey}, {Name: "Component_", Type: colKey}, {Name: "FileName", Type: colName}, {Name: "FileSize", Type: colI4}, {Name: "Sequence", Type: colI4}},
					Rows: rows},
				{Name: "Component", Columns: []msi.Column{{Name: "Component", Type: colKey}, {Name: "Directory_", Type: colKey}},
					Rows: [][]any{{"Main", "INSTALLDIR"}}},
				{Name: "Directory", Columns: []msi.Column{{Name: "Directory", Type: colKey}, {Name: "Directory_Parent", Type: colStr}, {Name: "DefaultDir", Type: colName}},
					Rows: [][]any{{"TARGETDIR", nil, "SourceDir"}, {"INSTALLDIR", "TARGETDIR", "App"}}},
			}
			c := cab.Build(files, cab.BuildOptions{Method: m.method})
			img := signMSI(b, msi.BuildNode(tables, map[string][]byte{"app.cab": c}))
			c = nil
			if err := os.WriteFile(name, img, 0o644); err != nil {
				b.Fatal(err)
			}
			size := int64(len(img))
			img = nil
			opts := Options{Trust: getFixtures(b).trust, Time: checkTime}
			if _, err := sha256Pass(dir); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(size)
			benchVsSHA256(b, dir, "msi", func() {
				r, err := Release(context.Background(), opts, name)
				if err != nil {
					b.Fatal(err)
				}
				if len(r.Files) != len(files)+1 || r.Summary.Errors != 0 {
					b.Fatalf("msi: %d files, %d errors: %+v", len(r.Files), r.Summary.Errors, r.Findings[:min(3, len(r.Findings))])
				}
			})
		})
	}
}
