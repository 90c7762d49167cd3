package sbom

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/sbom/asar"
)

// TestDiffSharedDigestsMatchOpen: the two inventories of a diff, whose
// files both releases hold with the same bytes are hashed once (the
// digestExchange), are byte for byte the inventories Open gives each
// release alone, and so is the diff's report, on the diff fixtures and on
// a release of BenchmarkDiffVsSBOM's; and digests were really shared.
func TestDiffSharedDigestsMatchOpen(t *testing.T) {
	t.Parallel()
	type pair struct {
		name, old, new string
		// moved: no file is at the same path in both (nothing to share).
		moved bool
	}
	cases := []pair{
		{"windows", writeRelease(t, t.TempDir(), electronfix.Windows, electronfix.Clean()), writeRelease(t, t.TempDir(), electronfix.Windows, electronfix.Trojanized()), false},
		{"macos", writeRelease(t, t.TempDir(), electronfix.MacOS, electronfix.Clean()), writeRelease(t, t.TempDir(), electronfix.MacOS, electronfix.Trojanized()), false},
		{"layout-changed", writeRelease(t, t.TempDir(), electronfix.MacOS, electronfix.Clean()), writeRelease(t, t.TempDir(), electronfix.Windows, electronfix.Trojanized()), true},
		{"app-dir", writeAppDir(t, false), writeAppDir(t, true), false},
		{"same", writeAppDir(t, true), writeAppDir(t, true), false},
	}
	if !testing.Short() {
		// The shape of BenchmarkDiffVsSBOM's releases (which checks its
		// own reports against sequential reads at every run).
		cases = append(cases, pair{"bench-asar-30k", sizedRelease(t, t.TempDir(), false, 0, false), sizedRelease(t, t.TempDir(), true, 0, false), false})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{Signatures: fixtureSignatures(t)}
			marshal := func(v any) []byte {
				t.Helper()
				b, err := json.Marshal(v)
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			wantOld, err := Open(tc.old, opts)
			if err != nil {
				t.Fatal(err)
			}
			wantNew, err := Open(tc.new, opts)
			if err != nil {
				t.Fatal(err)
			}
			workers := []int{1, 2, 5}
			if strings.HasPrefix(tc.name, "bench-") {
				workers = []int{2} // large: once
			}
			for _, workers := range workers {
				opts.Workers = workers
				x := newExchange()
				gotOld, gotNew, err := openBoth(tc.old, tc.new, opts, x)
				if err != nil {
					t.Fatal(err)
				}
				if g, w := marshal(gotOld), marshal(wantOld); !bytes.Equal(g, w) {
					t.Fatalf("workers %d: old inventory differs from Open's:\n got %s\nwant %s", workers, g, w)
				}
				if g, w := marshal(gotNew), marshal(wantNew); !bytes.Equal(g, w) {
					t.Fatalf("workers %d: new inventory differs from Open's:\n got %s\nwant %s", workers, g, w)
				}
				d := DiffOptions{ToolVersion: "v1"}
				if g, w := marshal(diffReport(tc.old, tc.new, gotOld, gotNew, d)), marshal(diffReport(tc.old, tc.new, wantOld, wantNew, d)); !bytes.Equal(g, w) {
					t.Fatalf("workers %d: report differs:\n got %s\nwant %s", workers, g, w)
				}
				if x.taken.Load() == 0 && !tc.moved {
					t.Errorf("workers %d: no digest shared: the case tests nothing", workers)
				}
			}
		})
	}
}

// changingReaderAt is a file whose bytes are first and, from its second
// read on, then: a file rewritten while it is read.
type changingReaderAt struct {
	first, then []byte
	reads       int
}

