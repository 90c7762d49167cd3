package verify

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
)

var (
	benchMB    = flag.Int("release-mb", 24, "size of the generated benchmark release in MiB")
	benchFiles = flag.Int("release-files", 60, "number of files in the generated benchmark release")
)

var (
	benchOnce  sync.Once
	benchDir   string
	benchBytes int64
	benchErr   error
)

// benchRelease generates a release of about -release-mb MiB in
// -release-files files: a quarter each signed PEs and signed Mach-O files,
// half other files (as in an Electron release, where resources and the asar
// weigh about as much as the native code), sizes drawn from an exponential
// distribution (4 KiB and up).
func benchRelease(b *testing.B) (string, int64) {
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "shipgate-bench-")
		if benchErr != nil {
			return
		}
		benchBytes, benchErr = writeBenchRelease(benchDir, int64(*benchMB)<<20, *benchFiles)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDir, benchBytes
}

func writeBenchRelease(dir string, total int64, n int) (int64, error) {
	f, err := makeFixtures()
	if err != nil {
		return 0, err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	// Sizes: weights drawn at random, scaled to the total.
	weights := make([]float64, n)
	var sum float64
	for i := range weights {
		weights[i] = 0.05 + rng.ExpFloat64()
		sum += weights[i]
	}
	var written int64
	for i := 0; i < n; i++ {
		size := max(int(float64(total)*weights[i]/sum), 4096)
		var data []byte
		var name string
		switch i % 4 {
		case 0:
			img, err := pefile.Build(pefile.Spec{Size: size})
			if err != nil {
				return 0, err
			}
			if data, err = signPE(img, pefileSpec(f)); err != nil {
				return 0, err
			}
			name = fmt.Sprintf("win/lib%03d.dll", i)
		case 1:
			thin := machofile.Build(machofile.Spec{CodeSize: size, Seed: uint64(i)})
			if data, _, err = machofile.Sign(thin, machofile.SignSpec{Identifier: fmt.Sprintf("lib%03d", i), TeamID: machofile.TeamID, CMS: f.apple.Signer().CMS}); err != nil {
				return 0, err
			}
			name = fmt.Sprintf("mac/lib%03d.dylib", i)
		default:
			data = make([]byte, size)
			testpki.NewRand(uint64(i)).Read(data)
			name = fmt.Sprintf("res/asset%03d.bin", i)
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return 0, err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return 0, err
		}
		written += int64(len(data))
	}
	return written, nil
}

func pefileSpec(f *fixtures) pefile.SignSpec {
	return pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot}}
}

// sha256Pass reads every file under dir once, sequentially, through
// SHA-256: the baseline the verifier is measured against.
func sha256Pass(dir string) (time.Duration, error) {
	buf := make([]byte, 1<<20)
	start := time.Now()
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		fh, err := os.Open(p)
		if err != nil {
			return err
		}
		defer fh.Close()
		h := sha256.New()
		_, err = io.CopyBuffer(h, fh, buf)
		return err
	})
	return time.Since(start), err
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// heapPeak samples the live heap until stop is closed.
func heapPeak(stop <-chan struct{}) *atomic.Uint64 {
	var peak atomic.Uint64
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
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

// BenchmarkRelease verifies the generated release and reports, besides
// ns/op and MB/s, the ratio of its time to one sequential SHA-256 pass over
// the same files measured in the same run, and the peak live heap. Run the
// full-size measurement with
//
//	go test ./verify -run '^$' -bench Release -cpu 2 -benchtime 3x -release-mb 420 -release-files 320
func BenchmarkRelease(b *testing.B) {
	dir, total := benchRelease(b)
	opts := Options{Trust: getFixtures(b).trust, Time: checkTime}
	// Warm the page cache and take the baseline.
	if _, err := sha256Pass(dir); err != nil {
		b.Fatal(err)
	}
	cpu0 := cpuTime()
	base, err := sha256Pass(dir)
	if err != nil {
		b.Fatal(err)
	}
	baseCPU := cpuTime() - cpu0
	b.SetBytes(total)
	b.ReportAllocs()
	stop := make(chan struct{})
	peak := heapPeak(stop)
	b.ResetTimer()
	cpu0 = cpuTime()
	for i := 0; i < b.N; i++ {
		r, err := Release(context.Background(), opts, dir)
		if err != nil {
			b.Fatal(err)
		}
		if r.Summary.Errors != 0 {
			b.Fatalf("benchmark release has %d errors: %+v", r.Summary.Errors, r.Findings[:min(3, len(r.Findings))])
		}
	}
	b.StopTimer()
	loopCPU := cpuTime() - cpu0
	close(stop)
	b.ReportMetric(float64(loopCPU)/float64(b.N)/float64(baseCPU), "cpu-x-sha256-pass")
	perOp := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(perOp)/float64(base), "x-sha256-pass")
	b.ReportMetric(float64(base.Nanoseconds())/1e6, "sha256-pass-ms")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(*benchFiles), "files")
}
