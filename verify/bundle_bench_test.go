package verify

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
)

var (
	benchFrameworkMB = flag.Int("bundle-framework-mb", 100, "size of the framework binary of the benchmark .app in MiB")
	benchResourceMB  = flag.Int("bundle-resource-mb", 50, "size of the sealed resource of the benchmark .app in MiB")
)

var (
	bigAppOnce  sync.Once
	bigAppDir   string
	bigAppBytes int64
	bigAppErr   error
)

// bigApp writes an .app shaped like an Electron app: a signed framework
// whose main binary is -bundle-framework-mb MiB, a small signed main
// executable and a sealed resource (an app.asar stand-in) of
// -bundle-resource-mb MiB.
func bigApp(tb testing.TB) (string, int64) {
	bigAppOnce.Do(func() {
		bigAppDir, bigAppErr = os.MkdirTemp("", "shipgate-bench-app-")
		if bigAppErr != nil {
			return
		}
		bigAppBytes, bigAppErr = writeBigApp(bigAppDir, *benchFrameworkMB<<20, *benchResourceMB<<20)
	})
	if bigAppErr != nil {
		tb.Fatal(bigAppErr)
	}
	return bigAppDir, bigAppBytes
}

// bigAppFiles returns the files of an .app with a framework binary of
// fwSize bytes and a resource of resSize bytes, by path.
func bigAppFiles(p *machofile.PKI, fwSize, resSize int) (map[string]machofile.BundleFile, error) {
	out := map[string]machofile.BundleFile{}
	fw := "Big.app/Contents/Frameworks/Big Framework.framework"
	fwRoot := fw + "/Versions/A"
	fwInfo := machofile.InfoPlist("Big Framework", "com.example.big.framework")
	fwFiles := map[string]machofile.BundleFile{"Resources/Info.plist": {Data: fwInfo}}
	fwSeal := machofile.CodeResources(fwFiles, nil)
	fwSpec := p.DeveloperIDSpec("com.example.big.framework")
	fwSpec.InfoPlist, fwSpec.CodeResources, fwSpec.ExecSegFlags = fwInfo, fwSeal, 0
	fwBin, fwLay, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 31, CodeSize: fwSize}), fwSpec)
	if err != nil {
		return nil, err
	}
	out[fwRoot+"/Big Framework"] = machofile.BundleFile{Data: fwBin, Mode: 0o755}
	out[fwRoot+"/Resources/Info.plist"] = machofile.BundleFile{Data: fwInfo}
	out[fwRoot+"/_CodeSignature/CodeResources"] = machofile.BundleFile{Data: fwSeal}
	out[fw+"/Versions/Current"] = machofile.BundleFile{Link: "A"}
	out[fw+"/Big Framework"] = machofile.BundleFile{Link: "Versions/Current/Big Framework"}
	out[fw+"/Resources"] = machofile.BundleFile{Link: "Versions/Current/Resources"}

	res := make([]byte, resSize)
	testpki.NewRand(32).Read(res)
	files := map[string]machofile.BundleFile{
		"Resources/app.asar.bin": {Data: res},
		"PkgInfo":                {Data: []byte("APPL????")},
	}
	nested := map[string]machofile.Nested{"Frameworks/Big Framework.framework": {CDHash: fwLay.CDs[0].CDHash(), Requirement: `identifier "com.example.big.framework" and anchor apple generic`}}
	info := machofile.InfoPlist("Big", "com.example.big")
	seal := machofile.CodeResources(files, nested)
	spec := p.DeveloperIDSpec("com.example.big")
	spec.InfoPlist, spec.CodeResources = info, seal
	exe, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 33, CodeSize: 64 << 10}), spec)
	if err != nil {
		return nil, err
	}
	for name, f := range files {
		out["Big.app/Contents/"+name] = f
	}
	out["Big.app/Contents/Info.plist"] = machofile.BundleFile{Data: info}
	out["Big.app/Contents/MacOS/Big"] = machofile.BundleFile{Data: exe, Mode: 0o755}
	out["Big.app/Contents/_CodeSignature/CodeResources"] = machofile.BundleFile{Data: seal}
	return out, nil
}

// writeBundleFiles writes bundle files under dir and returns the bytes of
// the regular files.
func writeBundleFiles(dir string, files map[string]machofile.BundleFile) (int64, error) {
	var total int64
	for name, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return 0, err
		}
		if f.Link != "" {
			if err := os.Symlink(f.Link, p); err != nil {
				return 0, err
			}
			continue
		}
		mode := f.Mode.Perm()
		if mode == 0 {
			mode = 0o644
		}
		if err := os.WriteFile(p, f.Data, mode); err != nil {
			return 0, err
		}
		total += int64(len(f.Data))
	}
	return total, nil
}

func writeBigApp(dir string, fwSize, resSize int) (int64, error) {
	f, err := makeFixtures()
	if err != nil {
		return 0, err
	}
	files, err := bigAppFiles(f.apple, fwSize, resSize)
	if err != nil {
		return 0, err
	}
	return writeBundleFiles(dir, files)
}

// BenchmarkReleaseBundle verifies a release holding one large .app (see
// bigApp) and reports MB/s over its bytes, and the ratio of its time to one
// sequential SHA-256 pass over the same files. Run the full-size
// measurement with
//
//	go test ./verify -run '^$' -bench ReleaseBundle -cpu 2 -benchtime 5x
func BenchmarkReleaseBundle(b *testing.B) {
	dir, total := bigApp(b)
	opts := Options{Trust: getFixtures(b).trust, Time: checkTime}
	if _, err := sha256Pass(dir); err != nil {
		b.Fatal(err)
	}
	base, err := sha256Pass(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := Release(context.Background(), opts, dir)
		if err != nil {
			b.Fatal(err)
		}
		if r.Summary.Errors != 0 {
			b.Fatalf("benchmark app has %d errors: %+v", r.Summary.Errors, r.Findings[:min(3, len(r.Findings))])
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed()/time.Duration(b.N))/float64(base), "x-sha256-pass")
}
