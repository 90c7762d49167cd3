package sbom

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
)

// TestAttackPackageChangedSameAppVersion: the application's declared
// version stayed 1.4.0 while the code it bundles changed, each time by a
// package the diff took for an ordinary dependency change: a nested
// tinycolor@2.1.1 (trojanized) shadowing tinycolor@2.1.0 for @chatter/ui,
// tinycolor itself bumped to 2.1.1 with its code changed, or a nested
// folder with no package.json that require("tinycolor") loads all the
// same. Each was a note (package added or updated); the application's
// version is what declares its bundled code, so each is
// diff/changed-same-version. Under a new application version they stay
// notes, and a package copied to a new path with the contents some copy of
// its name and version had (deduplication changed) stays a note under the
// same one.
func TestAttackPackageChangedSameAppVersion(t *testing.T) {
	t.Parallel()
	const nested = "node_modules/@chatter/ui/node_modules/tinycolor/"
	copyTiny := func(f map[string]*electronfix.AsarFile) {
		for _, n := range []string{"package.json", "index.js", "lib/impl.js", "LICENSE"} {
			c := *f[rtTiny+n]
			c.Path = nested + n
			f[c.Path] = &c
		}
	}
	bump := func(f *electronfix.AsarFile) {
		f.Data = bytes.Replace(f.Data, []byte(`"2.1.0"`), []byte(`"2.1.1"`), 1)
	}
	cases := []struct {
		name   string
		change func(f map[string]*electronfix.AsarFile)
		at     string
		note   string
		error  bool // under the same application version
	}{
		{"nested copy of another version shadows the package", func(f map[string]*electronfix.AsarFile) {
			copyTiny(f)
			bump(f[nested+"package.json"])
			appendTo(f, nested+"index.js", "evil()")
		}, rtAsar + "/" + strings.TrimSuffix(nested, "/"), "note diff/package-added", true},
		{"package updated in place", func(f map[string]*electronfix.AsarFile) {
			bump(f[rtTiny+"package.json"])
			appendTo(f, rtTiny+"index.js", "evil()")
		}, rtAsar + "/" + strings.TrimSuffix(rtTiny, "/"), "note diff/package-updated", true},
		{"nested folder without package.json", func(f map[string]*electronfix.AsarFile) {
			f[nested+"index.js"] = &electronfix.AsarFile{Path: nested + "index.js", Data: []byte("evil()")}
		}, rtAsar + "/" + strings.TrimSuffix(nested, "/"), "note diff/package-added", true},
		{"nested copy with the contents of the original", copyTiny,
			rtAsar + "/" + strings.TrimSuffix(nested, "/"), "note diff/package-added", false},
	}
	for _, c := range cases {
		for _, v := range []string{"1.4.0", "1.4.1"} {
			old, n := rtWindows(t, "1.4.0"), rtWindows(t, v)
			repackAsar(t, n, c.change)
			got := rtDiff(t, old, n)
			if !slices.Contains(got, c.note+" "+c.at) {
				t.Errorf("%s, app %s: missing %s; findings:\n%s", c.name, v, c.note, strings.Join(got, "\n"))
			}
			want := c.error && v == "1.4.0"
			if has := slices.Contains(got, "error diff/changed-same-version "+c.at); has != want {
				t.Errorf("%s, app %s: changed-same-version %v, want %v; findings:\n%s", c.name, v, has, want, strings.Join(got, "\n"))
			}
		}
	}
}

// TestAttackPackageBesideAppSameAppVersion: Node's require() looks for
// a name the application's own node_modules lacks in every parent folder
// (resources/node_modules, node_modules beside the executable): an
// optional dependency the application tries to load is found there. A
// package planted there was a note (with a package.json) or no finding
// at all (without one, beside the executable: a file of the runtime,
// added); under the same application version each is now
// diff/changed-same-version.
func TestAttackPackageBesideAppSameAppVersion(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"node_modules/optional-native", "resources/node_modules/optional-native"} {
		for _, withJSON := range []bool{false, true} {
			old, n := rtWindows(t, "1.4.0"), rtWindows(t, "1.4.0")
			n.Files[dir+"/index.js"] = []byte("evil()")
			if withJSON {
				n.Files[dir+"/package.json"] = []byte(`{"name":"optional-native","version":"1.0.0"}`)
			}
			got := rtDiff(t, old, n)
			if !slices.Contains(got, "error diff/changed-same-version "+dir) {
				t.Errorf("%s (package.json %v): findings:\n%s", dir, withJSON, strings.Join(got, "\n"))
			}
		}
	}
}

