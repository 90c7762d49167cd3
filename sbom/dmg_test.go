package sbom

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/internal/hfsplus"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// dmgOf returns a disk image whose HFS+ volume holds the macOS release of
// spec s (Chatterbox.app) and the Applications link of an installer image.
func dmgOf(t *testing.T, s electronfix.Spec) []byte {
	t.Helper()
	r, err := electronfix.MacOS(s)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]hfsplus.BuildFile{"Applications": {Link: "/Applications"}}
	for _, p := range r.Paths() {
		f := hfsplus.BuildFile{Data: r.Files[p]}
		if r.Exec[p] {
			f.Mode = 0o755
		}
		files[r.Root+"/"+p] = f
	}
	vol, err := hfsplus.Build(hfsplus.BuildSpec{Files: files})
	if err != nil {
		t.Fatal(err)
	}
	img, _ := dmgfile.Build(dmgfile.Spec{HFS: vol})
	return img
}

// TestOpenDMGRelease: a disk image is a release, as verify opens it: the
// image and every file of the app in its volume are inventoried under the
// image's name, with the same digests and Electron facts as the app's
// folder, and the Applications link is no file and no finding.
func TestOpenDMGRelease(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	inv := openRelease(t, writeFile(t, dir, "Chatterbox-1.4.0.dmg", dmgOf(t, electronfix.Clean())))
	for _, f := range inv.Findings {
		if f.Severity == signing.SeverityError {
			t.Errorf("finding %s %s: %s", f.Rule, f.Path, f.Message)
		}
	}
	if inv.Layout != LayoutInstaller {
		t.Errorf("layout %s", inv.Layout)
	}
	folder := openRelease(t, writeRelease(t, filepath.Join(dir, "folder"), electronfix.MacOS, electronfix.Clean()))
	inImage := map[string]string{}
	for _, f := range inv.Files {
		inImage[f.Path] = f.SHA256
	}
	for _, b := range inv.Binaries {
		inImage[b.Path] = b.SHA256
	}
	if _, ok := inImage["Chatterbox-1.4.0.dmg"]; !ok {
		t.Error("the image itself is not inventoried")
	}
	n := 0
	for _, b := range folder.Binaries {
		n++
		p := "Chatterbox-1.4.0.dmg/" + electronfix.AppName + ".app/" + b.Path
		if got, ok := inImage[p]; !ok || got != b.SHA256 {
			t.Errorf("%s: sha256 %q, want %q (the folder's)", p, got, b.SHA256)
		}
	}
	if n == 0 {
		t.Fatal("the folder release has no binaries to compare")
	}
	if inv.Electron.Version == "" || inv.Electron.Version != folder.Electron.Version || len(inv.Electron.Fuses) != len(folder.Electron.Fuses) {
		t.Errorf("Electron facts %+v, want the folder's %+v", inv.Electron, folder.Electron)
	}
	for p := range inImage {
		if strings.HasSuffix(p, "/Applications") {
			t.Errorf("the Applications link is inventoried as %s", p)
		}
	}
}

// TestOpenDMGMalformed is the failing case: a file named .dmg that is no
// disk image is the release's one file and a file/malformed error, not an
// empty inventory.
func TestOpenDMGMalformed(t *testing.T) {
	t.Parallel()
	inv := openRelease(t, writeFile(t, t.TempDir(), "broken.dmg", []byte(strings.Repeat("not a disk image\n", 64))))
	var got []string
	for _, f := range inv.Findings {
		got = append(got, string(f.Rule)+" "+f.Path)
	}
	if want := string(release.RuleMalformed) + " broken.dmg"; !slices.Contains(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
	if fileAt(inv, "broken.dmg") == nil {
		t.Error("the image itself is not inventoried")
	}
}

// TestDiffDMGReleases: the diff of two disk images finds what the diff of
// the two app folders finds (libffmpeg.dylib changed while Electron's
// version did not, the weakened fuse, the tampered package…), at the same
// place inside the images, with the app's Electron facts.
func TestDiffDMGReleases(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	oldDir := writeRelease(t, filepath.Join(dir, "old"), electronfix.MacOS, electronfix.Clean())
	newDir := writeRelease(t, filepath.Join(dir, "new"), electronfix.MacOS, electronfix.Trojanized())
	dirDiff := Diff(openRelease(t, oldDir), openRelease(t, newDir))
	rep, err := DiffReleases(context.Background(), writeFile(t, dir, "Chatterbox-1.4.0.dmg", dmgOf(t, electronfix.Clean())), writeFile(t, dir, "Chatterbox-1.4.1.dmg", dmgOf(t, electronfix.Trojanized())), DiffOptions{Inventory: Options{Signatures: fixtureSignatures(t)}})
	if err != nil {
		t.Fatal(err)
	}
	const at = "Chatterbox-1.4.1.dmg/" + electronfix.AppName + ".app/"
	var want []string
	for _, f := range dirDiff.Findings {
		f.Path = at + f.Path
		want = append(want, findingKeys([]signing.Finding{f})...)
	}
	slices.Sort(want)
	if got := findingKeys(rep.Findings); !slices.Equal(got, want) {
		t.Errorf("findings\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !slices.Contains(want, "error "+string(RuleChangedSameVersion)+" "+at+"Contents/Frameworks/Electron Framework.framework/Versions/A/Libraries/libffmpeg.dylib") {
		t.Errorf("the folder diff does not flag libffmpeg.dylib: %q", want)
	}
	if rep.Summary.Passed {
		t.Error("the gate passed a trojanized disk image")
	}
}

// TestOpenDMGInRelease: a disk image among a release's files is opened as
// verify opens it, whether named .dmg or told by its koly trailer alone:
// its app's binaries are inventoried under the image's path.
func TestOpenDMGInRelease(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	img := dmgOf(t, electronfix.Clean())
	root := filepath.Join(dir, "release")
	writeFile(t, mkdir(t, filepath.Join(root, "mac")), "Chatterbox.dmg", img)
	writeFile(t, mkdir(t, filepath.Join(root, "other")), "disk.bin", img)
	writeFile(t, root, "readme.txt", []byte("hello\n"))
	inv := openRelease(t, root)
	for _, f := range inv.Findings {
		if f.Severity == signing.SeverityError {
			t.Errorf("finding %s %s: %s", f.Rule, f.Path, f.Message)
		}
	}
	for _, at := range []string{"mac/Chatterbox.dmg", "other/disk.bin"} {
		p := at + "/" + electronfix.AppName + ".app/Contents/Frameworks/Electron Framework.framework/Versions/A/Libraries/libffmpeg.dylib"
		if binaryAt(inv, p) == nil {
			t.Errorf("%s is not inventoried", p)
		}
	}
}

func mkdir(t *testing.T, p string) string {
	t.Helper()
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}
