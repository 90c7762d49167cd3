package verify

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/nsis"
	"github.com/shipgate/shipgate/internal/sevenz"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// sevenZip has 7-Zip pack files (path -> bytes) with args; the test is
// skipped when 7-Zip is not installed.
func sevenZip(t *testing.T, files map[string][]byte, args ...string) []byte {
	t.Helper()
	tool, err := exec.LookPath("7za")
	if err != nil {
		if tool, err = exec.LookPath("7z"); err != nil {
			t.Skip("7-Zip is not installed (apt-get install p7zip-full); the 7z test was skipped")
		}
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	for n, b := range files {
		writeFile(t, filepath.Join(src, filepath.FromSlash(n)), b)
	}
	out := filepath.Join(dir, "a.7z")
	cmd := exec.Command(tool, append(append([]string{"a", "-bd", out}, args...), ".")...)
	cmd.Dir = src
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("7z: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSevenZipOpened checks a 7-Zip archive in a release, stored (built
// here) and as 7-Zip packs executables (LZMA2 behind the x86 filter, the
// header compressed): the tampered DLL inside fails the gate at its path,
// the signed one is valid.
func TestSevenZipOpened(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	for _, tc := range []struct {
		name  string
		build func(t *testing.T) []byte
	}{
		{"stored", func(t *testing.T) []byte {
			return sevenz.Build([]sevenz.BuildFile{{Name: "app.exe", Data: f.peValid}, {Name: "resources/ffmpeg.dll", Data: f.peTampered}})
		}},
		{"7za", func(t *testing.T) []byte {
			return sevenZip(t, map[string][]byte{"app.exe": f.peValid, "resources/ffmpeg.dll": f.peTampered}, "-mx=7")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"app-64.7z": tc.build(t)})
			r := mustFail(t, Options{}, "app-64.7z/resources/ffmpeg.dll", authenticode.RuleDigestMismatch, dir)
			if fi := fileByPath(r, "app-64.7z/app.exe"); fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
				t.Errorf("app.exe: %+v", fi)
			}
			if got := rulesFor(r, "app-64.7z"); has(got, "warning "+string(ruleUncheckedArchive)) {
				t.Errorf("app-64.7z: %q", got)
			}
		})
	}
}

// TestElectronBuilderLayout is electron-builder's default Windows target:
// a signed NSIS installer (LZMA) extracting $PLUGINSDIR\app-64.7z, a 7-Zip
// archive of the app; the trojanized ffmpeg.dll inside is found two
// containers deep. The Go-built variant runs without makensis and 7-Zip.
func TestElectronBuilderLayout(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	const at = "setup.exe/$PLUGINSDIR/app-64.7z/ffmpeg.dll"
	app := map[string][]byte{"MyApp.exe": f.peValid, "ffmpeg.dll": f.peTampered, "resources/app.asar": []byte("asar")}
	t.Run("built here", func(t *testing.T) {
		arc := sevenz.Build([]sevenz.BuildFile{{Name: "MyApp.exe", Data: f.peValid}, {Name: "ffmpeg.dll", Data: f.peTampered}})
		in := goInstaller(t, []nsis.BuildFile{{Name: `$PLUGINSDIR\app-64.7z`, Data: arc}}, nsis.BuildOptions{Deflate: true, Solid: true})
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"setup.exe": signInstaller(t, in)})
		mustFail(t, Options{}, at, authenticode.RuleDigestMismatch, dir)
	})
	for _, solid := range []bool{false, true} {
		t.Run(fmt.Sprintf("makensis solid=%v", solid), func(t *testing.T) {
			arc := sevenZip(t, app, "-mx=7")
			comp := "lzma"
			if solid {
				comp = "/SOLID lzma"
			}
			// As electron-builder's template: the archive is extracted to
			// the plugins folder, uncompressed (it is compressed already).
			script := "Unicode true\nSetCompressor " + comp + "\nOutFile setup.exe\nInstallDir \"$PROGRAMFILES\\MyApp\"\nRequestExecutionLevel user\nSection\nInitPluginsDir\nSetCompress off\nFile \"/oname=$PLUGINSDIR\\app-64.7z\" app-64.7z\nSetCompress auto\nSectionEnd\n"
			in := makensisScript(t, script, map[string][]byte{"app-64.7z": arc})
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"setup.exe": signInstaller(t, in)})
			r := mustFail(t, Options{Policy: requireValid()}, at, authenticode.RuleDigestMismatch, dir)
			if fi := fileByPath(r, "setup.exe/$PLUGINSDIR/app-64.7z/MyApp.exe"); fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
				t.Errorf("MyApp.exe: %+v", fi)
			}
		})
	}
}

// TestSevenZipEncrypted: an archive whose files are encrypted is reported
// as not opened.
func TestSevenZipEncrypted(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"app.7z": sevenZip(t, map[string][]byte{"a.dll": f.peUnsigned}, "-psecret")})
	r := run(t, Options{}, dir)
	if got := rulesFor(r, "app.7z"); !has(got, "warning "+string(ruleUncheckedArchive)) {
		t.Errorf("app.7z: %q", got)
	}
}

// TestSevenZipNameLeavesArchive: an entry named with ".." is reported and
// not checked under a path outside the archive.
func TestSevenZipNameLeavesArchive(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"app.7z": sevenz.Build([]sevenz.BuildFile{{Name: `..\..\evil.dll`, Data: f.peUnsigned}})})
	r := mustFail(t, Options{}, "app.7z", ruleInsecurePath, dir)
	for _, fi := range r.Files {
		if fi.Path != "app.7z" {
			t.Errorf("checked %s", fi.Path)
		}
	}
}
