package container

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/sevenz"
)

// TestAttackSevenZipSFXHeaderInsideSections: 7-Zip's SFX modules take the
// first start header whose CRC matches from the start of their file, not
// from where its sections end. One placed as the last 32 bytes of the
// PE's last section, its archive running on into the overlay, is the
// archive 7-Zip lists (7z l -t7z) and the module extracts; shipgate
// skipped it for the decoy archive that follows it in the overlay and
// checked that one's files instead.
func TestAttackSevenZipSFXHeaderInsideSections(t *testing.T) {
	t.Parallel()
	stub := stubPE(t)
	evil := sevenz.Build([]sevenz.BuildFile{{Name: "evil.exe", Data: []byte("MZ evil")}})
	decoy := sevenz.Build([]sevenz.BuildFile{{Name: "decoy.txt", Data: []byte("decoy")}})
	img := append(append(append([]byte(nil), stub...), evil...), decoy...)
	img = growLastSection(t, img, len(stub)+32)
	if tool, err := exec.LookPath("7z"); err == nil {
		p := filepath.Join(t.TempDir(), "setup.exe")
		if err := os.WriteFile(p, img, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(tool, "l", "-t7z", p).CombinedOutput()
		t.Logf("%s", out)
		if err != nil || !strings.Contains(string(out), "evil.exe") {
			t.Fatalf("7z does not list evil.exe: %v\n%s", err, out)
		}
	} else {
		t.Log("7-Zip is not installed; the cross-check was skipped")
	}
	var s SFX7zScanner
	s.Write(img)
	for _, sc := range []*SFX7zScanner{nil, &s} {
		if off, ok := sfx7zOffset(bytes.NewReader(img), int64(len(img)), sc); !ok || off != int64(len(stub)) {
			t.Errorf("scanner %v: archive at %d, %v; want %d (the header inside the sections)", sc != nil, off, ok, len(stub))
		}
	}
}

// TestAttackSevenZipSFXArchiveInsideSections: a 7-Zip SFX module searches
// its file for the archive from the start, not from where the PE's
// sections end: a stub whose last section is grown to cover the whole
// archive (no overlay left) is extracted and run all the same, and 7z l
// -t7z lists it. shipgate took such a PE for no self-extractor (a
// resource) and never checked evil.exe.
func TestAttackSevenZipSFXArchiveInsideSections(t *testing.T) {
	t.Parallel()
	stub := stubPE(t)
	evil := sevenz.Build([]sevenz.BuildFile{{Name: "evil.exe", Data: []byte("MZ evil")}})
	img := append(append([]byte(nil), stub...), evil...)
	img = growLastSection(t, img, len(img))
	if PESectionsEnd(bytes.NewReader(img), int64(len(img))) != int64(len(img)) {
		t.Fatal("the archive is not inside the sections")
	}
	if tool, err := exec.LookPath("7z"); err == nil {
		p := filepath.Join(t.TempDir(), "setup.exe")
		if err := os.WriteFile(p, img, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(tool, "l", "-t7z", p).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "evil.exe") {
			t.Fatalf("7z does not list evil.exe: %v\n%s", err, out)
		}
	} else {
		t.Log("7-Zip is not installed; the cross-check was skipped")
	}
	var s SFX7zScanner
	s.Write(img)
	for _, sc := range []*SFX7zScanner{nil, &s} {
		if k := DetectScanned(bytes.NewReader(img), ".exe", img[:HeadLen], int64(len(img)), nil, sc, nil); k != Attached {
			t.Errorf("scanner %v: kind %v, want %v", sc != nil, k, Attached)
		}
		if off, ok := sfx7zOffset(bytes.NewReader(img), int64(len(img)), sc); !ok || off != int64(len(stub)) {
			t.Errorf("scanner %v: archive at %d, %v; want %d", sc != nil, off, ok, len(stub))
		}
	}
	w := walkAll(t, Attached, img, "setup.exe", nil, 0)
	if _, ok := w.entries["setup.exe/evil.exe"]; !ok {
		t.Errorf("evil.exe was not walked: %v", w.paths)
	}
}

// TestSevenZipSFXCommands: what a 7-Zip installer module runs once its
// archive is extracted (its configuration's RunProgram, ExecuteFile,
// AutoInstall lines) was shown nowhere, where an IExpress stub's commands
// are notes; each is a sfx/command note, and other keys are not.
func TestSevenZipSFXCommands(t *testing.T) {
	t.Parallel()
	cfg := ";!@Install@!UTF-8!\r\nTitle=\"Acme\"\r\nRunProgram=\"hidcon:cmd /c setup.bat\"\r\nAutoInstall1=\"msiexec /i app.msi /qn\"\r\nAutoInstallX=\"no\"\r\n;!@InstallEnd@!"
	arc := sevenz.Build([]sevenz.BuildFile{{Name: "setup.bat", Data: []byte("@echo off")}})
	img := append(append(append([]byte(nil), stubPE(t)...), cfg...), arc...)
	w := walkAll(t, Attached, img, "setup.exe", nil, 0)
	want := []string{string(RuleSFXCommand) + " setup.exe", string(RuleSFXCommand) + " setup.exe"}
	if !slices.Equal(w.finds, want) {
		t.Errorf("findings %q, want %q", w.finds, want)
	}
	if _, ok := w.entries["setup.exe/setup.bat"]; !ok {
		t.Errorf("entries %q", w.paths)
	}
	plain := append(append([]byte(nil), stubPE(t)...), arc...)
	if w := walkAll(t, Attached, plain, "setup.exe", nil, 0); len(w.finds) != 0 {
		t.Errorf("no configuration: findings %q", w.finds)
	}
}
