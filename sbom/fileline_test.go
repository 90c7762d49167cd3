package sbom

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestFileLine checks that a digest line is the path relative to its folder
// only when the path is under it ("dir/..."), as strings.TrimPrefix with
// "dir/" gives, so that package digests stay what they were.
func TestFileLine(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ p, dir string }{
		{"node_modules/a/lib/x.js", "node_modules/a"},
		{"node_modules/ab/x.js", "node_modules/a"},
		{"node_modules/a", "node_modules/a"},
		{"node_modules/a/", "node_modules/a"},
		{"/x.js", ""},
		{"x.js", ""},
		{"resources/app/x.js", "resources/app"},
		{"other/x.js", "resources/app"},
	} {
		var got, want bytes.Buffer
		fileLine(&got, c.p, c.dir, "abc")
		fmt.Fprintf(&want, "%s\x00%s\n", strings.TrimPrefix(c.p, c.dir+"/"), "abc")
		if got.String() != want.String() {
			t.Errorf("fileLine(%q, %q) = %q, want %q", c.p, c.dir, got.String(), want.String())
		}
	}
}
