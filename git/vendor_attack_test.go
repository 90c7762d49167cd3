package git

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/shipgate/shipgate/signing"
)

const vaURL = "https://chromium.googlesource.com/chromium/src/third_party/zlib"

// vaFixture is a repository vendoring an upstream zlib under
// third_party/zlib, pinned by a README.chromium that the policy's upstreams
// map resolves, with the release tagged v1.
type vaFixture struct {
	up, local *testRepo
	upCommit  plumbing.Hash
	v1        plumbing.Hash
	base      map[string]string
	pol       *Policy
}

var vaUpFiles = map[string]string{"zlib.h": "#define ZLIB 1\n", "inflate.c": "int inflate;\n"}

func newVAFixture(t *testing.T) *vaFixture {
	f := &vaFixture{up: newTestRepo(t), local: newTestRepo(t)}
	f.upCommit = f.up.commit(commitSpec{files: vaUpFiles})
	f.up.head(f.upCommit)
	f.base = map[string]string{"src/main.c": "m\n", "third_party/zlib/README.chromium": vaReadme(vaURL, f.upCommit.String())}
	for k, v := range vaUpFiles {
		f.base["third_party/zlib/"+k] = v
	}
	f.v1 = f.local.commit(commitSpec{files: f.base})
	f.local.tag("v1", f.v1, nil)
	f.pol = &Policy{Protect: []ProtectRule{{Path: "third_party/**"}}, Upstreams: map[string]string{vaURL: f.up.dir}}
	return f
}

func vaReadme(url, rev string) string {
	return "Name: zlib\nURL: " + url + "\nRevision: " + rev + "\n"
}

// evil returns files with the vendored inflate.c backdoored.
func (f *vaFixture) evil(files map[string]string) map[string]string {
	return with(files, "third_party/zlib/inflate.c", "int inflate; /* backdoor */\n")
}

// audit commits files (with msg) on v1 and audits v1..master.
func (f *vaFixture) audit(t *testing.T, files map[string]string, msg string) *Result {
	t.Helper()
	c := f.local.commit(commitSpec{files: files, parents: []plumbing.Hash{f.v1}, msg: msg})
	f.local.head(c)
	res, err := Audit(context.Background(), f.local.dir, Options{Since: "v1", Policy: f.pol, Backend: BackendGoGit})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// vaWant fails unless res has a finding of rule at path with severity sev.
func vaWant(t *testing.T, res *Result, rule signing.Rule, sev signing.Severity, path string) {
	t.Helper()
	for _, f := range findingsOf(res, rule) {
		if f.Path == path && f.Severity == sev {
			return
		}
	}
	t.Errorf("no %s %s on %s; findings: %+v", sev, rule, path, res.Findings)
}

// TestVendorPinFileChecks: the fixture's pin passes as vendored, and a
// backdoor without any change to the pin is drift.
func TestVendorPinFileChecks(t *testing.T) {
	t.Parallel()
	f := newVAFixture(t)
	res := f.audit(t, with(f.base, "src/main.c", "m2\n"), "")
	rtNone(t, res, RuleVendorDrift)
	rtNone(t, res, RuleVendorUnverified)
	f = newVAFixture(t)
	vaWant(t, f.audit(t, f.evil(f.base), ""), RuleVendorDrift, signing.SeverityError, "third_party/zlib/inflate.c")
}

// TestAttackVendorSubtreeTrailerOverridesPinFile: a commit message's
// git-subtree-split trailer, naming a commit the attacker made with the
// backdoored tree, replaced the README.chromium pin, so the backdoor matched
// "upstream". Both pins are checked now, and the trailer's commit, new in
// the range, is unverified.
func TestAttackVendorSubtreeTrailerOverridesPinFile(t *testing.T) {
	t.Parallel()
	f := newVAFixture(t)
	fake := f.local.commit(commitSpec{files: map[string]string{"zlib.h": vaUpFiles["zlib.h"], "inflate.c": "int inflate; /* backdoor */\n", "README.chromium": f.base["third_party/zlib/README.chromium"]}})
	res := f.audit(t, f.evil(f.base), "Update zlib\n\ngit-subtree-dir: third_party/zlib\ngit-subtree-split: "+fake.String()+"\n")
	vaWant(t, res, RuleVendorDrift, signing.SeverityError, "third_party/zlib/inflate.c")
	vaWant(t, res, RuleVendorUnverified, signing.SeverityWarning, "third_party/zlib")
}

// TestAttackVendorPinURLNamesLocalRepo: a README.chromium whose URL is a
// local path was opened as the upstream clone; naming the audited
// repository, whose commits anyone who pushes can add, made a backdoor
// match. A pin file's URL is only resolved through the policy now.
func TestAttackVendorPinURLNamesLocalRepo(t *testing.T) {
	t.Parallel()
	f := newVAFixture(t)
	fake := f.local.commit(commitSpec{files: map[string]string{"zlib.h": vaUpFiles["zlib.h"], "inflate.c": "int inflate; /* backdoor */\n"}})
	files := with(f.evil(f.base), "third_party/zlib/README.chromium", vaReadme(f.local.dir, fake.String()))
	res := f.audit(t, files, "")
	vaWant(t, res, RuleVendorUnverified, signing.SeverityWarning, "third_party/zlib")
	for _, fd := range findingsOf(res, RuleVendorUnverified) {
		if strings.Contains(fd.Message, "no local clone") {
			return
		}
	}
	t.Errorf("the local path was not refused as a clone: %+v", res.Findings)
}

// TestAttackVendorPinRemoved: a commit that changed vendored code and took
// its pin away (deleting the pin file, breaking its Revision line, moving
// the directory deeper than pin files are looked for) or pointed it at an
// unmapped URL left the code unchecked without a word. Now the pin at
// since that is gone or moved at until is a warning.
func TestAttackVendorPinRemoved(t *testing.T) {
	t.Parallel()
	moved := func(m map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			if rest, ok := strings.CutPrefix(k, "third_party/zlib/"); ok {
				k = "third_party/a/b/zlib/" + rest
			}
			out[k] = v
		}
		return out
	}
	for _, c := range []struct {
		name  string
		files func(f *vaFixture) map[string]string
	}{
		{"pin file deleted", func(f *vaFixture) map[string]string {
			m := f.evil(f.base)
			delete(m, "third_party/zlib/README.chromium")
			return m
		}},
		{"revision unparsable", func(f *vaFixture) map[string]string {
			return with(f.evil(f.base), "third_party/zlib/README.chromium", "Name: zlib\nURL: "+vaURL+"\nRevision: "+f.upCommit.String()[:12]+"\n")
		}},
		{"moved deeper", func(f *vaFixture) map[string]string { return moved(f.evil(f.base)) }},
		{"url unmapped", func(f *vaFixture) map[string]string {
			return with(f.evil(f.base), "third_party/zlib/README.chromium", vaReadme("https://example.com/zlib", f.upCommit.String()))
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newVAFixture(t)
			vaWant(t, f.audit(t, c.files(f), ""), RuleVendorUnverified, signing.SeverityWarning, "third_party/zlib")
		})
	}
}

