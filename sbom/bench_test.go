package sbom

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/electronfix"
)

// bigRelease writes a Windows-layout release whose app.asar holds 30,000
// files in 1,500 packages; changed alters one package's code.
func bigRelease(b *testing.B, dir string, changed bool) string {
	b.Helper()
	files := []electronfix.AsarFile{{Path: "package.json", Data: []byte(`{"name":"big","version":"1.0.0"}`)}}
	for p := range 1500 {
		dirp := fmt.Sprintf("node_modules/pkg%04d", p)
		files = append(files, electronfix.AsarFile{Path: dirp + "/package.json",
			Data: []byte(fmt.Sprintf(`{"name":"pkg%04d","version":"1.0.%d","dependencies":{"pkg%04d":"*"}}`, p, p%7, (p+1)%1500))})
		for f := range 19 {
			data := fmt.Sprintf("// pkg%04d file %d\nmodule.exports = %d\n", p, f, p*f)
			if changed && p == 700 && f == 3 {
				data += "evil()\n"
			}
			files = append(files, electronfix.AsarFile{Path: fmt.Sprintf("%s/lib/f%02d.js", dirp, f), Data: []byte(data)})
		}
	}
	arc, _ := electronfix.PackAsar(files)
	root := filepath.Join(dir, "rel")
	os.MkdirAll(filepath.Join(root, "resources"), 0o755)
	os.WriteFile(filepath.Join(root, "resources", "app.asar"), arc, 0o644)
	os.WriteFile(filepath.Join(root, "version"), []byte("30.1.2"), 0o644)
	return root
}

func benchInventories(b *testing.B) (*Inventory, *Inventory) {
	oldInv, err := Open(bigRelease(b, b.TempDir(), false), Options{})
	if err != nil {
		b.Fatal(err)
	}
	newInv, err := Open(bigRelease(b, b.TempDir(), true), Options{})
	if err != nil {
		b.Fatal(err)
	}
	return oldInv, newInv
}

// BenchmarkDiff30k compares two inventories of 30,000 files.
func BenchmarkDiff30k(b *testing.B) {
	oldInv, newInv := benchInventories(b)
	b.ReportAllocs()
	for b.Loop() {
		d := Diff(oldInv, newInv)
		if len(d.ChangedSameVersion) != 1 {
			b.Fatalf("changed = %v", d.ChangedSameVersion)
		}
	}
}

// BenchmarkOpenAndDiff30k reads both releases (every file hashed) and
// compares them: the whole `shipgate diff` minus printing.
func BenchmarkOpenAndDiff30k(b *testing.B) {
	oldDir := bigRelease(b, b.TempDir(), false)
	newDir := bigRelease(b, b.TempDir(), true)
	b.ReportAllocs()
	for b.Loop() {
		o, err := Open(oldDir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		n, err := Open(newDir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if d := Diff(o, n); len(d.ChangedSameVersion) != 1 {
			b.Fatalf("changed = %v", d.ChangedSameVersion)
		}
	}
}

// BenchmarkDiffVsSBOM reads one release as `shipgate sbom` does, then diffs
// it with another as `shipgate diff` does (DiffReleases, which reads both at
// once), then reads both one after the other and diffs them (as the command
// did before DiffReleases), and reports the wall-clock ratios of each diff
// to the one read: x-sbom and best-x-sbom for DiffReleases (target: at most
// 1.2), sequential-x-sbom for the sequential reads. It also reports the CPU
// time of the diff against the read's (cpu-x-sbom: about 2, as the diff
// reads two releases) and the read's CPU time per wall-clock time
// (sbom-cores): on an idle machine of n cores the diff's wall-clock ratio is
// about max(1, cpu-x-sbom × sbom-cores / n), so the fewer cores one read
// keeps busy, the closer the diff comes to one read. On a loaded machine
// the wall-clock ratios tend to the CPU ratio.
func BenchmarkDiffVsSBOM(b *testing.B) {
	oldDir := bigRelease(b, b.TempDir(), false)
	newDir := bigRelease(b, b.TempDir(), true)
	if _, err := Open(newDir, Options{}); err != nil { // warm the page cache
		b.Fatal(err)
	}
	var tSBOM, tDiff, tSeq, cSBOM, cDiff time.Duration
	best := math.Inf(1)
	b.ReportAllocs()
	for b.Loop() {
		c0, t0 := cpuTime(), time.Now()
		if _, err := Open(newDir, Options{}); err != nil {
			b.Fatal(err)
		}
		c1, t1 := cpuTime(), time.Now()
		r, err := DiffReleases(context.Background(), oldDir, newDir, DiffOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Diff.ChangedSameVersion) != 1 {
			b.Fatalf("changed = %v", r.Diff.ChangedSameVersion)
		}
		c2, t2 := cpuTime(), time.Now()
		cSBOM += c1 - c0
		cDiff += c2 - c1
		o, err := Open(oldDir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		n, err := Open(newDir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		Diff(o, n)
		t3 := time.Now()
		tSBOM += t1.Sub(t0)
		tDiff += t2.Sub(t1)
		tSeq += t3.Sub(t2)
		best = min(best, float64(t2.Sub(t1))/float64(t1.Sub(t0)))
	}
	b.ReportMetric(float64(tDiff)/float64(tSBOM), "x-sbom")
	b.ReportMetric(best, "best-x-sbom")
	b.ReportMetric(float64(tSeq)/float64(tSBOM), "sequential-x-sbom")
	b.ReportMetric(float64(cDiff)/float64(cSBOM), "cpu-x-sbom")
	b.ReportMetric(float64(cSBOM)/float64(tSBOM), "sbom-cores")
	b.ReportMetric(float64(tSBOM.Milliseconds())/float64(b.N), "sbom-ms")
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
