package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTrustedRootKeepsFileOnFailure checks that trusted-root refuses a
// repository without its initial root, and that a fetch that fails leaves
// the -o file as it was.
func TestTrustedRootKeepsFileOnFailure(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, _, errOut := runCLI(t, "trusted-root", "--tuf-url", "http://127.0.0.1:1", "--tuf-cache", dir)
	if code != exitError || !strings.Contains(errOut, "--tuf-root is required") {
		t.Errorf("no --tuf-root: exit %d: %s", code, errOut)
	}
	out := filepath.Join(dir, "trusted_root.json")
	os.WriteFile(out, []byte("previous"), 0o644)
	root := filepath.Join(dir, "root.json")
	os.WriteFile(root, []byte(`{"signed": {}, "signatures": []}`), 0o644)
	code, _, errOut = runCLI(t, "trusted-root", "--tuf-url", "http://127.0.0.1:1", "--tuf-root", root, "--tuf-cache", filepath.Join(dir, "cache"), "-o", out)
	if code != exitError || !strings.Contains(errOut, "TUF") {
		t.Errorf("bad root: exit %d: %s", code, errOut)
	}
	if b, _ := os.ReadFile(out); string(b) != "previous" {
		t.Errorf("the -o file was changed to %q", b)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".trusted_root.json.*")); len(m) != 0 {
		t.Errorf("temporary files left: %v", m)
	}
}