// TestAttackVendorSubtreeSplitMadeInRange: a git-subtree-split trailer
// naming a commit that came with the range (any pusher can make one whose
// tree is their code) passed as a verified pin. It is unverified now; a
// split commit in the history of since is not.
func TestAttackVendorSubtreeSplitMadeInRange(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	split := tr.commit(commitSpec{files: map[string]string{"lib.c": "up\n"}})
	c0 := tr.commit(commitSpec{files: map[string]string{"main.c": "m\n", "vendor/lib/lib.c": "up\n"}, parents: []plumbing.Hash{split}})
	tr.tag("v1", c0, nil)
	trailer := func(s plumbing.Hash) string {
		return "Update vendor/lib\n\ngit-subtree-dir: vendor/lib\ngit-subtree-split: " + s.String() + "\n"
	}
	good := tr.commit(commitSpec{files: map[string]string{"main.c": "m2\n", "vendor/lib/lib.c": "up\n"}, parents: []plumbing.Hash{c0}, msg: trailer(split)})
	fake := tr.commit(commitSpec{files: map[string]string{"lib.c": "evil\n"}})
	bad := tr.commit(commitSpec{files: map[string]string{"main.c": "m\n", "vendor/lib/lib.c": "evil\n"}, parents: []plumbing.Hash{c0}, msg: trailer(fake)})
	for _, c := range []struct {
		name  string
		until plumbing.Hash
		want  bool
	}{{"split before since", good, false}, {"split made in range", bad, true}} {
		t.Run(c.name, func(t *testing.T) {
			res, err := Audit(context.Background(), tr.dir, Options{Since: "v1", Until: c.until.String(), Backend: BackendGoGit})
			if err != nil {
				t.Fatal(err)
			}
			rtNone(t, res, RuleVendorDrift)
			if got := len(findingsOf(res, RuleVendorUnverified)) > 0; got != c.want {
				t.Errorf("unverified %v, want %v: %+v", got, c.want, res.Findings)
			}
		})
	}
}

// TestVendorPinResistsTreeTricks: replacing a vendored file by a symlink to
// the backdoor, and bringing the backdoor in through a merge's second
// parent (hidden from first-parent history), are each drift.
func TestVendorPinResistsTreeTricks(t *testing.T) {
	t.Parallel()
	t.Run("symlink", func(t *testing.T) {
		f := newVAFixture(t)
		m := with(f.base, "third_party/zlib/inflate.c", "symlink:../../src/evil.c", "src/evil.c", "int inflate; /* backdoor */\n")
		vaWant(t, f.audit(t, m, ""), RuleVendorDrift, signing.SeverityError, "third_party/zlib/inflate.c")
	})
	t.Run("merge second parent", func(t *testing.T) {
		f := newVAFixture(t)
		side := f.local.commit(commitSpec{files: f.evil(f.base), parents: []plumbing.Hash{f.v1}})
		main := f.local.commit(commitSpec{files: with(f.base, "src/main.c", "m2\n"), parents: []plumbing.Hash{f.v1}})
		merged := with(f.evil(f.base), "src/main.c", "m2\n")
		m := f.local.commit(commitSpec{files: merged, parents: []plumbing.Hash{main, side}})
		f.local.head(m)
		res, err := Audit(context.Background(), f.local.dir, Options{Since: "v1", Policy: f.pol, Backend: BackendGoGit})
		if err != nil {
			t.Fatal(err)
		}
		vaWant(t, res, RuleVendorDrift, signing.SeverityError, "third_party/zlib/inflate.c")
	})
}

