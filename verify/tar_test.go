package verify

import (
	"archive/tar"
	"bytes"
	"cmp"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// tarEntry is one member of a test tarball.
type tarEntry struct {
	name string
	data []byte
	typ  byte
	link string
	mode int64 // 0o755 when zero
}

func makeTar(t testing.TB, es ...tarEntry) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range es {
		h := &tar.Header{Name: e.name, Mode: cmp.Or(e.mode, 0o755), Typeflag: e.typ, Linkname: e.link}
		if h.Typeflag == 0 {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(e.data)
	}
	tw.Close()
	return b.Bytes()
}

func gzipOf(b []byte) []byte {
	var o bytes.Buffer
	w := gzip.NewWriter(&o)
	w.Write(b)
	w.Close()
	return o.Bytes()
}

// A trojanized DLL inside a tarball is found as it is in a directory,
// whatever the compression, at the path of the tarball plus its name.
func TestTarballEntriesVerified(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	plain := makeTar(t,
		tarEntry{name: "plugin/", typ: tar.TypeDir},
		tarEntry{name: "plugin/app.exe", data: f.peValid},
		tarEntry{name: "plugin/ffmpeg.dll", data: f.peTampered},
		tarEntry{name: "plugin/codec.dll", data: f.peUnsigned},
		tarEntry{name: "plugin/readme.txt", data: []byte("hi")},
	)
	var xzb bytes.Buffer
	xw, _ := xz.NewWriter(&xzb)
	xw.Write(plain)
	xw.Close()
	zw, _ := zstd.NewWriter(nil)
	zst := zw.EncodeAll(plain, nil)
	zw.Close()
	nested := makeZip(t, []zipEntry{{name: "dist/plugin.tgz", data: gzipOf(plain)}})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"p.tar":     plain,
		"p.tar.gz":  gzipOf(plain),
		"p.tar.xz":  xzb.Bytes(),
		"p.tar.zst": zst,
		"p.zip":     nested,
	})
	r := run(t, Options{Policy: requireValid()}, dir)
	for _, tb := range []string{"p.tar", "p.tar.gz", "p.tar.xz", "p.tar.zst", "p.zip/dist/plugin.tgz"} {
		if got := fileByPath(r, tb+"/plugin/app.exe"); got == nil || got.Kind != KindPE || len(got.Signatures) == 0 || got.Signatures[0].Status.String() != "valid" {
			t.Errorf("%s: app.exe = %+v", tb, got)
		}
		if got := rulesFor(r, tb+"/plugin/codec.dll"); !has(got, "error "+string(ruleUnsigned)) {
			t.Errorf("%s: codec.dll findings %q", tb, got)
		}
		if got := fileByPath(r, tb+"/plugin/ffmpeg.dll"); got == nil || got.Signatures[0].Status.String() != "invalid" {
			t.Errorf("%s: tampered ffmpeg.dll = %+v", tb, got)
		}
		if got := rulesFor(r, tb); len(got) != 0 {
			t.Errorf("%s: findings on the tarball %q", tb, got)
		}
		if got := fileByPath(r, tb+"/plugin/readme.txt"); got == nil {
			t.Errorf("%s: readme.txt missing", tb)
		}
	}
	if r.Summary.Passed {
		t.Error("release passed")
	}
}

// A tarball given as an input is opened, and is the release, as an input
// zip is (and as sbom lists it): its entries are reported under their
// paths in the archive, the tarball itself is no file of the report, and
// the input section gives its digest. Among other inputs, its entries are
// under its name. A gzip file that holds no tarball is a file.
func TestTarballInput(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	tgz := gzipOf(makeTar(t, tarEntry{name: "package/build/addon.node", data: f.peUnsigned}))
	p := writeFile(t, filepath.Join(dir, "pkg.tgz"), tgz)
	r := run(t, Options{Policy: requireValid()}, p)
	if got := rulesFor(r, "package/build/addon.node"); !has(got, "error "+string(ruleUnsigned)) {
		t.Errorf("findings %q", got)
	}
	if len(r.Files) != 1 || r.Files[0].Path != "package/build/addon.node" {
		t.Errorf("files %+v", r.Files)
	}
	sum := sha256.Sum256(tgz)
	if r.Input == nil || r.Input.SHA256 != hex.EncodeToString(sum[:]) || r.Input.Size != int64(len(tgz)) {
		t.Errorf("input %+v", r.Input)
	}
	other := writeFile(t, filepath.Join(dir, "notes.txt"), []byte("notes"))
	r = run(t, Options{Policy: requireValid()}, p, other)
	if got := rulesFor(r, "pkg.tgz/package/build/addon.node"); !has(got, "error "+string(ruleUnsigned)) {
		t.Errorf("among other inputs: findings %q", got)
	}
	if fileByPath(r, "pkg.tgz") != nil || fileByPath(r, "notes.txt") == nil {
		t.Errorf("among other inputs: files %+v", r.Files)
	}
	gz := writeFile(t, filepath.Join(dir, "data.gz"), gzipOf([]byte("not a tarball")))
	r = run(t, Options{}, gz)
	if len(r.Files) != 1 || r.Files[0].Path != "data.gz" || !has(rulesFor(r, "data.gz"), "warning "+string(ruleUncheckedArchive)) {
		t.Errorf("gzip of no tarball: files %+v, findings %+v", r.Files, r.Findings)
	}
}

