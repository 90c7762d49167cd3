package verify

import (
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/walk/walktest"
)

// TestAttackDMGSetuid: a disk image's set-user-ID and set-group-ID
// programs passed, where the same files in a folder or a tarball are
// reported (file/setuid), and so did its world-writable ones
// (file/world-writable): the volume readers dropped the set-ID bits and
// the image's files were never checked for them. Both volume formats now
// give the same findings as the folder; an image of the same files with
// plain modes stays clean. (The image's programs are extensionless
// executable scripts, which Finder runs in Terminal: their
// terminal-script findings, which a folder's do not get, are left out.)
func TestAttackDMGSetuid(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "rel")
	walktest.ModeTree(t, dir)
	folder := modeFindings(run(t, Options{}, dir), "")
	want := slices.Sorted(slices.Values(walktest.ModeFindings))
	if !slices.Equal(folder, want) {
		t.Fatalf("folder findings %q, want %q", folder, want)
	}
	for name, s := range walktest.ModeVolumes(t, ^fs.FileMode(0)) {
		if got := dmgModeFindings(runDMG(t, signedDMG(t, s))); !slices.Equal(got, folder) {
			t.Errorf("%s image findings %q, want the folder's %q", name, got, folder)
		}
	}
	for name, s := range walktest.ModeVolumes(t, 0o755) {
		if got := dmgModeFindings(runDMG(t, signedDMG(t, s))); len(got) != 0 {
			t.Errorf("clean %s image findings %q, want none", name, got)
		}
	}
}

// dmgModeFindings is modeFindings of an image's report r, without the
// findings of its files being terminal scripts.
func dmgModeFindings(r *Report) []string {
	var out []string
	for _, f := range modeFindings(r, "Example.dmg/") {
		if !strings.HasPrefix(f, string(RuleScriptTerminal)+" ") && !strings.HasPrefix(f, string(RuleUnsigned)+" ") {
			out = append(out, f)
		}
	}
	return out
}
