package verify

import (
	"archive/zip"
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

var zipEntries = flag.Int("zip-entries", 100_000, "number of entries of the zip archive BenchmarkZipManyEntries verifies")

// writeManyEntryZip writes a zip archive of n small entries, a few hundred
// to a directory, half stored and half deflated, as a big npm or Java
// distribution has them.
func writeManyEntryZip(tb testing.TB, n int) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "many.zip")
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	zw := zip.NewWriter(bw)
	for i := 0; i < n; i++ {
		m := zip.Deflate
		if i%2 == 0 {
			m = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("node_modules/pkg%04d/lib/file%07d.js", i/300, i), Method: m})
		if err != nil {
			tb.Fatal(err)
		}
		fmt.Fprintf(w, "module.exports = %d;\n", i)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return p
}

// BenchmarkZipManyEntries verifies a zip archive of -zip-entries small
// entries and reports the peak live heap (sampled) and the heap per entry.
// Issue #13's target is 1M entries in at most 300 MB:
//
//	go test ./verify -run '^$' -bench ZipManyEntries -benchtime 1x -zip-entries 1000000
func BenchmarkZipManyEntries(b *testing.B) {
	p := writeManyEntryZip(b, *zipEntries)
	opts := Options{Trust: getFixtures(b).trust, Time: checkTime}
	runtime.GC()
	var peakMax uint64
	for b.Loop() {
		stop := make(chan struct{})
		peak := heapPeak(stop)
		r, err := Release(context.Background(), opts, p)
		close(stop)
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Files) != *zipEntries {
			b.Fatalf("%d files, want %d", len(r.Files), *zipEntries)
		}
		peakMax = max(peakMax, peak.Load())
		r = nil
		runtime.GC()
	}
	b.ReportMetric(float64(peakMax)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(peakMax)/float64(*zipEntries), "peak-heap-B/entry")
}
