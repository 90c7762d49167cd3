package sbom

import (
	"os"
	"path/filepath"
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
