package blocklist

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommentOnlyBlocklistSaysNoEntries: a list a user keeps on purpose
// with no entry yet (a hash list of comments only, or an empty file) was
// refused as an "unrecognized blocklist format", which sends them looking
// for a syntax error. It is refused as ErrNoEntries, naming the file and
// saying to give no list; a file with anything else still is of no known
// format.
func TestCommentOnlyBlocklistSaysNoEntries(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, c := range map[string]struct {
		src  string
		want error
	}{
		"local.txt":   {"# our own revoked hashes go here\n\n  # none yet\r\n", ErrNoEntries},
		"bom.txt":     {"\xef\xbb\xbf# none\n", ErrNoEntries},
		"empty.txt":   {"", ErrNoEntries},
		"garbage.txt": {"# a list\nnot a hash\n", ErrUnknownFormat},
	} {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(c.src), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(f, LoadOptions{})
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), f) {
			t.Errorf("%s: err %v, want %v naming the file", name, err, c.want)
		}
	}
}