// TestAttackVendorDirReplacedByGitlink: a vendored directory replaced by a
// submodule gitlink took its pin file with it, and nothing was checked.
func TestAttackVendorDirReplacedByGitlink(t *testing.T) {
	t.Parallel()
	f := newVAFixture(t)
	tp := f.local.rawTree([][3]string{{"160000", "zlib", f.upCommit.String()}})
	src := f.local.tree(map[string]string{"main.c": "m\n"})
	root := f.local.rawTree([][3]string{{"40000", "src", src.String()}, {"40000", "third_party", tp.String()}})
	c := f.local.put(plumbing.CommitObject, []byte(rtCommitText(root, []plumbing.Hash{f.v1}, epoch.Add(48*time.Hour), "gitlink\n")))
	f.local.head(c)
	res, err := Audit(context.Background(), f.local.dir, Options{Since: "v1", Policy: f.pol, Backend: BackendGoGit})
	if err != nil {
		t.Fatal(err)
	}
	vaWant(t, res, RuleVendorUnverified, signing.SeverityWarning, "third_party/zlib")
}

// TestAttackVendorSecondPinFile: a METADATA file added beside the
// README.chromium, naming an unmapped URL, sorted first and replaced the
// README.chromium's check with a note that no clone is configured. Every
// pin file is checked now, each ignoring the other.
func TestAttackVendorSecondPinFile(t *testing.T) {
	t.Parallel()
	f := newVAFixture(t)
	meta := "third_party {\n  identifier {\n    type: \"Git\"\n    value: \"https://example.com/zlib\"\n    version: \"" + f.upCommit.String() + "\"\n  }\n}\n"
	res := f.audit(t, with(f.evil(f.base), "third_party/zlib/METADATA", meta), "")
	vaWant(t, res, RuleVendorDrift, signing.SeverityError, "third_party/zlib/inflate.c")
	for _, fd := range findingsOf(res, RuleVendorDrift) {
		if strings.HasSuffix(fd.Path, "METADATA") || strings.HasSuffix(fd.Path, "README.chromium") {
			t.Errorf("a pin file is reported as drift: %+v", fd)
		}
	}
	// The same METADATA beside a pristine copy: no drift, the new URL is
	// a warning.
	f = newVAFixture(t)
	res = f.audit(t, with(f.base, "third_party/zlib/METADATA", meta), "")
	rtNone(t, res, RuleVendorDrift)
	vaWant(t, res, RuleVendorUnverified, signing.SeverityWarning, "third_party/zlib")
}

// TestAttackVendorPinDowngrade: moving the vendored code and its
// README.chromium back to an older upstream commit together matched
// upstream exactly and passed. A pin moved to an ancestor of its commit at
// since is git/vendor-downgrade now; a move forward is not.
func TestAttackVendorPinDowngrade(t *testing.T) {
	t.Parallel()
	up := newTestRepo(t)
	oldFiles := map[string]string{"zlib.h": "#define ZLIB 1\n", "inflate.c": "int inflate; /* CVE-2022-37434 */\n"}
	u1 := up.commit(commitSpec{files: oldFiles})
	u2 := up.commit(commitSpec{files: vaUpFiles, parents: []plumbing.Hash{u1}})
	up.head(u2)
	vendored := func(files map[string]string, rev plumbing.Hash) map[string]string {
		m := map[string]string{"src/main.c": "m\n", "third_party/zlib/README.chromium": vaReadme(vaURL, rev.String())}
		for k, v := range files {
			m["third_party/zlib/"+k] = v
		}
		return m
	}
	pol := &Policy{Protect: []ProtectRule{{Path: "third_party/**"}}, Upstreams: map[string]string{vaURL: up.dir}}
	for _, c := range []struct {
		name       string
		from, to   plumbing.Hash
		fFrom, fTo map[string]string
		want       bool
	}{
		{"downgrade", u2, u1, vaUpFiles, oldFiles, true},
		{"upgrade", u1, u2, oldFiles, vaUpFiles, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := newTestRepo(t)
			v1 := tr.commit(commitSpec{files: vendored(c.fFrom, c.from)})
			tr.tag("v1", v1, nil)
			tr.head(tr.commit(commitSpec{files: vendored(c.fTo, c.to), parents: []plumbing.Hash{v1}}))
			res, err := Audit(context.Background(), tr.dir, Options{Since: "v1", Policy: pol, Backend: BackendGoGit})
			if err != nil {
				t.Fatal(err)
			}
			rtNone(t, res, RuleVendorDrift)
			if got := len(findingsOf(res, RuleVendorDowngrade)) > 0; got != c.want {
				t.Errorf("downgrade finding %v, want %v: %+v", got, c.want, res.Findings)
			}
		})
	}
}
