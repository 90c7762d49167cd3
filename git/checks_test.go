package git

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/ulikunitz/xz"

	"github.com/shipgate/shipgate/signing"
)

// noise returns n deterministic pseudo-random bytes (like a compressed test
// fixture carrying a payload).
func noise(n int, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return string(b)
}

func TestAuditBinaryAndDates(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	c0 := tr.commit(commitSpec{files: map[string]string{"src/a.c": "int x;\n"}})
	tr.tag("v1", c0, nil)
	b64 := noiseB64(9000)
	files := map[string]string{
		"src/a.c":                             "int x;\n",
		"tests/files/bad-3-corrupt_lzma2.xz":  noise(4096, 1), // binary by content, not by extension
		"tests/files/good-large_compressed.x": noise(2048, 2),
		"tests/files/blob.txt":                b64,           // high-entropy text
		"docs/logo.png":                       noise(512, 3), // allowed by policy
		"src/b.c":                             strings.Repeat("int y = 1; /* ordinary code */\n", 200),
	}
	c1 := tr.commit(commitSpec{files: files, parents: []plumbing.Hash{c0}})
	// Committer date before author date, and a date in the future.
	c2 := tr.commit(commitSpec{files: files, parents: []plumbing.Hash{c1}, when: epoch.Add(48 * time.Hour), cwhen: epoch.Add(47 * time.Hour)})
	c3 := tr.commit(commitSpec{files: files, parents: []plumbing.Hash{c2}, when: epoch.Add(50 * time.Hour), cwhen: epoch.Add(24 * 365 * time.Hour)})
	// A merge that introduces a binary of its own (evil merge) and one
	// brought by its side branch (charged to the side commit only).
	side := tr.commit(commitSpec{files: with(files, "side.bin", noise(300, 4)), parents: []plumbing.Hash{c3}, when: epoch.Add(51 * time.Hour)})
	m := tr.commit(commitSpec{files: with(files, "side.bin", noise(300, 4), "merge.bin", noise(300, 5)), parents: []plumbing.Hash{c3, side}, when: epoch.Add(52 * time.Hour)})
	tr.head(m)
	res, err := Audit(context.Background(), tr.dir, Options{Since: "v1", Now: epoch.Add(100 * time.Hour),
		Policy: &Policy{BinaryAllow: []string{"docs/**/*.png", "docs/*.png"}}})
	if err != nil {
		t.Fatal(err)
	}
	var bins []string
	for _, f := range findingsOf(res, RuleBinaryAdded) {
		bins = append(bins, f.Path+"@"+f.Commit[:7])
	}
	want := []string{
		"merge.bin@" + m.String()[:7],
		"side.bin@" + side.String()[:7],
		"tests/files/bad-3-corrupt_lzma2.xz@" + c1.String()[:7],
		"tests/files/blob.txt@" + c1.String()[:7],
		"tests/files/good-large_compressed.x@" + c1.String()[:7],
	}
	if !slices.Equal(bins, want) {
		t.Errorf("binary-added: %v, want %v", bins, want)
	}
	dates := commitsOf(findingsOf(res, RuleDateAnomaly))
	wantDates := []string{c2.String(), c3.String()}
	slices.Sort(wantDates)
	if !slices.Equal(dates, wantDates) {
		t.Errorf("date-anomaly on %v, want %v", dates, wantDates)
	}
}

func noiseB64(n int) string {
	var b bytes.Buffer
	enc := []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
	r := rand.New(rand.NewPCG(9, 9))
	for i := 0; i < n; i++ {
		b.WriteByte(enc[r.IntN(64)])
	}
	return b.String()
}

func with(m map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestClassify(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		b    string
		want bool
	}{
		{"source", strings.Repeat("func main() { println(\"hello\") }\n", 300), false},
		{"utf8 prose", strings.Repeat("Grüße, 世界 — ok.\n", 300), false},
		{"nul", "abc\x00def", true},
		{"latin1", strings.Repeat("caf\xe9 ", 100), true},
		{"random", noise(1000, 7), true},
		{"base64 one line", noiseB64(8192), true},
		{"base64 wrapped", wrap(noiseB64(8192), 76), true},
	} {
		if got := classify([]byte(c.b), int64(len(c.b))).suspicious; got != c.want {
			t.Errorf("%s: suspicious=%v, want %v", c.name, got, c.want)
		}
	}
}

func wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n] + "\n")
		s = s[n:]
	}
	return b.String() + s
}

