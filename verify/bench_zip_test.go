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
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"
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
// entries and reports the peak heap (sampled: live objects and garbage not
// yet collected) and the heap per entry, the peak of the memory the runtime
// holds from the system (sampled, close to the process's RSS), and the
// report's own share: the heap live after the run, which holds the report.
// It then verifies the archive once more in a process of its own (see
// TestZipVerifyChild) and reports that process's peak RSS and its CPU time
// per entry (user and system, test binary start included); that process
// collects garbage at 50%, as shipgate verify does (cmd/shipgate's
// verifyGCPercent), unless $GOGC says otherwise. Issue #13's target is 1M
// entries in at most 300 MB:
//
//	go test ./verify -run '^$' -bench ZipManyEntries -benchtime 1x -zip-entries 1000000
//
// The package comes before -zip-entries: go test hands every argument
// after a flag it does not know to the test binary, so with the package
// last it tests the current directory ("no Go files", "[setup failed]").
//
// The report of 1M files is about 133 MiB (a 96-byte File holding its
// SHA-256, and the path, in shared blocks), and the garbage collector lets
// the heap grow to about twice what it found live (GOGC=100; shipgate
// verify runs at 50).
func BenchmarkZipManyEntries(b *testing.B) {
	p := writeManyEntryZip(b, *zipEntries)
	opts := Options{Trust: getFixtures(b).trust, Time: checkTime}
	// Writing the archive held hundreds of megabytes: return them, so that
	// peak-held-MiB is the run's.
	debug.FreeOSMemory()
	var peakMax, heldMax, reportMax uint64
	for b.Loop() {
		stop := make(chan struct{})
		peak := heapPeak(stop)
		held := heldPeak(stop)
		r, err := Release(context.Background(), opts, p)
		close(stop)
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Files) != *zipEntries {
			b.Fatalf("%d files, want %d", len(r.Files), *zipEntries)
		}
		peakMax = max(peakMax, peak.Load())
		heldMax = max(heldMax, held.Load())
		runtime.GC()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(s)
		reportMax = max(reportMax, s[0].Value.Uint64())
		runtime.KeepAlive(r)
		r = nil
		runtime.GC()
	}
	b.ReportMetric(float64(peakMax)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(peakMax)/float64(*zipEntries), "peak-heap-B/entry")
	b.ReportMetric(float64(heldMax)/(1<<20), "peak-held-MiB")
	b.ReportMetric(float64(reportMax)/(1<<20), "report-MiB")
	b.StopTimer()
	rss, cpu := childRelease(b, p)
	if rss > 0 {
		b.ReportMetric(float64(rss)/(1<<20), "child-rss-MiB")
	}
	if cpu > 0 {
		b.ReportMetric(cpu*1e6/float64(*zipEntries), "child-cpu-us/entry")
	}
}

// heldPeak samples, until stop is closed, the memory the Go runtime holds
// from the system (mapped, less what it has returned), and returns the
// largest value seen.
func heldPeak(stop <-chan struct{}) *atomic.Uint64 {
	var peak atomic.Uint64
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64() - s[1].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return &peak
}
