package verify

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestLargeWSFReadOnce checks that a .wsf on disk too large to read whole
// is read once: its src attributes are looked for in the bytes its
// verifier read, not read again.
func TestLargeWSFReadOnce(t *testing.T) {
	t.Parallel()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	code := strings.Repeat("WScript.Echo(\"hello, world\");\r\n", (3*smallFile)/32)
	wsf := "<job><script language=\"JScript\" src=\"lib.js\"/><script language=\"JScript\">\r\n" + code + "</script></job>\r\n"
	writeTree(t, dir, map[string][]byte{"big.wsf": []byte(wsf)})
	c := countReads(t)
	r := run(t, Options{hooks: c.hooks()}, dir)
	fi := fileByPath(r, "big.wsf")
	if fi == nil || fi.Kind != KindWSF || len(r.Findings) == 0 {
		t.Fatalf("big.wsf: %+v, findings %+v", fi, r.Findings)
	}
	got := c.n[filepath.Join(dir, "big.wsf")]
	t.Logf("read %d bytes of a %d-byte file (%.2fx)", got, fi.Size, float64(got)/float64(fi.Size))
	// One pass, and the first bytes read to tell the kind.
	if slack := int64(16<<10 + 20); got < fi.Size || got > fi.Size+slack {
		t.Errorf("big.wsf (%d bytes): %d bytes read, want one pass", fi.Size, got)
	}
}
