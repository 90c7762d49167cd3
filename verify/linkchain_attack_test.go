package verify

import (
	"archive/tar"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/walk"
)

// chainLinks are links each of whose targets looks inside the release, but
// that lead out of it once followed: sub/up is the release's root, so
// sub/b ("up/../outside.dll") is the folder the release is in, and sub/a
// follows sub/b.
var chainLinks = [][2]string{
	{"sub/up", ".."},
	{"sub/b", "up/../outside.dll"},
	{"sub/a", "b"},
}

// chainInside are links through links that stay inside the release, and a
// loop, which reaches nothing.
var chainInside = [][2]string{
	{"sub/up", ".."},
	{"sub/b", "up/lib/readme.txt"},
	{"sub/a", "b"},
	{"sub/l1", "l2"},
	{"sub/l2", "l1"},
}

// symlinkTree writes the links (path, target) under dir, or skips the test
// where symbolic links cannot be made.
func symlinkTree(t *testing.T, dir string, links [][2]string) {
	t.Helper()
	for _, l := range links {
		p := filepath.Join(dir, filepath.FromSlash(l[0]))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(l[1], p); err != nil {
			t.Skip("no symbolic links here:", err)
		}
	}
}

// A chain of links out of a release folder, each hop looking local, was not
// reported: each link's target was judged alone.
func TestAttackSymlinkChainEscape(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	writeTree(t, base, map[string][]byte{"outside.dll": []byte("not in the release"), "rel/lib/readme.txt": []byte("hi")})
	dir := filepath.Join(base, "rel")
	symlinkTree(t, dir, chainLinks)
	mustFail(t, Options{}, "sub/b", ruleSymlinkEscape, dir)
	mustFail(t, Options{}, "sub/a", ruleSymlinkEscape, dir)
}

// The same chain in a tarball.
func TestAttackSymlinkChainEscapeTar(t *testing.T) {
	t.Parallel()
	es := []tarEntry{{name: "lib/readme.txt", data: []byte("hi")}}
	for _, l := range chainLinks {
		es = append(es, tarEntry{name: l[0], typ: tar.TypeSymlink, link: l[1]})
	}
	p := writeFile(t, filepath.Join(t.TempDir(), "rel.tar"), makeTar(t, es...))
	mustFail(t, Options{}, "sub/b", ruleSymlinkEscape, p)
	mustFail(t, Options{}, "sub/a", ruleSymlinkEscape, p)
}

// The same chain in a zip archive, with Windows separators, which
// extractors on Windows follow, and through a link named in another case,
// which case-insensitive file systems (APFS, NTFS) follow.
func TestAttackSymlinkChainEscapeZip(t *testing.T) {
	t.Parallel()
	for name, links := range map[string][][2]string{
		"slash":     chainLinks,
		"backslash": {{"sub/up", ".."}, {"sub/b", `up\..\outside.dll`}, {"sub/a", "b"}},
		"case":      {{"sub/Up", ".."}, {"sub/b", "uP/../outside.dll"}, {"sub/a", "b"}},
	} {
		t.Run(name, func(t *testing.T) {
			es := []zipEntry{{name: "lib/readme.txt", data: []byte("hi")}}
			for _, l := range links {
				es = append(es, zipEntry{name: l[0], data: []byte(l[1]), mode: fs.ModeSymlink | 0o777})
			}
			p := writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), makeZip(t, es))
			mustFail(t, Options{}, "sub/b", ruleSymlinkEscape, p)
			mustFail(t, Options{}, "sub/a", ruleSymlinkEscape, p)
		})
	}
}

// Chains that stay inside the release, and a loop, are no finding, in a
// folder, a tarball and a zip archive.
func TestAttackSymlinkChainInside(t *testing.T) {
	t.Parallel()
	check := func(t *testing.T, r *Report) {
		t.Helper()
		for _, f := range r.Findings {
			if f.Rule == ruleSymlinkEscape {
				t.Errorf("%s: %s", f.Path, f.Message)
			}
		}
		if !r.Summary.Passed {
			t.Errorf("failed: %v", r.Findings)
		}
	}
	t.Run("folder", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"lib/readme.txt": []byte("hi")})
		symlinkTree(t, dir, chainInside)
		check(t, run(t, Options{}, dir))
	})
	t.Run("tar", func(t *testing.T) {
		es := []tarEntry{{name: "lib/readme.txt", data: []byte("hi")}}
		for _, l := range chainInside {
			es = append(es, tarEntry{name: l[0], typ: tar.TypeSymlink, link: l[1]})
		}
		check(t, run(t, Options{}, writeFile(t, filepath.Join(t.TempDir(), "rel.tar"), makeTar(t, es...))))
	})
	t.Run("zip", func(t *testing.T) {
		es := []zipEntry{{name: "lib/readme.txt", data: []byte("hi")}}
		for _, l := range chainInside {
			es = append(es, zipEntry{name: l[0], data: []byte(l[1]), mode: fs.ModeSymlink | 0o777})
		}
		check(t, run(t, Options{}, writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), makeZip(t, es))))
	})
}

