package verify

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
)

// FuzzReleaseZip runs Release over hostile zip archives (with native code,
// asar archives and links inside): it must never panic, never report a path
// that leaves the archive, and either fail the run or return a report.
func FuzzReleaseZip(f *testing.F) {
	fx := getFixtures(f)
	asar := packAsar([]electronfix.AsarFile{{Path: "a/b.node", Data: fx.machoValid}, {Path: "l", Link: "a"}})
	f.Add(makeZip(f, []zipEntry{{name: "a.exe", data: fx.peValid, store: true}, {name: "b/app.asar", data: asar}}))
	f.Add(makeZip(f, []zipEntry{{name: "x.dylib", data: fx.fat}, {name: "l", data: []byte("../x"), mode: os.ModeSymlink | 0o777}}))
	f.Add(makeZip(f, []zipEntry{{name: "../../evil", data: []byte("x")}, {name: "d/", data: nil}}))
	dir := f.TempDir()
	opts := Options{Trust: fx.trust, Time: checkTime, MaxBuffer: 1 << 20}
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "r.zip")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Release(context.Background(), opts, p)
		if err != nil {
			return
		}
		for _, f := range r.Files {
			if !validReportPath(f.Path) {
				t.Errorf("report path %q leaves the archive", f.Path)
			}
		}
	})
}

func validReportPath(p string) bool {
	if p == "" || p[0] == '/' {
		return false
	}
	for _, el := range filepath.SplitList(p) {
		if el == ".." {
			return false
		}
	}
	return filepath.IsLocal(p)
}