// The entries of a zip archive inside a plain tarball are read through
// the tarball's bytes, on other workers: the tarball stays open until
// they are checked. It was closed once its own check ended, and entries
// still queued were file/unreadable ("file already closed").
func TestTarballKeptOpenForZipEntries(t *testing.T) {
	t.Parallel()
	var zes []zipEntry
	for i := range 300 {
		zes = append(zes, zipEntry{name: fmt.Sprintf("f%03d.txt", i), data: fmt.Appendf(nil, "data %d %0200d", i, i), store: i%2 == 0})
	}
	tarball := makeTar(t, tarEntry{name: "pad.bin", data: make([]byte, 100<<10)}, tarEntry{name: "in.zip", data: makeZip(t, zes)})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"x.tar": tarball, "y.tar": tarball[512+100<<10:]})
	for _, in := range []string{dir, filepath.Join(dir, "x.tar")} {
		r := run(t, Options{Workers: 2}, in)
		if len(r.Findings) != 0 {
			t.Errorf("%s: %d findings, the first %+v", in, len(r.Findings), r.Findings[0])
		}
	}
}

func TestTarballFindings(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	clean := makeTar(t, tarEntry{name: "a.txt", data: []byte("alpha")})
	padded := bytes.Clone(clean)
	padded[512+5] = 'X'
	cases := []struct {
		name string
		tar  []byte
		path string // where the finding is, under the tarball
		rule signing.Rule
	}{
		{"insecure path", makeTar(t, tarEntry{name: "../evil.dll", data: f.peUnsigned}), "", ruleInsecurePath},
		{"duplicate", makeTar(t, tarEntry{name: "a.dll", data: f.peValid}, tarEntry{name: "a.dll", data: f.peUnsigned}), "/a.dll", ruleDuplicateEntry},
		{"symlink escape", makeTar(t, tarEntry{name: "l", typ: tar.TypeSymlink, link: "../../etc/passwd"}), "/l", ruleSymlinkEscape},
		{"dangling hard link", makeTar(t, tarEntry{name: "h", typ: tar.TypeLink, link: "../../etc/passwd"}), "/h", ruleTarHardlink},
		{"device", makeTar(t, tarEntry{name: "mem", typ: tar.TypeChar}), "/mem", ruleTarSpecialEntry},
		{"fifo", makeTar(t, tarEntry{name: "pipe", typ: tar.TypeFifo}), "/pipe", ruleTarSpecialEntry},
		{"bytes after the end marker", append(bytes.Clone(clean), f.peUnsigned...), "", ruleTarTrailingData},
		{"non-zero padding", padded, "", ruleTarHiddenData},
		{"second gzip member", append(gzipOf(clean), gzipOf(makeTar(t, tarEntry{name: "evil.dll", data: f.peUnsigned}))...), "", ruleTarTrailingData},
		{"truncated stream", gzipOf(clean)[:40], "", ruleMalformed},
		{"deflate member with a corrupt stream", append([]byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"), bytes.Repeat([]byte{0xff}, 64)...), "", ruleMalformed},
		{"truncated entry", gzipOf(makeTar(t, tarEntry{name: "a.dll", data: f.peUnsigned}))[:400], "/a.dll", ruleMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"x.tar": c.tar})
			r := run(t, Options{}, dir)
			if got := rulesFor(r, "x.tar"+c.path); !has(got, "error "+string(c.rule)) {
				t.Errorf("findings at x.tar%s: %q; all: %+v", c.path, got, r.Findings)
			}
		})
	}
	// The clean tarball has none.
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"x.tar": clean, "y.tar.gz": gzipOf(clean)})
	if r := run(t, Options{}, dir); len(r.Findings) != 0 {
		t.Errorf("clean tarballs: %+v", r.Findings)
	}
}

// A hard link in a tarball is the file it links to, judged by the policy's
// rules for the link's own path too.
func TestTarballHardLinkJudgedAtItsPath(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"x.tar": makeTar(t,
		tarEntry{name: "lib/codec.dat", data: f.peUnsigned},
		tarEntry{name: "bin/codec.dll", typ: tar.TypeLink, link: "lib/codec.dat"})})
	pol := &Policy{Rules: []Rule{{Match: []string{"**/*.dll"}, Require: "valid"}}}
	r := run(t, Options{Policy: pol}, dir)
	if got := rulesFor(r, "x.tar/bin/codec.dll"); !has(got, "error "+string(ruleUnsigned)) {
		t.Errorf("findings %q; all %+v", got, r.Findings)
	}
}

