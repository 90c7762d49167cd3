package verify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sync"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
)

// readCounter counts the bytes read from each file, by absolute path.
type readCounter struct {
	mu sync.Mutex
	n  map[string]int64
}

func (c *readCounter) add(name string, n int) {
	c.mu.Lock()
	c.n[name] += int64(n)
	c.mu.Unlock()
}

// countedFile counts what is read from f.
type countedFile struct {
	f    *os.File
	name string
	c    *readCounter
}

func (f *countedFile) Read(p []byte) (int, error) {
	n, err := f.f.Read(p)
	f.c.add(f.name, n)
	return n, err
}

func (f *countedFile) ReadAt(p []byte, off int64) (int, error) {
	n, err := f.f.ReadAt(p, off)
	f.c.add(f.name, n)
	return n, err
}

func (f *countedFile) Stat() (fs.FileInfo, error) { return f.f.Stat() }
func (f *countedFile) Close() error               { return f.f.Close() }
func (f *countedFile) ReadDir(n int) ([]fs.DirEntry, error) {
	return f.f.ReadDir(n)
}

// countedFS is os.DirFS(root) counting what is read from its files.
type countedFS struct {
	root string
	fsys fs.FS
	c    *readCounter
}

func (c countedFS) Open(name string) (fs.File, error) {
	f, err := c.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	return &countedFile{f: f.(*os.File), name: filepath.Join(c.root, filepath.FromSlash(name)), c: c.c}, nil
}

func (c countedFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(c.fsys, name) }
func (c countedFS) Stat(name string) (fs.FileInfo, error)      { return fs.Stat(c.fsys, name) }
func (c countedFS) Lstat(name string) (fs.FileInfo, error)     { return fs.Lstat(c.fsys, name) }
func (c countedFS) ReadLink(name string) (string, error)       { return fs.ReadLink(c.fsys, name) }

// countReads returns a counter of the bytes a Release call given its
// hooks() reads from disk.
func countReads(t *testing.T) *readCounter {
	t.Helper()
	return &readCounter{n: map[string]int64{}}
}

// hooks returns the hooks that make a Release call count in c its reads of
// small files whole, of the files it opens and through the directories it
// opens.
func (c *readCounter) hooks() testHooks {
	return testHooks{
		readWhole: func(name string, buf []byte) (int, bool, int64, fs.FileMode) {
			n, ok, size, mode := readWholeFile(nil, name, 0, buf)
			c.add(name, n)
			return n, ok, size, mode
		},
		dirFS: func(root string) fs.FS { return countedFS{root: root, fsys: os.DirFS(root), c: c} },
		openFile: func(name string) (diskFile, error) {
			f, err := os.Open(name)
			if err != nil {
				return nil, err
			}
			return &countedFile{f: f, name: name, c: c}, nil
		},
	}
}

// TestBundleReadOnce checks that a release holding .app bundles reads each
// of their files once: a Mach-O file only by the bundle's verification,
// which also hashes it for the report, and a sealed resource only by its
// own check, whose SHA-256 the bundle's seal check reuses. Reading more than
// once would cost at least the file's size again; what is allowed beyond one
// pass is the kind sniff (4 KiB), the Mach-O headers and code signature read
// while parsing, and a second read of the bundle's Info.plist and
// CodeResources, which the bundle parses (CodeResources a third time, see
// codesign.SealUsesSHA1).
func TestBundleReadOnce(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	writeBundle(t, dir)
	big, err := bigAppFiles(f.apple, 3<<20, 2<<20)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := writeBundleFiles(dir, big); err != nil {
		t.Fatal(err)
	}
	// A Mach-O file outside the bundle root is not verified by the bundle,
	// and is checked on its own.
	stray := filepath.Join(dir, "Big.app", "stray.dylib")
	if err := os.WriteFile(stray, f.machoValid, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{1, 3} {
		c := countReads(t)
		r := run(t, Options{Workers: w, hooks: c.hooks()}, dir)
		// The stray file is unsealed content in the bundle root: its one error.
		if r.Summary.Errors != 1 {
			t.Fatalf("workers %d: %d errors, want 1 (the unsealed stray file): %v", w, r.Summary.Errors, r.Findings)
		}
		if len(r.Files) != 20 {
			t.Errorf("workers %d: %d files in the report, want 20", w, len(r.Files))
		}
		for _, file := range r.Files {
			p := filepath.Join(dir, filepath.FromSlash(file.Path))
			got := c.n[p]
			t.Logf("workers %d: %s (%s): %d bytes, %d read", w, file.Path, file.Kind, file.Size, got)
			// The kind sniff, codesign's sniff, the Mach-O headers and the
			// code signature (a hash per 4 KiB page per CodeDirectory).
			slack := int64(4096+8+16<<10) + file.Size/32
			switch base := filepath.Base(p); {
			case base == "Info.plist":
				// The bundle parses its metadata, besides its check
				// hashing it: small files, capped at 16 MiB.
				slack = file.Size + 8
			case base == "CodeResources":
				// Parsed by the bundle too, and read once more
				// by the walk's bundle state, to learn whether
				// the seal holds SHA-1 hashes the files' checks
				// must compute (codesign.SealUsesSHA1).
				slack = 2*file.Size + 8
			case !file.Kind.Native():
				// codesign's Mach-O sniff, and the disk image trailer
				// probe of a file longer than the kind sniff.
				slack = 8 + 12
			}
			if got < file.Size || got > file.Size+slack {
				t.Errorf("workers %d: %s (%s, %d bytes): %d bytes read, want one pass (%d to %d)", w, file.Path, file.Kind, file.Size, got, file.Size, file.Size+slack)
			}
		}
		if fileByPath(r, "Big.app/stray.dylib") == nil {
			t.Errorf("workers %d: the stray Mach-O file is not in the report", w)
		}
	}
}

// The bundle's items keep what their own checks report: kind, size, digest.
func TestBundleItemFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeBundle(t, dir)
	r := run(t, Options{}, dir)
	for name, bf := range exampleBundle(t) {
		if bf.Link != "" {
			continue
		}
		file := fileByPath(r, name)
		if file == nil {
			t.Errorf("%s: not in the report", name)
			continue
		}
		if file.Size != int64(len(bf.Data)) || file.SHA256.String() != sha256Hex(bf.Data) {
			t.Errorf("%s: size %d sha256 %s, want %d %s", name, file.Size, file.SHA256, len(bf.Data), sha256Hex(bf.Data))
		}
		if want := DetectKind(bf.Data); file.Kind != want {
			t.Errorf("%s: kind %s, want %s", name, file.Kind, want)
		}
		if file.Kind.Native() && len(file.Signatures) == 0 {
			t.Errorf("%s: no signatures", name)
		}
	}
}

