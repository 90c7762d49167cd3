//go:build unix

package verify

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
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
	t.Parallel()
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
	// The peak RSS of this process alone: getrusage's figure for a
	// child also counts the memory of the process it was started from.
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "VmHWM:") {
				fmt.Println(l)
			}
		}
	}
}

// childRelease runs TestZipVerifyChild on the archive at p in a new
// process, collecting garbage as shipgate verify does, and returns that process's peak resident set size in bytes (0
// where /proc does not give it) and its CPU time (user and system) in
// seconds.
func childRelease(tb testing.TB, p string) (rss int64, cpu float64) {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestZipVerifyChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), zipChildEnv+"="+p)
	if os.Getenv("GOGC") == "" {
		// As shipgate verify runs (cmd/shipgate's verifyGCPercent): the
		// figure is the command's.
		cmd.Env = append(cmd.Env, "GOGC=50")
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("verifying in a child process: %v\n%s", err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if kb, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 10, 64)
			rss = n * 1024
		}
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
		cpu = tv(ru.Utime) + tv(ru.Stime)
	}
	return rss, cpu
}
