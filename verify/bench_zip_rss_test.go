//go:build unix

package verify

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"
)

// zipChildEnv names the zip archive that TestZipVerifyChild verifies, in
// the process BenchmarkZipManyEntries starts for it.
const zipChildEnv = "SHIPGATE_BENCH_ZIP_CHILD"

// TestZipVerifyChild verifies the zip archive named by $SHIPGATE_BENCH_ZIP_CHILD
// and nothing else, so that the process's peak RSS and CPU time are those
// of one Release of it; BenchmarkZipManyEntries runs it.
func TestZipVerifyChild(t *testing.T) {
	p := os.Getenv(zipChildEnv)
	if p == "" {
		t.Skip("run by BenchmarkZipManyEntries in a process of its own")
	}
	// Not the test PKI's trust store: building it takes more memory than
	// verifying a small archive, and the archive's files carry no
	// signatures to chain.
	r, err := Release(context.Background(), Options{Time: checkTime}, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Files) == 0 {
		t.Fatal("no files")
	}
}

// childRelease runs TestZipVerifyChild on the archive at p in a new
// process and returns that process's peak resident set size in bytes and
// its CPU time (user and system) in seconds.
func childRelease(tb testing.TB, p string) (rss int64, cpu float64) {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestZipVerifyChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), zipChildEnv+"="+p)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("verifying in a child process: %v\n%s", err, out)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, 0
	}
	rss = int64(ru.Maxrss)
	if runtime.GOOS != "darwin" {
		rss *= 1024 // kilobytes everywhere but macOS
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return rss, tv(ru.Utime) + tv(ru.Stime)
}
