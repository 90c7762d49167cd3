package vuln

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestScanEmptyNestedRelease: a release folder holding an empty .app
// folder beside its files scans without error (the empty bundle has no
// package to match), now that sbom.Open refuses an empty release; an
// empty folder given alone has no findings either (verify fails it).
func TestScanEmptyNestedRelease(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "readme.txt"), "hello")
	if err := os.MkdirAll(filepath.Join(dir, "Empty.app"), 0o755); err != nil {
		t.Fatal(err)
	}
	var s Scanner
	if _, err := s.Scan(context.Background(), dir, []string{osvDir(t, lodashRecord)}, nil); err != nil {
		t.Errorf("release with an empty nested bundle: %v", err)
	}
	if _, err := s.Scan(context.Background(), t.TempDir(), []string{osvDir(t, lodashRecord)}, nil); err != nil {
		t.Errorf("empty folder: %v", err)
	}
}
