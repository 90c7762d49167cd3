package git

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"golang.org/x/text/unicode/norm"
)

// The git backend lists the commits that write through an alias of a
// protected path element (a trailing dot or space, a backslash, an NTFS
// short name, a code point HFS+ ignores) with pathspecs for each element
// position of the protected prefixes (aliasSpecs). These tests put the
// alias at the deepest position, a middle one, above the prefix, across
// positions and under a protect rule with "**" in the middle, and require
// both backends to report the same findings.

// auditBothBackends runs the audit with the go-git backend and with the
// git binary (skipped when there is none), fails unless both report the
// same commits and findings, and returns the go-git result.
func auditBothBackends(t *testing.T, dir string, opts Options) *Result {
	t.Helper()
	res, _ := auditBackends(t, dir, opts)
	return res
}

// auditBackends is auditBothBackends returning the git backend's result
// too (nil when there is no git binary).
func auditBackends(t *testing.T, dir string, opts Options) (gogit, cli *Result) {
	t.Helper()
	if opts.Now.IsZero() {
		opts.Now = epoch.Add(365 * 24 * time.Hour)
	}
	opts.Backend = BackendGoGit
	res, err := Audit(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if findGit() == "" {
		t.Log("git binary not on PATH; the git backend is not cross-checked")
		return res, nil
	}
	opts.Backend = BackendGitCLI
	cli, err = Audit(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal([]any{res.Commits, res.Findings})
	b, _ := json.Marshal([]any{cli.Commits, cli.Findings})
	if string(a) != string(b) {
		t.Errorf("backends differ:\ngo-git: %v\ngit:    %v", rtRules(res), rtRules(cli))
	}
	return res, cli
}

// aliasFlagged audits dir with both backends (auditBackends) and requires,
// on each, an unsigned-protected-change finding on each commit cs[i], in
// a subtest named paths[i]; it returns the go-git result.
func aliasFlagged(t *testing.T, dir string, opts Options, paths []string, cs []plumbing.Hash) *Result {
	t.Helper()
	res, cli := auditBackends(t, dir, opts)
	for i, c := range cs {
		t.Run(paths[i], func(t *testing.T) {
			t.Run("go-git", func(t *testing.T) { rtHas(t, res, RuleUnsignedProtected, c) })
			if cli != nil {
				t.Run("git", func(t *testing.T) { rtHas(t, cli, RuleUnsignedProtected, c) })
			}
		})
	}
	return res
}

// aliasChain commits, on top of base, one commit per path in paths, each
// holding base and that one file, tags the base v1 and returns the
// commits. A commit holding exactly base (removing the file again)
// follows each, so the next one changes nothing but its own path and is
// found for it, not for removing the alias before it.
func aliasChain(t *testing.T, tr *testRepo, base map[string]string, paths []string) []plumbing.Hash {
	t.Helper()
	root := tr.commit(commitSpec{files: base})
	tr.tag("v1", root, nil)
	parent := root
	var out []plumbing.Hash
	for _, p := range paths {
		c := tr.commit(commitSpec{files: with(base, p, "evil\n"), parents: []plumbing.Hash{parent}})
		parent = tr.commit(commitSpec{files: base, parents: []plumbing.Hash{c}})
		out = append(out, c)
	}
	tr.head(parent)
	return out
}

var aliasBase = map[string]string{
	"third_party/zlib/z.c": "z\n", "a/b/c/d/z.c": "z\n", "src/kernel/k.c": "k\n",
	"lib/x/vendor/v.c": "v\n", "docs/readme": "r\n",
}

var aliasPolicy = &Policy{Protect: []ProtectRule{{Path: "third_party/zlib/**"}, {Path: "a/b/c/d/**"}, {Path: "src/kernel/**"}}}

// TestAttackAliasAtDeepestPosition: the alias is the last element of the
// protected prefix (third_party/ZLIB~1/x.c, a/b/c/d./x.c): specs capped
// one element short of the deepest prefix miss it.
func TestAttackAliasAtDeepestPosition(t *testing.T) {
	t.Parallel()
	paths := []string{
		"third_party/ZLIB~1/x.c", "third_party/zlib./x.c", "third_party/zl\u200cib/x.c", "third_party/zlib\\x.c",
		"a/b/c/D~1/x.c", "a/b/c/d /x.c", "A/B/C/\ufeffd/x.c", "a/b/c/d\\x.c", "src/\u212aernel./x.c",
	}
	tr := newTestRepo(t)
	cs := aliasChain(t, tr, aliasBase, paths)
	aliasFlagged(t, tr.dir, Options{Since: "v1", Policy: aliasPolicy}, paths, cs)
}

// TestAttackAliasAtMiddlePosition: the alias is an element before the
// last (a/B~1/c/d/x.c), or the first, led by a character that folds to the
// prefix's first letter (thırd_party./zlib/x.c, ſrc /kernel/x.c).
func TestAttackAliasAtMiddlePosition(t *testing.T) {
	t.Parallel()
	paths := []string{
		"a/B~1/c/d/x.c", "a/b./c/d/x.c", "a/b/c\u200d/d/x.c", "A./b/c/d/x.c", "\u202aa/b/c/d/x.c",
		"th\u0131rd_party./zlib/x.c", "Third_~2/zlib/x.c", "\u017frc /kernel/x.c", "SRC~1/kernel/x.c",
	}
	tr := newTestRepo(t)
	cs := aliasChain(t, tr, aliasBase, paths)
	aliasFlagged(t, tr.dir, Options{Since: "v1", Policy: aliasPolicy}, paths, cs)
}

// TestAttackAliasAboveProtectedPath: a file at an alias of a proper
// ancestor of the protected prefix takes the place of its directory in a
// checkout (a/B~1/c, a/b/c., third_party.).
func TestAttackAliasAboveProtectedPath(t *testing.T) {
	t.Parallel()
	paths := []string{"a/B~1/c", "a/b/c.", "a/b\u200c", "third_party.", "THIRD_~1", "src\ufeff"}
	tr := newTestRepo(t)
	cs := aliasChain(t, tr, aliasBase, paths)
	aliasFlagged(t, tr.dir, Options{Since: "v1", Policy: aliasPolicy}, paths, cs)
}

// TestAttackBackslashAliasSpansPositions: a file whose name holds
// backslashes stands for several elements on Windows, so its raw position
// is before the protected element it reaches (a\b\c\d\x.c at the root is
// a/b/c/d/x.c).
func TestAttackBackslashAliasSpansPositions(t *testing.T) {
	t.Parallel()
	paths := []string{"a\\b\\c\\d\\x.c", "a/b\\c\\d\\x.c", "A/B/c\\D.\\x.c", "third_party\\zlib\\x.c", "src\\KERNEL\\x.c"}
	tr := newTestRepo(t)
	cs := aliasChain(t, tr, aliasBase, paths)
	aliasFlagged(t, tr.dir, Options{Since: "v1", Policy: aliasPolicy}, paths, cs)
}

// TestAttackAliasUnboundedProtectRule: a protect rule with "**" in the
// middle matches at any depth below its literal prefix; an alias there is
// below the prefix (listed with it), one at the prefix is at position 1,
// and a rule starting with "**" protects the whole tree.
func TestAttackAliasUnboundedProtectRule(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		rule  string
		paths []string
	}{
		{"lib/**/vendor/**", []string{"lib/x/y/z/VENDOR./evil.c", "LIB./x/vendor/evil.c", "lib/p/q/r/s/vendor\\evil.c", "L~1/q/vendor/evil.c", "lib/x/v\u200cendor/evil.c"}},
		{"**/secrets/**", []string{"deep/er/SECRETS./k", "d/SECRE~1/k", "d\\e\\secrets\\k"}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			t.Parallel()
			tr := newTestRepo(t)
			// The first commit adds an unprotected file; each next one
			// replaces the file before with its own.
			cs := aliasChain(t, tr, aliasBase, append([]string{"lib/x/vendorx/ok.c"}, tc.paths...))
			res := aliasFlagged(t, tr.dir, Options{Since: "v1", Policy: &Policy{Protect: []ProtectRule{{Path: tc.rule}}}}, tc.paths, cs[1:])
			for _, f := range findingsOf(res, RuleUnsignedProtected) {
				if f.Commit == cs[0].String() {
					t.Errorf("lib/x/vendorx/ok.c reported: %v", f)
				}
			}
		})
	}
}

