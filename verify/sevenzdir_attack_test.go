package verify

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/nsis"
	"github.com/shipgate/shipgate/internal/sevenz"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// TestAttackSevenZipFolderAttributeOnFile: app-64.7z holds ffmpeg.dll, a
// tampered DLL with data, whose attributes say it is a folder (the DOS
// directory bit, or a Unix directory mode as p7zip stores one). The 7z
// reader shipgate opens archives with goes by the attributes and skipped
// it as a folder; 7-Zip (and the Nsis7z plugin electron-builder's
// installers extract app-64.7z with) goes by the stream: an item with
// data is a file, and it writes the DLL. It is now checked as the file it
// is, and reported as malformed (file/malformed), alone and inside an
// NSIS installer; 7-Zip, when installed, confirms it writes the file.
func TestAttackSevenZipFolderAttributeOnFile(t *testing.T) {
	f := getFixtures(t)
	for _, tc := range []struct {
		name   string
		attrib uint32
	}{
		{"DOS directory attribute", 0x10},
		{"Unix directory mode", 0x41ed8000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			arc := sevenz.Build([]sevenz.BuildFile{{Name: "app.exe", Data: f.peValid}, {Name: "ffmpeg.dll", Data: f.peTampered, Attrib: tc.attrib}})
			dir := t.TempDir()
			p := writeFile(t, filepath.Join(dir, "app-64.7z"), arc)
			r := mustFail(t, Options{}, "app-64.7z/ffmpeg.dll", ruleMalformed, p)
			if fi := fileByPath(r, "app-64.7z/ffmpeg.dll"); fi == nil || fi.Kind != KindPE {
				t.Errorf("ffmpeg.dll not checked as a PE file: %+v", fi)
			}
			wantRules(t, r, "app-64.7z/ffmpeg.dll", ruleMalformed, authenticode.RuleDigestMismatch)
			setup := goInstaller(t, []nsis.BuildFile{{Name: `$PLUGINSDIR\app-64.7z`, Data: arc}}, nsis.BuildOptions{Deflate: true, Solid: true})
			q := writeFile(t, filepath.Join(dir, "setup.exe"), setup)
			mustFail(t, Options{}, "setup.exe/$PLUGINSDIR/app-64.7z/ffmpeg.dll", ruleMalformed, q)
			extracted7z(t, p, "ffmpeg.dll", f.peTampered)
		})
	}
}

// extracted7z checks, when 7-Zip is installed, that it extracts name from
// the archive at p as a file holding want.
func extracted7z(t *testing.T, p, name string, want []byte) {
	t.Helper()
	tool, err := exec.LookPath("7z")
	if err != nil {
		t.Log("7-Zip is not installed: cross-check skipped")
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(tool, "x", "-y", p)
	cmd.Dir = dir
	cmd.Run() // the file written is the answer
	if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil || !bytes.Equal(b, want) {
		t.Errorf("7-Zip did not write %s as a file (%v)", name, err)
	}
}