// TestAttackPackageNotInLockfile: a nested copy of tinycolor planted to
// shadow the real one for @chatter/ui, in a release of a new application
// version, was a note (package added) while the application's
// package-lock.json, which lists every package npm installed, has no
// such package. It is now electron/lockfile-mismatch; the packages the
// lockfile lists have none.
func TestAttackPackageNotInLockfile(t *testing.T) {
	t.Parallel()
	const nested = "node_modules/@chatter/ui/node_modules/tinycolor/"
	old, n := rtWindows(t, "1.4.0"), rtWindows(t, "1.4.1")
	repackAsar(t, n, func(f map[string]*electronfix.AsarFile) {
		f[nested+"package.json"] = &electronfix.AsarFile{Path: nested + "package.json", Data: []byte(`{"name":"tinycolor","version":"2.1.1"}`)}
		f[nested+"index.js"] = &electronfix.AsarFile{Path: nested + "index.js", Data: []byte("evil()")}
	})
	pn, err := n.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	inv := openRelease(t, pn)
	var got []string
	for _, f := range inv.Findings {
		if f.Rule == RuleLockfileMismatch {
			got = append(got, f.Path)
		}
	}
	if want := []string{rtAsar + "/" + strings.TrimSuffix(nested, "/")}; !slices.Equal(got, want) {
		t.Errorf("lockfile findings %q, want %q", got, want)
	}
	po, err := old.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range openRelease(t, po).Findings {
		if f.Rule == RuleLockfileMismatch {
			t.Errorf("the release as built: %s %s", f.Path, f.Message)
		}
	}
}

// TestAttackPackageRemovedSameAppVersion: removing a nested copy
// (@chatter/ui's own tinycolor 2.1.1, shipped beside the top-level
// 2.1.0) makes require("tinycolor") from @chatter/ui load the other
// copy — an older one, with the flaw the nested copy was there to avoid —
// while the application's version stayed 1.4.0. It was a note (package
// removed); it is now diff/changed-same-version too, and stays a note
// under a new application version.
func TestAttackPackageRemovedSameAppVersion(t *testing.T) {
	t.Parallel()
	const nested = "node_modules/@chatter/ui/node_modules/tinycolor/"
	plant := func(r *electronfix.Release) {
		repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
			f[nested+"package.json"] = &electronfix.AsarFile{Path: nested + "package.json", Data: []byte(`{"name":"tinycolor","version":"2.1.1"}`)}
			f[nested+"index.js"] = &electronfix.AsarFile{Path: nested + "index.js", Data: []byte("fixed()")}
		})
	}
	at := rtAsar + "/" + strings.TrimSuffix(nested, "/")
	for _, v := range []string{"1.4.0", "1.4.1"} {
		old, n := rtWindows(t, "1.4.0"), rtWindows(t, v)
		plant(old)
		got := rtDiff(t, old, n)
		if !slices.Contains(got, "note diff/package-removed "+at) {
			t.Errorf("app %s: findings:\n%s", v, strings.Join(got, "\n"))
		}
		if has := slices.Contains(got, "error diff/changed-same-version "+at); has != (v == "1.4.0") {
			t.Errorf("app %s: changed-same-version %v; findings:\n%s", v, has, strings.Join(got, "\n"))
		}
	}
}

// TestAttackPackageNestedBesideAppSameAppVersion: a package the
// application's require() finds beside it (resources/node_modules/foo)
// loads its dependency from its own node_modules first: a copy of bar
// planted in resources/node_modules/foo/node_modules, with a version no
// copy had, shadowed resources/node_modules/bar under an unchanged
// application version with only a package-added note. It is
// diff/changed-same-version now, as the same copy one level up is.
func TestAttackPackageNestedBesideAppSameAppVersion(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"resources/node_modules", "node_modules"} {
		old, n := rtWindows(t, "1.4.0"), rtWindows(t, "1.4.0")
		for _, r := range []*electronfix.Release{old, n} {
			r.Files[base+"/foo/package.json"] = []byte(`{"name":"foo","version":"1.0.0"}`)
			r.Files[base+"/foo/index.js"] = []byte("require('bar')")
			r.Files[base+"/bar/package.json"] = []byte(`{"name":"bar","version":"1.0.0"}`)
			r.Files[base+"/bar/index.js"] = []byte("ok()")
		}
		dir := base + "/foo/node_modules/bar"
		n.Files[dir+"/package.json"] = []byte(`{"name":"bar","version":"1.0.1"}`)
		n.Files[dir+"/index.js"] = []byte("evil()")
		got := rtDiff(t, old, n)
		if !slices.Contains(got, "error diff/changed-same-version "+dir) {
			t.Errorf("%s: findings:\n%s", dir, strings.Join(got, "\n"))
		}
	}
}
