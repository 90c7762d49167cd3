package verify

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestLargeJSReadOnce checks that .js files on disk too large to read
// whole are read once, the hashing pass looking for a JScript signature
// block (an Electron app holds many large unsigned ones), and that one
// whose block lies far before its end is still a JScript.
func TestLargeJSReadOnce(t *testing.T) {
	t.Parallel()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	code := []byte(strings.Repeat("module.exports.f = function () { return 42; };\n", (3*jsTail)/48))
	far := append([]byte("// SIG // Begin signature block\r\n// SIG // End signature block\r\n"), code...)
	writeTree(t, dir, map[string][]byte{"big.js": code, "medium.js": code[:100<<10], "far.js": far})
	c := countReads(t)
	r := run(t, Options{hooks: c.hooks()}, dir)
	kinds := map[string]Kind{}
	for _, file := range r.Files {
		kinds[file.Path] = file.Kind
		if file.Path == "far.js" {
			continue
		}
		got := c.n[filepath.Join(dir, file.Path)]
		// One pass, and the disk image trailer probe.
		if slack := int64(16<<10 + 20); got < file.Size || got > file.Size+slack {
			t.Errorf("%s (%s, %d bytes): %d bytes read, want one pass", file.Path, file.Kind, file.Size, got)
		}
	}
	if kinds["big.js"] != KindOther || kinds["medium.js"] != KindOther || kinds["far.js"] != KindJScript {
		t.Errorf("kinds %v, want big.js and medium.js other, far.js a JScript", kinds)
	}
	if !bytes.Contains(far, jsBegin) {
		t.Fatal("fixture lacks its block")
	}
}
