package verify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAttackEmptyPolicyFile: a --policy file truncated to nothing (or
// generated as only comments) loaded as the builtin policy, so every rule
// it was meant to hold went unchecked without a word. LoadPolicy refuses
// it naming the file; "{}" is still an explicitly empty policy, and empty
// bytes given to ParsePolicy are still the default policy.
func TestAttackEmptyPolicyFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i, src := range []string{"", " \n\n", "# rules:\n#   - path: '**'\n", "---\n"} {
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