// A hard link in a tarball is listed as a file of its own, as sbom lists
// it and extractors write it, with the facts the check of its target found
// when the stream gave the target's bytes (a compressed stream is not read
// again): its digest, kind and signatures. A later entry of the target's
// name does not change what the link holds. A link to no earlier file is
// file/tar-hardlink, and no file.
func TestTarballHardLinkListedWithTargetFacts(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	p := writeFile(t, filepath.Join(t.TempDir(), "rel.tar.gz"), gzipOf(makeTar(t,
		tarEntry{name: "lib/app.dat", data: f.peValid},
		tarEntry{name: "bin/app.exe", typ: tar.TypeLink, link: "lib/app.dat"},
		tarEntry{name: "lib/app.dat", data: []byte("replaced")},
		tarEntry{name: "bin/dangling.exe", typ: tar.TypeLink, link: "lib/later.dat"},
		tarEntry{name: "lib/later.dat", data: f.peUnsigned},
	)))
	r := run(t, Options{Policy: requireValid()}, p)
	link := fileByPath(r, "bin/app.exe")
	sum := sha256.Sum256(f.peValid)
	if link == nil || link.SHA256 != sum || link.Kind != KindPE || link.Size != int64(len(f.peValid)) ||
		len(link.Signatures) != 1 || link.Signatures[0].Status != signing.StatusValid {
		t.Fatalf("link: %+v; files %+v", link, r.Files)
	}
	if got := rulesFor(r, "bin/app.exe"); len(got) != 0 {
		t.Errorf("link findings %q", got)
	}
	if fileByPath(r, "bin/dangling.exe") != nil || !has(rulesFor(r, "bin/dangling.exe"), "error "+string(ruleTarHardlink)) {
		t.Errorf("dangling link: findings %q", rulesFor(r, "bin/dangling.exe"))
	}
	// The report is the same run after run.
	a, _ := json.Marshal(r)
	b, _ := json.Marshal(run(t, Options{Policy: requireValid()}, p))
	if !bytes.Equal(a, b) {
		t.Error("two runs differ")
	}
}

// The tar reader's rule IDs are the ones this package reports for every
// container.
func TestTarRulesAreContainerRules(t *testing.T) {
	t.Parallel()
	for got, want := range map[signing.Rule]signing.Rule{release.RuleMalformed: ruleMalformed, release.RuleUnreadable: ruleUnreadable,
		release.RuleInsecurePath: ruleInsecurePath, release.RuleDuplicateEntry: ruleDuplicateEntry} {
		if got != want {
			t.Errorf("release rule %s, verify rule %s", got, want)
		}
	}
}

// A native file inside a compressed tarball that is itself held in memory
// (inside a deflated zip) may take only what the tarball leaves of the
// memory limit: waiting for more would wait for the tarball's own bytes.
func TestTarballEntryUnderHeldBudget(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	tgz := gzipOf(makeTar(t, tarEntry{name: "codec.dll", data: f.peValid}, tarEntry{name: "small.exe", data: f.peValid[:64]}))
	zp := filepath.Join(t.TempDir(), "r.zip")
	os.WriteFile(zp, makeZip(t, []zipEntry{{name: "plugins.tgz", data: tgz}}), 0o644)
	// The limit fits the DLL alone, and the tarball alone, not both.
	r := run(t, Options{MaxBuffer: int64(len(tgz)) + int64(len(f.peValid)) - 1, Workers: 1}, zp)
	if got := rulesFor(r, "plugins.tgz/codec.dll"); !has(got, "error "+string(ruleUnreadable)) {
		t.Errorf("codec.dll: %q", got)
	}
	if got := fileByPath(r, "plugins.tgz/small.exe"); got == nil {
		t.Error("small.exe, which fits, was not checked")
	}
}

// A file of random bytes that happen to start with gzip's two magic bytes,
// as one in 65,536 does, is not a gzip stream unless the method byte that
// follows is 8 (deflate), the only one gzip and every decompressor accept:
// it is neither a malformed tarball (an error, which failed
// BenchmarkReleaseSmallFiles on three of its 100,000 random files) nor an
// unopened archive.
func TestRandomBytesAfterGzipMagicNotMalformed(t *testing.T) {
	t.Parallel()
	for _, head := range []string{"\x1f\x8b\xf8\x0a", "\x1f\x8b\x8a\x9b", "\x1f\x8b\x59\xb1"} {
		data := make([]byte, 1500)
		testpki.NewRand(7).Read(data)
		copy(data, head)
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"lib/file.js": data})
		if r := run(t, Options{}, dir); len(r.Findings) != 0 {
			t.Errorf("% x…: %+v", head, r.Findings)
		}
	}
}