var _ io.ReaderAt = (*countedFile)(nil)

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// cancelOnOpen is a countedFS that cancels the run when a file named name
// is opened.
type cancelOnOpen struct {
	countedFS
	name   string
	cancel context.CancelFunc
}

func (c cancelOnOpen) Open(name string) (fs.File, error) {
	if path.Base(name) == c.name {
		c.cancel()
	}
	return c.countedFS.Open(name)
}

// TestBundleCancel checks that a run cancelled while its bundle is being
// verified stops reading the bundle.
func TestBundleCancel(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	big, err := bigAppFiles(f.apple, 8<<20, 1<<10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := writeBundleFiles(dir, big); err != nil {
		t.Fatal(err)
	}
	c := countReads(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hooks := c.hooks()
	hooks.dirFS = func(root string) fs.FS {
		return cancelOnOpen{countedFS{root: root, fsys: os.DirFS(root), c: c}, "Big Framework", cancel}
	}
	_, err = Release(ctx, Options{Trust: f.trust, Time: checkTime, Workers: 1, hooks: hooks}, dir)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	fw := filepath.Join(dir, filepath.FromSlash("Big.app/Contents/Frameworks/Big Framework.framework/Versions/A/Big Framework"))
	if n := c.n[fw]; n > 1<<20 {
		t.Errorf("%d bytes of the framework read after the run was cancelled", n)
	}
}

// TestLargeFilesReadOnce checks that a release's large files are read
// once: a PE is hashed, Authenticode-hashed and searched for NSIS data in
// one pass (nsis.Find read every PE a second time), and a file the walk
// did not stat is read no further than 16 KiB before it is found too large
// to read whole and queued (it was read to 64 KiB, in vain). What is
// allowed beyond one pass: that first read, the kind sniff, and the PE's
// headers and signature, read while parsing.
func TestLargeFilesReadOnce(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	img, err := pefile.Build(pefile.Spec{Size: 3 << 20})
	if err != nil {
		t.Fatal(err)
	}
	pe, err := pefile.SignAttach(img, pefileSpec(f))
	if err != nil {
		t.Fatal(err)
	}
	other := make([]byte, 2<<20)
	testpki.NewRand(1).Read(other)
	writeTree(t, dir, map[string][]byte{"app.dll": pe, "asset.bin": other, "medium.bin": other[:40<<10], "small.js": other[:900]})
	c := countReads(t)
	r := run(t, Options{hooks: c.hooks()}, dir)
	if r.Summary.Errors != 0 || len(r.Files) != 4 {
		t.Fatalf("%d files, findings %+v", len(r.Files), r.Findings)
	}
	for _, file := range r.Files {
		got := c.n[filepath.Join(dir, file.Path)]
		// The first read of a file the walk did not stat, found too large
		// to read whole; for a PE, the kind sniff, its headers and
		// signature (the end of its signed part, where a zip archive
		// hidden before the certificate table is looked for, is kept by
		// the hashing pass); for the others, the disk image trailer
		// probe.
		slack := int64(16<<10 + 20)
		switch {
		case file.Size < smallFile:
			slack = 0
		case file.Kind == KindPE:
			slack = 16<<10 + sniffLen + 8<<10
		}
		t.Logf("%s (%s): %d bytes, %d read", file.Path, file.Kind, file.Size, got)
		if got < file.Size || got > file.Size+slack {
			t.Errorf("%s (%s, %d bytes): %d bytes read, want one pass (%d to %d)", file.Path, file.Kind, file.Size, got, file.Size, file.Size+slack)
		}
	}
}
