package git

import (
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestAttackUnicodeTwinOfProtectedPath: vendor/ffmpeg is protected, and
// unsigned commits change vendor/ff\u200cmpeg/x.c (a zero-width non-joiner
// HFS+ ignores), vendor\ufeff/ffmpeg/y.c (a byte order mark) and, under
// a protected vendor/müller, vendor/mu\u0308ller/z.c (the NFD spelling
// macOS writes). On a macOS checkout each is the protected directory. The
// case folding already caught VENDOR/ffmpeg but compared the twins as
// other paths and reported nothing, with both backends (git's icase
// pathspecs fold ASCII letters only). A look-alike that is another name
// on every file system (ffmpeg with a Cyrillic е) stays unreported.
func TestAttackUnicodeTwinOfProtectedPath(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	base := map[string]string{"vendor/ffmpeg/a.c": "a\n", "vendor/m\u00fcller/b.c": "b\n", "src/main.c": "m\n"}
	root := tr.commit(commitSpec{files: base})
	tr.tag("v1", root, nil)
	files := base
	step := func(name string, parent plumbing.Hash) plumbing.Hash {
		files = with(files, name, "evil\n")
		return tr.commit(commitSpec{files: files, parents: []plumbing.Hash{parent}})
	}
	zwnj := step("vendor/ff\u200cmpeg/x.c", root)
	bom := step("vendor\ufeff/ffmpeg/y.c", zwnj)
	nfd := step("vendor/mu\u0308ller/z.c", bom)
	other := step("vendor/ffmp\u0435g/w.c", nfd)
	tr.head(other)
	pol := &Policy{Protect: []ProtectRule{{Path: "vendor/ffmpeg/**"}, {Path: "vendor/m\u00fcller"}}}
	rtAudit(t, tr.dir, Options{Since: "v1", Policy: pol}, func(t *testing.T, res *Result) {
		for _, c := range []plumbing.Hash{zwnj, bom, nfd} {
			rtHas(t, res, RuleProtectedPathChange, c)
			rtHas(t, res, RuleUnsignedProtected, c)
		}
		for _, f := range res.Findings {
			if f.Commit == other.String() {
				t.Errorf("Cyrillic look-alike reported: %v", f)
			}
		}
	})
	// The ASCII protected path alone, so that the auto backend runs git.
	pol = &Policy{Protect: []ProtectRule{{Path: "vendor/ffmpeg/**"}}}
	rtAudit(t, tr.dir, Options{Since: "v1", Policy: pol}, func(t *testing.T, res *Result) {
		for _, c := range []plumbing.Hash{zwnj, bom} {
			rtHas(t, res, RuleProtectedPathChange, c)
		}
		if len(res.Commits) != 2 {
			t.Errorf("%d protected commits, want 2 (%v)", len(res.Commits), rtRules(res))
		}
	})
}

// TestAttackNFDTwinCaseSensitive: with caseSensitivePaths set, paths were
// compared byte for byte, so vendor/mu\u0308ller/z.c (NFD) was another
// directory than the protected vendor/m\u00fcller (NFC). APFS and HFS+
// merge the two spellings even on a case-sensitive volume, so a macOS
// checkout writes z.c into the protected directory. Both spellings are
// now one name, whichever the glob uses; a case variant stays another
// name, as the policy asks.
func TestAttackNFDTwinCaseSensitive(t *testing.T) {
	t.Parallel()
	for _, g := range []string{"vendor/m\u00fcller/**", "vendor/mu\u0308ller/**"} {
		tr := newTestRepo(t)
		base := map[string]string{"vendor/m\u00fcller/b.c": "b\n", "src/main.c": "m\n"}
		root := tr.commit(commitSpec{files: base})
		tr.tag("v1", root, nil)
		nfd := tr.commit(commitSpec{files: with(base, "vendor/mu\u0308ller/z.c", "evil\n"), parents: []plumbing.Hash{root}})
		upper := tr.commit(commitSpec{files: with(with(base, "vendor/mu\u0308ller/z.c", "evil\n"), "vendor/M\u00dcLLER/u.c", "u\n"), parents: []plumbing.Hash{nfd}})
		tr.head(upper)
		pol := &Policy{Protect: []ProtectRule{{Path: g}}, CaseSensitivePaths: true}
		rtAudit(t, tr.dir, Options{Since: "v1", Policy: pol}, func(t *testing.T, res *Result) {
			rtHas(t, res, RuleUnsignedProtected, nfd)
			for _, f := range res.Findings {
				if f.Commit == upper.String() {
					t.Errorf("case variant reported under caseSensitivePaths: %v", f)
				}
			}
		})
	}
}
