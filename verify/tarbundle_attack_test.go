package verify

import (
	"archive/tar"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/sevenz"
)

// TestAttackTarredAppSealUnchecked: an app in a tarball is not verified
// as a bundle (the tarball is read once, front to back), so a changed
// resource passed without a word: its Mach-O files verified one by one,
// its seal never read. It is reported now (file/unchecked-archive), in a
// tarball given as the input or found in the release.
func TestAttackTarredAppSealUnchecked(t *testing.T) {
	t.Parallel()
	bundle := exampleBundle(t)
	app := bundle["Example.app/Contents/Resources/app.txt"]
	app.Data = []byte("trojan\n")
	bundle["Example.app/Contents/Resources/app.txt"] = app
	var es []tarEntry
	for _, p := range machofile.SortedPaths(bundle) {
		if f := bundle[p]; f.Link != "" {
			es = append(es, tarEntry{name: "dist/" + p, typ: tar.TypeSymlink, link: f.Link})
		} else {
			es = append(es, tarEntry{name: "dist/" + p, data: f.Data})
		}
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"rel/app.tar": makeTar(t, es...), "rel/other.tar": makeTar(t, tarEntry{name: "bin/Contents/x", data: []byte("x")})})
	for in, p := range map[string]string{"rel": "app.tar/dist/Example.app", "rel/app.tar": "dist/Example.app"} {
		r := run(t, Options{}, filepath.Join(dir, in))
		if got := rulesFor(r, p); !has(got, "warning "+string(RuleUncheckedArchive)) {
			t.Errorf("%s: %s: findings %q", in, p, got)
		}
		for _, f := range r.Findings {
			if f.Rule == RuleUncheckedArchive && f.Path != p {
				t.Errorf("%s: also %s: %s", in, f.Path, f.Message)
			}
		}
	}
}

// TestAttackSevenZippedAppSealUnchecked: the same for an app in a 7-Zip
// archive, which is read file by file.
func TestAttackSevenZippedAppSealUnchecked(t *testing.T) {
	t.Parallel()
	bundle := exampleBundle(t)
	var files []sevenz.BuildFile
	for _, p := range machofile.SortedPaths(bundle) {
		if f := bundle[p]; f.Link == "" {
			files = append(files, sevenz.BuildFile{Name: p, Data: f.Data})
		}
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"app.7z": sevenz.Build(files), "tools.7z": sevenz.Build([]sevenz.BuildFile{{Name: "x.txt", Data: []byte("x")}})})
	r := run(t, Options{}, dir)
	if got := rulesFor(r, "app.7z/Example.app"); !has(got, "warning "+string(RuleUncheckedArchive)) {
		t.Errorf("findings %q", got)
	}
	for _, f := range r.Findings {
		if f.Rule == RuleUncheckedArchive && f.Path != "app.7z/Example.app" {
			t.Errorf("also %s: %s", f.Path, f.Message)
		}
	}
}