func (c *changingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	c.reads++
	b := c.then
	if c.reads == 1 {
		b = c.first
	}
	if off >= int64(len(b)) {
		return 0, io.EOF
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func sumHex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestAttackSharedDigestOtherBytes: a digest one release's file lends the
// other is the digest of the very bytes compared, never of other bytes
// the lender's file or buffer holds afterwards: a file rewritten while it
// is read (old bytes hashed, new bytes there when read again), or the
// hashing buffer reused for the next file, would otherwise give the other
// release's new bytes (a trojan) the old bytes' digest, and the diff would
// call the file unchanged.
func TestAttackSharedDigestOtherBytes(t *testing.T) {
	good := bytes.Repeat([]byte("module.exports = 1\n"), 40)
	evil := bytes.Repeat([]byte("evil(); /* padd */\n"), 40)[:len(good)]
	side := func(x *digestExchange, i int) *builder {
		return &builder{opts: Options{share: &exchangeSide{x, i}, Logger: slog.New(slog.DiscardHandler)}, inv: &Inventory{}}
	}
	t.Run("file", func(t *testing.T) {
		x := newExchange()
		buf := make([]byte, 256<<10)
		// The old release's file is rewritten (good, then evil) as
		// it is read; the worker's buffer then takes the next file.
		old := &item{path: "resources/app/a.js", open: func() (io.ReaderAt, int64, io.Closer, error) {
			return &changingReaderAt{first: good, then: evil}, int64(len(good)), io.NopCloser(nil), nil
		}}
		side(x, 0).hashItem(old, buf)
		copy(buf, evil)
		nw := &item{path: "resources/app/a.js", open: func() (io.ReaderAt, int64, io.Closer, error) {
			return bytes.NewReader(evil), int64(len(evil)), io.NopCloser(nil), nil
		}}
		side(x, 1).hashItem(nw, make([]byte, 256<<10))
		if old.sha256 != sumHex(good) || nw.sha256 != sumHex(evil) {
			t.Errorf("digests %s, %s; want %s (read), %s (read)", old.sha256, nw.sha256, sumHex(good), sumHex(evil))
		}
	})
	t.Run("asar", func(t *testing.T) {
		x := newExchange()
		open := func(i int, data []byte) (*builder, *item) {
			arc, _ := electronfix.PackAsar([]electronfix.AsarFile{{Path: "a.js", Data: data}})
			ar, err := asar.NewReader(bytes.NewReader(arc), int64(len(arc)))
			if err != nil {
				t.Fatal(err)
			}
			e, err := ar.Entry("a.js")
			if err != nil {
				t.Fatal(err)
			}
			b := side(x, i)
			b.ar = ar
			return b, &item{path: "resources/app.asar/a.js", inAsar: true, ar: ar, asarName: "a.js", entrySize: e.Size, entry: e}
		}
		ob, old := open(0, good)
		span := bytes.Clone(good)
		ob.verifyData(old, span, bytes.NewReader(nil))
		copy(span, evil) // the span is reused for the next batch
		nb, nw := open(1, evil)
		nb.verifyData(nw, bytes.Clone(evil), bytes.NewReader(nil))
		if old.sha256 != sumHex(good) || nw.sha256 != sumHex(evil) || old.asarErr != nil || nw.asarErr != nil {
			t.Errorf("digests %s, %s (errors %v, %v); want %s, %s, intact", old.sha256, nw.sha256, old.asarErr, nw.asarErr, sumHex(good), sumHex(evil))
		}
	})
}

// TestDigestExchangeBudget: the bytes a digestExchange holds for the side
// that has not reached them yet, each file counted with its entryCost, stay
// within exchangeBudget; what the other side takes frees its share, and
// bytes it did not find cost it only a hash of its own.
func TestDigestExchangeBudget(t *testing.T) {
	x := newExchange()
	a, b := &exchangeSide{x, 0}, &exchangeSide{x, 1}
	data := make([]byte, 1<<20)
	n := 0
	for i := range 2 * exchangeBudget / len(data) {
		a.put(fmt.Sprint(i), data, sumHex(data))
		if x.held > exchangeBudget {
			t.Fatalf("%d bytes held, budget %d", x.held, exchangeBudget)
		}
		if _, there := x.files[fmt.Sprint(i)]; there {
			n++
		}
	}
	if n == 0 || n >= 2*exchangeBudget/len(data) {
		t.Fatalf("%d files held", n)
	}
	for i := range n {
		if sum, ok, _ := b.take(fmt.Sprint(i), data); !ok || sum != sumHex(data) {
			t.Fatalf("file %d: not taken", i)
		}
	}
	if x.held != 0 || len(x.files) != 0 {
		t.Errorf("%d bytes, %d files still held", x.held, len(x.files))
	}
	if _, ok, found := b.take(fmt.Sprint(n), data); ok || found {
		t.Error("took a file never left")
	}
}
