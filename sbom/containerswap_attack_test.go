package sbom

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
)

// TestAttackReleaseFolderThenZip: the old release given as its folder, the
// new one as the zip packagers make of it (every path under the app's
// folder name), with ffmpeg.dll trojanized under the same Electron version:
// no path matched, so every file was removed and added again, and the
// trojan was one "new native code" warning among a dozen.
func TestAttackReleaseFolderThenZip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	old := rtWindows(t, "1.4.0")
	po, err := old.Write(filepath.Join(dir, "old"))
	if err != nil {
		t.Fatal(err)
	}
	n := rtRelease(t, electronfix.Windows, electronfix.Spec{AppVersion: "1.4.1", TrojanFFmpeg: true}, "win1.4.1-trojan")
	zp := filepath.Join(dir, n.Root+".zip")
	if err := os.WriteFile(zp, zipRelease(t, n), 0o644); err != nil {
		t.Fatal(err)
	}
	oi, ni := openRelease(t, po), openRelease(t, zp)
	got := strings.Join(findingKeys(Diff(oi, ni).Findings), "\n")
	if !strings.Contains(got, "error diff/changed-same-version "+n.Root+"/ffmpeg.dll") || strings.Contains(got, "runtime-file-removed") {
		t.Errorf("layouts %s, %s; findings:\n%s\nwant an error on ffmpeg.dll", oi.Layout, ni.Layout, got)
	}
	// The other way round: the old release zipped, the new one a folder.
	zo := filepath.Join(dir, "old.zip")
	if err := os.WriteFile(zo, zipRelease(t, old), 0o644); err != nil {
		t.Fatal(err)
	}
	pn, err := n.Write(filepath.Join(dir, "new"))
	if err != nil {
		t.Fatal(err)
	}
	got = strings.Join(findingKeys(Diff(openRelease(t, zo), openRelease(t, pn)).Findings), "\n")
	if !strings.Contains(got, "error diff/changed-same-version ffmpeg.dll") || strings.Contains(got, "runtime-file-removed") {
		t.Errorf("zip then folder; findings:\n%s\nwant an error on ffmpeg.dll", got)
	}
}