func TestAuditVendorDrift(t *testing.T) {
	t.Parallel()
	up := newTestRepo(t)
	upFiles := map[string]string{"zlib.h": "#define ZLIB 1\n", "inflate.c": "int inflate;\n", "contrib/x.c": "x\n"}
	upCommit := up.commit(commitSpec{files: upFiles})
	up.head(upCommit)

	local := newTestRepo(t)
	base := map[string]string{"src/main.c": "m\n"}
	for k, v := range upFiles {
		base["third_party/zlib/"+k] = v
	}
	c0 := local.commit(commitSpec{files: base})
	local.tag("v1", c0, nil)
	drifted := with(base, "third_party/zlib/inflate.c", "int inflate; /* backdoor */\n", "third_party/zlib/extra.c", "evil\n")
	delete(drifted, "third_party/zlib/contrib/x.c")
	c1 := local.commit(commitSpec{files: drifted, parents: []plumbing.Hash{c0}})
	local.head(c1)
	pin := VendorPin{Path: "third_party/zlib", Upstream: up.dir, Commit: upCommit.String()}

	for _, c := range []struct {
		name  string
		until string
		want  []string
	}{
		{"pristine", "v1", nil},
		{"drifted", "master", []string{"third_party/zlib/contrib/x.c", "third_party/zlib/extra.c", "third_party/zlib/inflate.c"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := Audit(context.Background(), local.dir, Options{Until: c.until, Policy: &Policy{Vendor: []VendorPin{pin}}})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range findingsOf(res, RuleVendorDrift) {
				got = append(got, f.Path)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("vendor-drift %v, want %v", got, c.want)
			}
		})
	}

	// The same pin found in a README.chromium under a protected directory,
	// resolved through the policy's upstreams map.
	withReadme := with(drifted, "third_party/zlib/README.chromium", "Name: zlib\nURL: https://github.com/madler/zlib\nRevision: "+upCommit.String()+"\n")
	c2 := local.commit(commitSpec{files: withReadme, parents: []plumbing.Hash{c1}})
	local.head(c2)
	pol := &Policy{Protect: []ProtectRule{{Path: "third_party/**"}}, Upstreams: map[string]string{"https://github.com/madler/zlib": up.dir}}
	res, err := Audit(context.Background(), local.dir, Options{Since: "master~1", Policy: pol})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(findingsOf(res, RuleVendorDrift)); n != 3 {
		t.Errorf("README.chromium pin: %d drift findings, want 3: %+v", n, res.Findings)
	}
	// Without a clone: unverified, as a note.
	res, err = Audit(context.Background(), local.dir, Options{Since: "master~1", Policy: &Policy{Protect: pol.Protect}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(findingsOf(res, RuleVendorUnverified)); n != 1 {
		t.Errorf("unverified: %+v", res.Findings)
	}
}

func TestAuditSubtreePin(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	// Upstream history merged in with git subtree (no squash): the split
	// commit lives in this repository.
	split := tr.commit(commitSpec{files: map[string]string{"lib.c": "up\n"}})
	c0 := tr.commit(commitSpec{files: map[string]string{"main.c": "m\n"}})
	tr.tag("v1", c0, nil)
	m := tr.commit(commitSpec{files: map[string]string{"main.c": "m\n", "vendor/lib/lib.c": "up\n"}, parents: []plumbing.Hash{c0, split},
		msg: "Add 'vendor/lib/' from commit '" + split.String() + "'\n\ngit-subtree-dir: vendor/lib\ngit-subtree-mainline: " + c0.String() + "\ngit-subtree-split: " + split.String() + "\n"})
	c1 := tr.commit(commitSpec{files: map[string]string{"main.c": "m\n", "vendor/lib/lib.c": "patched\n"}, parents: []plumbing.Hash{m}})
	tr.head(c1)
	for _, c := range []struct {
		until string
		want  int
	}{{m.String(), 0}, {"master", 1}} {
		res, err := Audit(context.Background(), tr.dir, Options{Since: "v1", Until: c.until})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(findingsOf(res, RuleVendorDrift)); n != c.want {
			t.Errorf("until %s: %d drift findings, want %d: %+v", c.until, n, c.want, res.Findings)
		}
	}
}

// writeTar writes files (name -> content) as a tarball under prefix.
func writeTar(t *testing.T, name, prefix string, files map[string]string) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	keys := make([]string, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	tw.WriteHeader(&tar.Header{Name: prefix + "/", Typeflag: tar.TypeDir, Mode: 0o755})
	for _, k := range keys {
		c := files[k]
		if target, ok := strings.CutPrefix(c, "symlink:"); ok {
			tw.WriteHeader(&tar.Header{Name: prefix + "/" + k, Typeflag: tar.TypeSymlink, Linkname: target})
			continue
		}
		tw.WriteHeader(&tar.Header{Name: prefix + "/" + k, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(c))})
		tw.Write([]byte(c))
	}
	tw.Close()
	var out bytes.Buffer
	switch {
	case strings.HasSuffix(name, ".tar.gz"):
		zw := gzip.NewWriter(&out)
		zw.Write(buf.Bytes())
		zw.Close()
	case strings.HasSuffix(name, ".tar.xz"):
		xw, err := xz.NewWriter(&out)
		if err != nil {
			t.Fatal(err)
		}
		xw.Write(buf.Bytes())
		xw.Close()
	default:
		out = buf
	}
	if err := os.WriteFile(name, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestAuditArtifact(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	tagged := map[string]string{
		"configure.ac":     "AC_INIT([xz])\n",
		"m4/ax_pthread.m4": "dnl pthread\n",
		"src/liblzma/a.c":  "int a;\n",
		"link":             "symlink:src/liblzma/a.c",
		".github/ci.yml":   "on: push\n",
		".gitattributes":   "/tests/ci export-ignore\n*.yml export-ignore\n",
		"tests/ci/run.sh":  "#!/bin/sh\n",
		"tests/files/x.xz": "xz\n",
	}
	c := tr.commit(commitSpec{files: tagged})
	tr.tag("v5.6.1", c, nil)
	tr.head(c)
	dir := t.TempDir()
	release := with(tagged, "m4/build-to-host.m4", "dnl payload extraction\n", "configure", "#!/bin/sh\n")
	delete(release, ".github/ci.yml")
	tampered := with(release, "src/liblzma/a.c", "int a; /* changed */\n")
	pol := &Policy{ArtifactAllow: []string{"configure"}, ArtifactIgnoreMissing: []string{".github/**"}}
	cases := []struct {
		name  string
		files map[string]string
		ext   string
		want  []signing.Rule
	}{
		{"exact.tar", with(tagged), ".tar", []signing.Rule{RuleArtifactFileMissing}},
		{"extra-m4.tar.gz", release, ".tar.gz", []signing.Rule{RuleArtifactFileNotInTag}},
		{"tampered.tar.xz", tampered, ".tar.xz", []signing.Rule{RuleArtifactFileNotInTag, RuleArtifactContentDiffers}},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			p := filepath.Join(dir, cs.name)
			writeTar(t, p, "xz-5.6.1", cs.files)
			res, err := Audit(context.Background(), tr.dir, Options{Since: "v5.6.1", Policy: pol, ArtifactPath: p})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				got = append(got, string(f.Rule)+":"+f.Path)
			}
			var want []string
			for _, r := range cs.want {
				switch r {
				case RuleArtifactFileMissing:
					// .github is ignored by policy, so only when the policy
					// is bypassed; exact.tar holds it and is clean.
					continue
				case RuleArtifactFileNotInTag:
					want = append(want, string(r)+":m4/build-to-host.m4")
				case RuleArtifactContentDiffers:
					want = append(want, string(r)+":src/liblzma/a.c")
				}
			}
			SortFindings(res.Findings)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("findings %v, want %v", got, want)
			}
		})
	}
	// A directory (fs.FS) missing files, without a policy.
	fsys := fstest.MapFS{}
	for k, v := range tagged {
		// tests/ci and *.yml are export-ignore in .gitattributes: their
		// absence is expected.
		if strings.HasPrefix(v, "symlink:") || k == "configure.ac" || k == "tests/ci/run.sh" || k == ".github/ci.yml" {
			continue
		}
		fsys[k] = &fstest.MapFile{Data: []byte(v)}
	}
	res, err := Audit(context.Background(), tr.dir, Options{Since: "v5.6.1", Artifact: fsys})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, string(f.Rule)+":"+f.Path)
	}
	want := []string{string(RuleArtifactFileMissing) + ":configure.ac", string(RuleArtifactFileMissing) + ":link"}
	if !slices.Equal(got, want) {
		t.Errorf("fs artifact: %v, want %v", got, want)
	}
	// Unsafe names and a corrupt archive are findings, not panics.
	bad := filepath.Join(dir, "evil.tar")
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "../../etc/passwd", Typeflag: tar.TypeReg, Size: 1})
	tw.Write([]byte("x"))
	tw.Close()
	b := buf.Bytes()
	os.WriteFile(bad, append(b[:len(b)-1024:len(b)-1024], []byte("garbage-garbage")...), 0o644)
	res, err = Audit(context.Background(), tr.dir, Options{Since: "v5.6.1", ArtifactPath: bad})
	if err != nil {
		t.Fatal(err)
	}
	if len(findingsOf(res, RuleArtifactFileNotInTag)) != 1 {
		t.Errorf("evil tar: %+v", res.Findings)
	}
}

func FuzzScanTar(f *testing.F) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "p/a.txt", Typeflag: tar.TypeReg, Size: 2})
	tw.Write([]byte("hi"))
	tw.WriteHeader(&tar.Header{Name: "p/l", Typeflag: tar.TypeLink, Linkname: "p/a.txt"})
	tw.Close()
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		sc, err := scanTar(context.Background(), bytes.NewReader(b), int64(len(b)), "fuzz.tar", nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range sc.entries {
			if _, ok := cleanArchiveName(e.name); !ok || strings.HasPrefix(e.name, "/") {
				t.Fatalf("unsafe name kept: %q", e.name)
			}
		}
	})
}
