package sbom

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/electronfix"
)

// bigRelease writes a Windows-layout release whose app.asar holds 30,000
// files in 1,500 packages; changed alters one package's code.
func bigRelease(b *testing.B, dir string, changed bool) string {
	return sizedRelease(b, dir, changed, 0, false)
}

// sizedRelease writes the release of bigRelease with pad bytes of
// pseudo-random text added to each code file (pad 1,200: about 40 MB), in
// app.asar or, when unpacked, as a folder (resources/app).
func sizedRelease(b *testing.B, dir string, changed bool, pad int, unpacked bool) string {
	b.Helper()
	rng := rand.New(rand.NewPCG(7, 8))
	filler := make([]byte, pad)
	files := []electronfix.AsarFile{{Path: "package.json", Data: []byte(`{"name":"big","version":"1.0.0"}`)}}
	for p := range 1500 {
		dirp := fmt.Sprintf("node_modules/pkg%04d", p)
		files = append(files, electronfix.AsarFile{Path: dirp + "/package.json",
			Data: []byte(fmt.Sprintf(`{"name":"pkg%04d","version":"1.0.%d","dependencies":{"pkg%04d":"*"}}`, p, p%7, (p+1)%1500))})
		for f := range 19 {
			for i := range filler {
				filler[i] = 'a' + byte(rng.IntN(26))
			}
			data := fmt.Sprintf("// pkg%04d file %d\nmodule.exports = %d\n// %s\n", p, f, p*f, filler)
			if changed && p == 700 && f == 3 {
				data += "evil()\n"
			}
			files = append(files, electronfix.AsarFile{Path: fmt.Sprintf("%s/lib/f%02d.js", dirp, f), Data: []byte(data)})
		}
	}
	root := filepath.Join(dir, "rel")
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "resources"), 0o755))
	if unpacked {
		for _, f := range files {
			full := filepath.Join(root, "resources", "app", filepath.FromSlash(f.Path))
			must(os.MkdirAll(filepath.Dir(full), 0o755))
			must(os.WriteFile(full, f.Data, 0o644))
		}
	} else {
		arc, _ := electronfix.PackAsar(files)
		must(os.WriteFile(filepath.Join(root, "resources", "app.asar"), arc, 0o644))
	}
	must(os.WriteFile(filepath.Join(root, "version"), []byte("30.1.2"), 0o644))
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
// keeps busy, the closer the diff comes to one read; floor-x-sbom is that
// bound for the GOMAXPROCS of the run, below which no diff that does
// cpu-x-sbom times a read's work can go (the n cores cannot do the
// diff's CPU time in less wall-clock time). On a loaded machine the
// wall-clock ratios tend to the CPU ratio. It runs on the 30,000
// small files of bigRelease in app.asar, and on them padded to 40 MB in
// app.asar and unpacked (resources/app).
func BenchmarkDiffVsSBOM(b *testing.B) {
	for _, bc := range []struct {
		name     string
		pad      int
		unpacked bool
	}{
		{"asar-30k", 0, false},
		{"asar-40MB", 1200, false},
		{"dir-40MB", 1200, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			benchDiffVsSBOM(b, sizedRelease(b, b.TempDir(), false, bc.pad, bc.unpacked), sizedRelease(b, b.TempDir(), true, bc.pad, bc.unpacked))
		})
	}
}

// benchDiffVsSBOM is BenchmarkDiffVsSBOM on the releases at oldDir and
// newDir, which differ in one package's code.
func benchDiffVsSBOM(b *testing.B, oldDir, newDir string) {
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
	b.ReportMetric(max(1, float64(cDiff)/float64(tSBOM)/float64(runtime.GOMAXPROCS(0))), "floor-x-sbom")
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

// BenchmarkOpenAsar30k reads the release of bigRelease (30,000 small files
// in app.asar) as `shipgate sbom` does; its allocs/op are the per-file
// costs of an inventory, which timings on a shared machine hide.
func BenchmarkOpenAsar30k(b *testing.B) {
	dir := bigRelease(b, b.TempDir(), false)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Open(dir, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenDir30k is BenchmarkOpenAsar30k on the same files unpacked
// in a folder (resources/app).
func BenchmarkOpenDir30k(b *testing.B) {
	dir := sizedRelease(b, b.TempDir(), false, 0, true)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Open(dir, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