// TestAliasSpecsCoverWalk checks, for every alias form of every element of
// several protected prefixes (alone and after fold-form and case variants
// of the elements before it, as a directory and as a file above the rest,
// backslash names standing for several elements, and names made only of
// backslashes, standing for none),
// that the commits git rev-list lists with aliasSpecs include every commit
// the in-process walk finds.
func TestAliasSpecsCoverWalk(t *testing.T) {
	t.Parallel()
	gitBin := gitBin(t)
	prefixes := []string{"third_party/zlib-1.3", "src/kernel/lib;x", "vendor", ".gitattributes", "a/b/c/d", "include/dev", "deps/m\u00fcller/x", "lib. /z./y"}
	var paths []string
	for _, p := range prefixes {
		els := strings.Split(p, "/")
		for i := range els {
			for _, lead := range featurelessVariants(els[:i]) {
				if lead != "" {
					lead += "/"
				}
				for _, v := range aliasVariants(els[i]) {
					paths = append(paths, lead+strings.Join(append([]string{v}, els[i+1:]...), "/")+"/x.c")
					if i < len(els)-1 {
						paths = append(paths, lead+v) // a file above the prefix
					}
				}
				// A name made only of backslashes, standing for no
				// element, before the rest.
				paths = append(paths, lead+"\\\\/"+strings.Join(els[i:], "/")+"/x.c")
				if i < len(els)-1 {
					// Backslash names standing for several elements:
					// a file, and a directory.
					paths = append(paths, lead+strings.Join(els[i:], "\\")+"\\x.c",
						lead+strings.Join(append([]string{els[i] + "\\" + els[i+1]}, els[i+2:]...), "/")+"/x.c")
				}
			}
		}
	}
	base := map[string]string{"docs/readme": "r\n"}
	for _, p := range prefixes {
		base[p+"/keep"] = "k\n"
	}
	delete(base, ".gitattributes/keep")
	base[".gitattributes"] = "* text\n"
	tr := newTestRepo(t)
	var cs []plumbing.Hash
	root := tr.commit(commitSpec{files: base})
	tr.tag("v1", root, nil)
	parent := root
	for _, p := range paths {
		files := with(base, p, "evil\n")
		// Alone on a branch from the base, merged into the chain.
		side := tr.commit(commitSpec{files: files, parents: []plumbing.Hash{root}})
		parent = tr.commit(commitSpec{files: base, parents: []plumbing.Hash{parent, side}})
		cs = append(cs, side)
	}
	tr.head(parent)
	r, err := openRepo(tr.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	r.noStash, r.foldPaths, r.above = true, true, true
	s, u, err := r.resolveRange("v1", "")
	if err != nil {
		t.Fatal(err)
	}
	ps := minimalPrefixes(slices.Clone(prefixes))
	w, err := r.walk(context.Background(), s.commit, u.commit, ps)
	if err != nil {
		t.Fatal(err)
	}
	cli, err := cliChanged(context.Background(), gitBin, r, s.commit, u.commit, ps, true, true)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cs {
		if !w.changed[c] {
			t.Errorf("%q: not an alias to the in-process walk", paths[i])
		} else if !cli[c] {
			t.Errorf("%q: the walk lists it, git rev-list does not", paths[i])
		}
	}
	for c := range w.changed {
		if !cli[c] {
			t.Errorf("commit %s: the walk lists it, git rev-list does not", c)
		}
	}
}

// aliasVariants returns names that foldEqual takes for the element e and
// that git's icase matching does not.
func aliasVariants(e string) []string {
	out := []string{e + ".", e + " ", e + ". ", "\\" + e, "\\\\" + e + "\\", "\u200c" + e, e[:1] + "\u200d" + e[1:], e + "\ufeff", "\u202a" + e + "\u206f"}
	if nonASCII(e) {
		out = append(out, norm.NFD.String(e)+".", strings.ToUpper(e)+" ")
	}
	// Windows makes "_" of a non-ASCII character in a short name.
	base, ext := shortBasis(e)
	short := base[:min(6, len(base))] + "~1"
	hash := base[:min(2, len(base))] + "1A2B~3"
	if ext != "" {
		short += "." + ext[:min(3, len(ext))]
		hash += "." + ext[:min(3, len(ext))]
	}
	out = append(out, short, strings.ToLower(short))
	if len(base) >= 2 {
		out = append(out, hash)
	}
	// Each character with a non-ASCII form, in that form, with a feature.
	for i := 0; i < len(e); i++ {
		for _, f := range foldForms[e[i]] {
			out = append(out, e[:i]+f+e[i+1:]+".")
		}
		if e[i] == 'i' {
			out = append(out, e[:i]+"I\u0307"+e[i+1:]+" ")
		}
	}
	return out
}

// featurelessVariants returns the paths of els with each letter's case
// swapped and each character with a non-ASCII form in that form (the last
// one, then the first and NFD; "I" and U+0307 for "i"): names foldEqual
// takes for them without an alias feature.
func featurelessVariants(els []string) []string {
	var out []string
	for k := range 3 {
		var b strings.Builder
		for i, e := range els {
			if i > 0 {
				b.WriteByte('/')
			}
			for _, r := range e {
				var fs []string
				if r < 0x80 {
					fs = foldForms[byte(r)]
				}
				switch {
				case k == 2 && r == 'i':
					b.WriteString("I\u0307")
				case fs != nil && k < 2:
					b.WriteString(fs[(len(fs)-1)*(1-k)])
				case k == 1:
					b.WriteString(norm.NFD.String(strings.ToUpper(string(r))))
				default:
					b.WriteString(strings.ToUpper(string(r)))
				}
			}
		}
		if !slices.Contains(out, b.String()) {
			out = append(out, b.String())
		}
	}
	return out
}
