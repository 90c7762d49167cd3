package git

import (
	"context"
	"slices"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// caseHistory builds v1 with vendor/lib/a.c and third_party/ffmpeg/f.c,
// then commits that change the protected directories under other cases,
// and one that changes an unprotected file.
func caseHistory(t *testing.T) (*testRepo, []plumbing.Hash) {
	tr := newTestRepo(t)
	files := map[string]string{"vendor/lib/a.c": "a1\n", "third_party/ffmpeg/f.c": "f1\n", "src/main.c": "m1\n"}
	root := tr.commit(commitSpec{files: files})
	tr.tag("v1", root, nil)
	step := func(path, content string, parent plumbing.Hash) plumbing.Hash {
		files = maps(files)
		files[path] = content
		return tr.commit(commitSpec{files: files, parents: []plumbing.Hash{parent}, author: "Mallory <mallory@example.com>"})
	}
	c1 := step("VENDOR/ffmpeg/x.c", "evil\n", root)
	c2 := step("Vendor/lib/a.c", "evil\n", c1)
	c3 := step("Third_Party/FFmpeg/f.c", "evil\n", c2)
	c4 := step("src/main.c", "m2\n", c3)
	tr.head(c4)
	return tr, []plumbing.Hash{c1, c2, c3}
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestProtectedPathsIgnoreCase checks that changes under case variants of a
// protected directory (VENDOR/, Vendor/, Third_Party/FFmpeg/) are reported
// under the protected glob, since a case-insensitive checkout merges them,
// with both history backends.
func TestProtectedPathsIgnoreCase(t *testing.T) {
	t.Parallel()
	tr, evil := caseHistory(t)
	pol := &Policy{Protect: []ProtectRule{{Path: "vendor/**"}, {Path: "third_party/ffmpeg"}}}
	rtAudit(t, tr.dir, Options{Since: "v1", Policy: pol}, func(t *testing.T, res *Result) {
		for _, c := range evil {
			rtHas(t, res, RuleProtectedPathChange, c)
			rtHas(t, res, RuleUnsignedProtected, c)
		}
		want := map[string][]string{
			evil[0].String(): {"VENDOR/ffmpeg/x.c"},
			evil[1].String(): {"Vendor/lib/a.c"},
			evil[2].String(): {"Third_Party/FFmpeg/f.c"},
		}
		if len(res.Commits) != len(want) {
			t.Errorf("%d protected commits, want %d", len(res.Commits), len(want))
		}
		for _, c := range res.Commits {
			var got []string
			for _, f := range c.Files {
				got = append(got, f.Path)
			}
			if !slices.Equal(got, want[c.Hash]) {
				t.Errorf("commit %s changes %v, want %v", c.Hash[:8], got, want[c.Hash])
			}
		}
	})
}

// TestProtectedPathsCaseSensitive checks that with caseSensitivePaths the
// same changes are not under the protected globs.
func TestProtectedPathsCaseSensitive(t *testing.T) {
	t.Parallel()
	tr, _ := caseHistory(t)
	pol := &Policy{Protect: []ProtectRule{{Path: "vendor/**"}, {Path: "third_party/ffmpeg"}}, CaseSensitivePaths: true}
	rtAudit(t, tr.dir, Options{Since: "v1", Policy: pol}, func(t *testing.T, res *Result) {
		rtNone(t, res, RuleProtectedPathChange)
		if len(res.Commits) != 0 {
			t.Errorf("%d protected commits, want none", len(res.Commits))
		}
	})
}

// TestPolicyCaseSensitivePathsKey checks the policy key.
func TestPolicyCaseSensitivePathsKey(t *testing.T) {
	t.Parallel()
	p, err := ParsePolicy([]byte("protect:\n  - path: vendor/**\ncaseSensitivePaths: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !p.CaseSensitivePaths || p.foldPaths() {
		t.Errorf("caseSensitivePaths not read: %+v", p)
	}
	if p, _ := ParsePolicy([]byte("protect:\n  - path: vendor/**\n")); !p.foldPaths() {
		t.Error("paths do not ignore case by default")
	}
}

// TestVendorPinCaseVariants checks that files under a directory whose path
// differs from a pinned vendored directory only in case are compared with
// upstream (a case-insensitive checkout merges them into the pinned
// directory), and are not with caseSensitivePaths.
func TestVendorPinCaseVariants(t *testing.T) {
	t.Parallel()
	up := newTestRepo(t)
	upFiles := map[string]string{"zlib.h": "#define ZLIB 1\n", "inflate.c": "int inflate;\n"}
	upCommit := up.commit(commitSpec{files: upFiles})
	up.head(upCommit)

	local := newTestRepo(t)
	files := map[string]string{"src/main.c": "m\n"}
	for k, v := range upFiles {
		files["third_party/zlib/"+k] = v
	}
	files["Third_Party/zlib/inflate.c"] = "int inflate; /* backdoor */\n" // replaces the vendored file on checkout
	files["third_party/ZLIB/zlib.h"] = "#define ZLIB 1\n"                 // same as upstream: harmless
	files["third_party/ZLIB/extra.c"] = "evil\n"
	c := local.commit(commitSpec{files: files})
	local.head(c)
	pin := VendorPin{Path: "third_party/zlib", Upstream: up.dir, Commit: upCommit.String()}
	for _, cs := range []bool{false, true} {
		res, err := Audit(context.Background(), local.dir, Options{Policy: &Policy{Vendor: []VendorPin{pin}, CaseSensitivePaths: cs}})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range findingsOf(res, RuleVendorDrift) {
			got = append(got, f.Path)
		}
		var want []string
		if !cs {
			want = []string{"Third_Party/zlib/inflate.c", "third_party/ZLIB/extra.c"}
		}
		if !slices.Equal(got, want) {
			t.Errorf("caseSensitivePaths %v: vendor-drift %v, want %v", cs, got, want)
		}
	}
}
