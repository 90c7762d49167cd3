package walktest

import (
	"os"
	"path/filepath"
	"testing"
)

// WriteTemp writes data as a file named name in a new temporary folder
// and returns its path.
func WriteTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
