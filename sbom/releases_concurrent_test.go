package sbom

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/signing"
)

// writeAppDir writes a release whose application is an unpacked folder
// (resources/app) of 30 packages; changed alters one package's code and
// another's version.
func writeAppDir(t *testing.T, changed bool) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "rel")
	write := func(p, data string) {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("version", "30.1.2")
	write("resources/app/package.json", `{"name":"dirapp","version":"2.0.0","dependencies":{"pkg00":"*"}}`)
	write("resources/app/main.js", "require('pkg00')\n")
	for p := range 30 {
		v := p % 3
		if changed && p == 7 {
			v = 9
		}
		write(fmt.Sprintf("resources/app/node_modules/pkg%02d/package.json", p), fmt.Sprintf(`{"name":"pkg%02d","version":"1.0.%d"}`, p, v))
		for f := range 5 {
			code := fmt.Sprintf("module.exports = %d\n", p*f)
			if changed && p == 12 && f == 2 {
				code += "evil()\n"
			}
			write(fmt.Sprintf("resources/app/node_modules/pkg%02d/lib/f%d.js", p, f), code)
		}
	}
	return root
}

// jitterSignatures returns a Signatures callback that examines binaries as
// fixtureSignatures does, after a varying sleep, so that the files of two
// releases read at once finish in ever different orders.
func jitterSignatures(t *testing.T) func(io.ReaderAt, int64, string) ([]signing.Signature, error) {
	var n atomic.Int64
	sigs := fixtureSignatures(t)
	return func(r io.ReaderAt, size int64, kind string) ([]signing.Signature, error) {
		time.Sleep(time.Duration(n.Add(7)%5) * time.Millisecond)
		return sigs(r, size, kind)
	}
}

// TestDiffReleasesMatchesSequentialReads: DiffReleases reads both releases
// at once, sharing one budget of workers, yet its report is byte for byte
// the one of reading them one after the other, whatever the number of
// workers and the order the files finish in, with or without progress.
func TestDiffReleasesMatchesSequentialReads(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		old, new string
	}{
		{"windows", writeRelease(t, t.TempDir(), electronfix.Windows, electronfix.Clean()), writeRelease(t, t.TempDir(), electronfix.Windows, electronfix.Trojanized())},
		{"macos", writeRelease(t, t.TempDir(), electronfix.MacOS, electronfix.Clean()), writeRelease(t, t.TempDir(), electronfix.MacOS, electronfix.Trojanized())},
		{"layout-changed", writeRelease(t, t.TempDir(), electronfix.MacOS, electronfix.Clean()), writeRelease(t, t.TempDir(), electronfix.Windows, electronfix.Trojanized())},
		{"app-dir", writeAppDir(t, false), writeAppDir(t, true)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seqOpts := DiffOptions{ToolVersion: "v1", Inventory: Options{Signatures: jitterSignatures(t)}}
			o, err := Open(tc.old, seqOpts.Inventory)
			if err != nil {
				t.Fatal(err)
			}
			n, err := Open(tc.new, seqOpts.Inventory)
			if err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(diffReport(tc.old, tc.new, o, n, seqOpts))
			if err != nil {
				t.Fatal(err)
			}
			if len(diffReport(tc.old, tc.new, o, n, seqOpts).Findings) == 0 {
				t.Fatal("the releases differ in nothing a gate looks at: a weak case")
			}
			for _, workers := range []int{0, 1, 2, 5} {
				for _, progress := range []bool{false, true} {
					opts := DiffOptions{ToolVersion: "v1", Inventory: Options{Workers: workers, Signatures: jitterSignatures(t)}}
					var mu sync.Mutex
					var last Progress
					if progress {
						opts.Inventory.Progress = func(p Progress) {
							mu.Lock()
							defer mu.Unlock()
							if p.Files < last.Files || p.Bytes < last.Bytes {
								t.Errorf("progress went back: %+v after %+v", p, last)
							}
							last = p
						}
					}
					r, err := DiffReleases(context.Background(), tc.old, tc.new, opts)
					if err != nil {
						t.Fatal(err)
					}
					got, err := json.Marshal(r)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, want) {
						t.Fatalf("workers %d, progress %v: report differs from the sequential reads':\n got %s\nwant %s", workers, progress, got, want)
					}
					if progress && last.Files == 0 {
						t.Errorf("workers %d: no progress reported", workers)
					}
				}
			}
		})
	}
}

// TestDiffReleasesSharesWorkers: the two releases of DiffReleases hash no
// more files at once, together, than Workers.
func TestDiffReleasesSharesWorkers(t *testing.T) {
	t.Parallel()
	oldDir := writeRelease(t, t.TempDir(), electronfix.Windows, electronfix.Clean())
	newDir := writeRelease(t, t.TempDir(), electronfix.Windows, electronfix.Trojanized())
	for _, workers := range []int{1, 2, 3} {
		var busy, peak atomic.Int64
		sig := func(io.ReaderAt, int64, string) ([]signing.Signature, error) {
			b := busy.Add(1)
			for {
				p := peak.Load()
				if b <= p || peak.CompareAndSwap(p, b) {
					break
				}
			}
			time.Sleep(2 * time.Millisecond)
			busy.Add(-1)
			return nil, nil
		}
		_, err := DiffReleases(context.Background(), oldDir, newDir, DiffOptions{Inventory: Options{Workers: workers, Signatures: sig}})
		if err != nil {
			t.Fatal(err)
		}
		if p := peak.Load(); p > int64(workers) || p == 0 {
			t.Errorf("workers %d: %d binaries examined at once", workers, p)
		}
	}
}
