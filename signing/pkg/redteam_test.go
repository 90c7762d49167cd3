package pkg

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/shipgate/shipgate/internal/pkgfile"
)

// sharedDataPackage is a package whose n entries all name the <data> of
// one zlib-compressed file of size zero bytes, as xar stores duplicates.
func sharedDataPackage(t *testing.T, size, n int) []byte {
	t.Helper()
	re := regexp.MustCompile(`(?s)<file id="\d+">.*?</file>`)
	id := regexp.MustCompile(`id="\d+"`)
	b, _ := pkgfile.Build(pkgfile.Spec{Files: []pkgfile.File{{Path: "a", Data: make([]byte, size), Encoding: pkgfile.EncodingZlib}}, TweakTOC: func(s string) string {
		f := re.FindString(s)
		var more strings.Builder
		for i := 0; i < n-1; i++ {
			g := strings.Replace(f, "<name>a</name>", fmt.Sprintf("<name>a%d</name>", i), 1)
			more.WriteString(id.ReplaceAllString(g, fmt.Sprintf(`id="%d"`, 1000+i)))
		}
		return strings.Replace(s, f, f+more.String(), 1)
	}})
	return b
}

// TestVerifySharedDataDecodedOnce: 400 entries naming one 16 MiB
// thousandfold zlib stream (a 20 KB package) are checked by decoding it
// once, not 400 times (6 GiB): the package's bytes are read a few times
// over, not once per entry.
func TestVerifySharedDataDecodedOnce(t *testing.T) {
	t.Parallel()
	b := sharedDataPackage(t, 16<<20, 400)
	r := &countingReaderAt{r: bytes.NewReader(b)}
	res, err := Verify(r, int64(len(b)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.n.Load() > 8*int64(len(b)) {
		t.Errorf("Verify read %d bytes of a %d-byte package", r.n.Load(), len(b))
	}
	if len(res.Reader.Entries) != 400 || !res.FilesOK {
		t.Errorf("entries %d, files ok %t", len(res.Reader.Entries), res.FilesOK)
	}
}

// TestOpenFSCompressedFilesChargeTheLimit: the decoded bytes of
// compressed files count against MaxPayload, so that entries sharing one
// stream cannot make a walker decode it without end.
func TestOpenFSCompressedFilesChargeTheLimit(t *testing.T) {
	t.Parallel()
	b := sharedDataPackage(t, 256<<10, 10)
	_, finds := OpenFS(open(t, b), FSOptions{MaxPayload: 1 << 20})
	n := 0
	for _, f := range finds {
		if f.Rule == RulePayloadTooLarge {
			n++
		}
	}
	if n != 6 {
		t.Errorf("%d payload-too-large findings, want 6: %+v", n, finds)
	}
}

// TestOpenFSLaterEntryDoesNotHideADirectory: an entry after the files of
// a directory it was created for, naming that directory as a symlink or
// a file, is reported and does not hide the files from the walk.
func TestOpenFSLaterEntryDoesNotHideADirectory(t *testing.T) {
	t.Parallel()
	for name, last := range map[string]pkgfile.CPIOFile{
		"symlink": {Name: "./Applications", Mode: 0o120755, Data: []byte("/tmp")},
		"file":    {Name: "./Applications", Mode: 0o100644, Data: []byte("x")},
	} {
		fsys, got := cpioPackage(t, pkgfile.Gzip(pkgfile.CPIO([]pkgfile.CPIOFile{
			{Name: "./Applications/X.app/Contents/MacOS/X", Mode: 0o100755, Data: []byte("code")},
			last,
		})))
		if !strings.Contains(got, `entry "./Applications" was not checked`) {
			t.Errorf("%s: findings:\n%s", name, got)
		}
		if _, err := fs.Stat(fsys, "app.pkg/Payload/Applications/X.app/Contents/MacOS/X"); err != nil {
			t.Errorf("%s: the executable is hidden: %v", name, err)
		}
	}
}

// countingReaderAt counts the bytes read through it.
type countingReaderAt struct {
	r io.ReaderAt
	n atomic.Int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}
