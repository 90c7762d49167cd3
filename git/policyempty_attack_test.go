package git

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAttackEmptyPolicyFile: a git-audit policy file that was truncated to
// nothing (or generated as only comments) loaded as the empty policy, so
// its protect and vendor entries were silently dropped. LoadPolicy refuses
// it naming the file; "{}" is still an explicitly empty policy.
func TestAttackEmptyPolicyFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i, src := range []string{"", "  \n\n", "# protect: [third_party/**]\n", "---\n"} {
		f := filepath.Join(dir, "p"+string(rune('0'+i))+".yaml")
		if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadPolicy(f); err == nil || !strings.Contains(err.Error(), f) || !strings.Contains(err.Error(), "holds no policy") {
			t.Errorf("%q: err %v, want one naming %s as holding no policy", src, err, f)
		}
	}
	f := filepath.Join(dir, "explicit.yaml")
	if err := os.WriteFile(f, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPolicy(f); err != nil {
		t.Errorf("{}: %v", err)
	}
}
