package verify

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/internal/testpki"
)

var msiBenchMB = flag.Int("msi-mb", 200, "size in MiB of the installer BenchmarkMSIVsSHA256 verifies")

// BenchmarkMSIVsSHA256 verifies a signed MSI of -msi-mb MiB (an embedded
// cabinet of 2 MiB files, stored or MSZIP-compressed, and the fixtures'
// signed DLL) given on its own, interleaving each run with one SHA-256 pass
// over the file, and reports the ratios of their CPU and wall-clock times
// (mean and best), and the mean wall-clock time's ratio to the floor
// below (x-floor, best-x-floor).
//
// The floor. The report gives facts that each need their own hash of
// (nearly) every byte, none derivable from another: the MSI's file
// SHA-256; its Authenticode digest, over every stream in the subject
// interface package's order (the cabinet stream is nearly all of the
// file); and each installed file's SHA-256, over the cabinet's
// uncompressed bytes (for the PE inside, its Authenticode digest too,
// a small one here). That is three SHA-256 passes of CPU, one read
// each (pread from the page cache, ~0.1 of a pass). An MSZIP cabinet adds
// inflating every byte, sequential within a folder (each block's history
// is the previous block's output): Inflate units of a SHA-256 pass, which
// this benchmark measures before it starts in CPU time (a walk of the
// cabinet in memory into io.Discard; compare internal/cab's
// BenchmarkInflate and BenchmarkSHA256: literal-heavy blocks inflate at
// ~220-500 MB/s, text at ~5 GB/s, SHA-256 runs at ~1.6 GB/s with SHA-NI).
// With P cores the wall-clock floor is max(1, Inflate, (3+Inflate)/P)
// passes: on 2 cores 1.5x for a stored cabinet, and for MSZIP of these
// random files (Inflate ~3.3 here) about 3.3x. So issue 14's 1.3x target
// cannot be met by construction on 2 cores: not for a stored cabinet
// (three independent hashes on two cores), and not for MSZIP data that
// inflates slower than 1.3 SHA-256 passes; it can be for a stored cabinet
// on 3 or more cores.
//
// How verify gets near it: the file's SHA-256 is computed on its own
// goroutine while the stream digest is (signing/authenticode's
// hashFileAsync), the walk of the cabinets, which hashes each installed
// file, runs on a third while both are (authenticode.Options.Alongside,
// verify's walkAlongside: the three share the two cores), and a large
// cabinet folder is decoded (read, checksum, inflate) on its own
// goroutine ahead of the per-file hashing (internal/cab's ahead). Before
// the walk ran alongside, it started when the signature check had
// finished: 1 + 1 passes of wall time for a stored cabinet instead of 1.5.
// What is left above the floor is reading: the cabinet stream is read
// twice (pread from the page cache, for the digest and for the walk) and
// the file once more for its SHA-256, ~0.1 pass each.
//
// Which target is met: none of "1.3x one SHA-256 pass" in CPU time (at
// least 3 passes, three independent hashes) nor in wall-clock time on 2
// cores (at least 1.5); the benchmark reports both ratios
// (cpu-x-sha256-pass, x-sha256-pass) and the wall-clock one against the
// floor (x-floor). On a shared, loaded machine the wall-clock figures
// vary by 2x between runs; the CPU ones hold. Measured on the shared
// 2-core machine (load ~24, the benchmark at nice -15, three A/B pairs of
// 4 runs each): stored, CPU 3.4-3.7x, best wall 1.74-2.20x (1.92-2.36x
// with the walk after the signature check); MSZIP of random data, CPU
// ~11x, wall 4.2-5.9x, inflating alone 7-7.7 passes of CPU under that
// load (klauspost/compress/flate's Huffman decoding).
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
			inflate := time.Duration(0)
			if m.method != cab.MethodNone {
				inflate = bestOf3(b, func() error { return walkCabinet(c) })
			}
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
			pass := bestOf3(b, func() error { _, err := sha256Pass(dir); return err })
			inflateUnits := float64(inflate) / float64(pass)
			cores := float64(runtime.GOMAXPROCS(0))
			floor := max(1, inflateUnits, (3+inflateUnits)/cores)
			b.SetBytes(size)
			wall, bestWall := benchVsSHA256(b, dir, "msi", func() {
				r, err := Release(context.Background(), opts, name)
				if err != nil {
					b.Fatal(err)
				}
				if len(r.Files) != len(files)+1 || r.Summary.Errors != 0 {
					b.Fatalf("msi: %d files, %d errors: %+v", len(r.Files), r.Summary.Errors, r.Findings[:min(3, len(r.Findings))])
				}
			})
			b.ReportMetric(inflateUnits, "inflate-x-sha256-pass")
			b.ReportMetric(floor, "floor-x-sha256-pass")
			b.ReportMetric(wall/floor, "x-floor")
			b.ReportMetric(bestWall/floor, "best-x-floor")
		})
	}
}

// bestOf3 is the least CPU time of three runs of fn (CPU time, not
// wall-clock: a ratio of two of them holds on a busy machine).
func bestOf3(b *testing.B, fn func() error) time.Duration {
	best := time.Duration(math.MaxInt64)
	for range 3 {
		c0 := cpuTime()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		best = min(best, cpuTime()-c0)
	}
	return best
}

// walkCabinet decodes every file of cabinet c into io.Discard: the
// inflate (and checksum) cost of an MSZIP cabinet, without hashing, in
// CPU time (the read-ahead goroutine's included).
func walkCabinet(c []byte) error {
	r, err := cab.NewReader(bytes.NewReader(c), int64(len(c)))
	if err != nil {
		return err
	}
	return r.Walk(func(f *cab.File, r io.Reader) error {
		_, err := io.Copy(io.Discard, r)
		return err
	})
}
