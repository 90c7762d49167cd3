package sbom

import (
	"archive/zip"
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
)

// upstreamRelease writes a trojanized Windows release (ffmpeg.dll and
// d3dcompiler_47.dll changed), applies edit to its folder, and compares it
// with the official zip.
func upstreamRelease(t *testing.T, edit func(dir string)) []string {
	t.Helper()
	dir := t.TempDir()
	zipPath, sums := upstreamZip(t, dir)
	rel := writeRelease(t, filepath.Join(dir, "rel"), electronfix.Windows, electronfix.Spec{AppVersion: "1.4.1", TrojanFFmpeg: true})
	edit(rel)
	res, err := CompareUpstream(zipPath, openRelease(t, rel), UpstreamOptions{SHASUMS: sums})
	if err != nil {
		t.Fatal(err)
	}
	return findingKeys(res.Findings)
}

// TestAttackUpstreamRuntimeFileRenamedByCase: Windows loads ffmpeg.dll
// from FFMPEG.DLL all the same, but the comparison looked the upstream
// name up exactly: the trojanized file was an extra file next to the
// runtime (a warning) and upstream's ffmpeg.dll merely missing, rather than
// the runtime's file modified (an error).
func TestAttackUpstreamRuntimeFileRenamedByCase(t *testing.T) {
	t.Parallel()
	got := strings.Join(upstreamRelease(t, func(dir string) {
		if err := os.Rename(filepath.Join(dir, "ffmpeg.dll"), filepath.Join(dir, "FFMPEG.DLL")); err != nil {
			t.Fatal(err)
		}
	}), "\n")
	if !strings.Contains(got, "error electron/runtime-modified FFMPEG.DLL") {
		t.Errorf("findings:\n%s\nwant runtime-modified on FFMPEG.DLL", got)
	}
}

// TestAttackUpstreamFuseWireInDLL: the application's executable is the
// top-level binary carrying the fuse wire, and its difference from
// upstream's electron.exe is a note. A fuse sentinel and wire appended to
// the trojanized ffmpeg.dll, in a release whose executable sorts after it
// (slack.exe), made ffmpeg.dll "the executable": its difference from
// upstream was a note, the real executable an extra file.
func TestAttackUpstreamFuseWireInDLL(t *testing.T) {
	t.Parallel()
	got := strings.Join(upstreamRelease(t, func(dir string) {
		if err := os.Rename(filepath.Join(dir, "Chatterbox.exe"), filepath.Join(dir, "slack.exe")); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "ffmpeg.dll")
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, append(b, electronfix.FuseWire("110011001")...), 0o644); err != nil {
			t.Fatal(err)
		}
	}), "\n")
	if want := "error electron/runtime-modified ffmpeg.dll\nnote electron/runtime-modified slack.exe"; got != want {
		t.Errorf("findings:\n%s\nwant:\n%s", got, want)
	}
}

// TestAttackUpstreamZipWithoutRuntime: an "official" zip holding none
// of the runtime's files at its root — empty, only a LICENSE, or its
// files in a folder — matched nothing: every runtime file of the release,
// the trojanized ffmpeg.dll among them, was a mere electron/runtime-extra
// warning, and a gate failing on errors passed. Every official zip holds
// the executable at its root; one that does not is refused.
func TestAttackUpstreamZipWithoutRuntime(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rel := writeRelease(t, filepath.Join(dir, "rel"), electronfix.Windows, electronfix.Spec{AppVersion: "1.4.1", TrojanFFmpeg: true})
	inv := openRelease(t, rel)
	for name, files := range map[string]map[string]string{
		"empty":        {},
		"license only": {"LICENSE": "MIT"},
		"in a folder":  {"dist/electron.exe": "MZ", "dist/ffmpeg.dll": "MZ"},
	} {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, n := range slices.Sorted(maps.Keys(files)) {
			w, _ := zw.Create(n)
			w.Write([]byte(files[n]))
		}
		zw.Close()
		p := filepath.Join(t.TempDir(), "electron-v30.1.2-win32-x64.zip")
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := CompareUpstream(p, inv, UpstreamOptions{})
		if err == nil || !strings.Contains(err.Error(), "no electron.exe at its root") {
			var got []string
			if res != nil {
				got = findingKeys(res.Findings)
			}
			t.Errorf("%s: err %v, findings %q", name, err, got)
		}
	}
}
