//go:build unix

package sbom

import (
	"path/filepath"
	"syscall"
	"testing"

	"github.com/shipgate/shipgate/signing"
)

// TestSpecialFileIsFinding: a named pipe in a release folder was skipped
// without a word, while verify reports it (file/unreadable): an installer
// that makes it something else would install a file no inventory listed.
// It is now the same finding, at the same path, and the pipe is never
// opened (the walk does not block on it).
func TestSpecialFileIsFinding(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	writeFile(t, root, "app.txt", []byte("x"))
	if err := syscall.Mkfifo(filepath.Join(root, "app.exe"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	inv := openRelease(t, root)
	var got []signing.Finding
	for _, f := range inv.Findings {
		if f.Path == "app.exe" {
			got = append(got, f)
		}
	}
	if len(got) != 1 || got[0].Rule != RuleUnreadable || got[0].Severity != signing.SeverityError {
		t.Fatalf("findings at app.exe: %+v", got)
	}
	if fileAt(inv, "app.exe") != nil || fileAt(inv, "app.txt") == nil {
		t.Errorf("files %+v", inv.Files)
	}
}