// A link is held to the rules for its path with the file it reaches (see
// TestSymlinkAliasEvadesSignerRule), but what it reaches was worked out by
// cleaning its target as text: "sub/up/../lib/codec.dll" was taken for
// sub/lib/codec.dll (a vendor DLL) while the file system, following sub/up,
// reaches other/lib/codec.dll (signed by someone else).
func TestAttackSymlinkDotDotAliasEvadesSignerRule(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	foreign := malloryPE(t, f)
	pol := &Policy{Rules: []Rule{
		{Match: []string{"**"}, Require: RequireValid},
		{Match: []string{"windows/*.exe"}, Signers: []Signer{{Subject: "CN=Example Vendor Ltd,O=Example Vendor Ltd", Issuer: "CN=Shipgate Test Root"}}},
	}}
	opts := Options{Policy: pol, Trust: f.trust, Time: checkTime}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"windows/sub/lib/codec.dll": f.peValid,
		"other/lib/codec.dll":       foreign,
		"other/deep/readme.txt":     []byte("hi"),
	})
	symlinkTree(t, dir, [][2]string{{"windows/sub/up", "../../other/deep"}, {"windows/app.exe", "sub/up/../lib/codec.dll"}})
	mustFail(t, opts, "windows/app.exe", ruleSignerNotAllow, dir)

	good := t.TempDir()
	writeTree(t, good, map[string][]byte{
		"windows/sub/lib/codec.dll": foreign,
		"other/lib/codec.dll":       f.peValid,
		"other/deep/readme.txt":     []byte("hi"),
	})
	symlinkTree(t, good, [][2]string{{"windows/sub/up", "../../other/deep"}, {"windows/app.exe", "sub/up/../lib/codec.dll"}})
	if r := run(t, opts, good); !r.Summary.Passed {
		t.Errorf("a link reaching the vendor's DLL fails: %v", r.Findings)
	}
}

// Links that are case twins were one entry of the case-insensitive lookup,
// the one sorted last: with d/UP a link to ".." (the root) and d/up one
// to "x", a link to "d/Up/../x" leads out on APFS when d/UP is extracted
// last, but only d/up was followed. Every twin's target is followed; a
// name the links share in too many ways is reported.
func TestAttackSymlinkChainCaseTwins(t *testing.T) {
	t.Parallel()
	for _, twins := range [][2]tarEntry{
		{{name: "d/UP", typ: tar.TypeSymlink, link: ".."}, {name: "d/up", typ: tar.TypeSymlink, link: "x"}},
		{{name: "d/up", typ: tar.TypeSymlink, link: ".."}, {name: "d/UP", typ: tar.TypeSymlink, link: "x"}},
		{{name: "d/up", typ: tar.TypeSymlink, link: "x"}, {name: "d/up", typ: tar.TypeSymlink, link: ".."}}, // held twice
	} {
		es := []tarEntry{{name: "d/x", data: []byte("hi")}, twins[0], twins[1]}
		p := writeFile(t, filepath.Join(t.TempDir(), "rel.tar"), makeTar(t, append(es, tarEntry{name: "y", typ: tar.TypeSymlink, link: "d/Up/../x"})...))
		mustFail(t, Options{}, "y", ruleSymlinkEscape, p)
		// Through neither twin, the link stays inside.
		p = writeFile(t, filepath.Join(t.TempDir(), "rel.tar"), makeTar(t, append(es, tarEntry{name: "y", typ: tar.TypeSymlink, link: "d/x"})...))
		if got := findingsOf(run(t, Options{}, p), ruleSymlinkEscape); len(got) != 0 {
			t.Errorf("%v: a link to d/x: %q", twins, got)
		}
	}
	// A name shared by more links than are followed at once.
	var es []tarEntry
	for i := 0; i < 2*walk.MaxChainWays; i++ {
		es = append(es, tarEntry{name: "d/up", typ: tar.TypeSymlink, link: fmt.Sprintf("x%d", i)})
	}
	es = append(es, tarEntry{name: "y", typ: tar.TypeSymlink, link: "d/up/../z"})
	mustFail(t, Options{}, "y", ruleSymlinkEscape, writeFile(t, filepath.Join(t.TempDir(), "rel.tar"), makeTar(t, es...)))
}
