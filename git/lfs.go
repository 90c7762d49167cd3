package git

import (
	"bytes"
	"fmt"
	"strconv"
)

// maxLFSPointer is the most git-lfs reads of a blob to decide whether it
// is a pointer (its blobSizeCutoff); a larger blob is checked out as is.
const maxLFSPointer = 1024

// lfsVersions are the pointer versions git-lfs accepts: the spec's and its
// earlier aliases.
var lfsVersions = [][]byte{
	[]byte("https://git-lfs.github.com/spec/v1"),
	[]byte("https://hawser.github.com/spec/v1"),
	[]byte("http://git-media.io/v/2"),
}

// lfsPointer reports why b, a whole blob, is a Git LFS pointer, or "". A
// checkout with git-lfs installed (filter=lfs in .gitattributes, which the
// usual "git lfs track" writes) replaces such a blob with an object fetched
// from the LFS server, which the repository does not hold: whatever that is
// (an executable, a prebuilt library) was never in the history audited, so
// the heuristics cannot have looked at it. Detection is by content alone
// (first line "version <a version git-lfs accepts>", an "oid sha256:" line):
// .gitattributes can be changed in a later commit, and a global filter
// configuration is not in the repository.
func lfsPointer(b []byte, size int64) string {
	if size > maxLFSPointer || int64(len(b)) != size {
		return ""
	}
	first, rest, _ := bytes.Cut(bytes.TrimLeft(b, " \t\r\n"), []byte("\n"))
	v, ok := bytes.CutPrefix(bytes.TrimRight(first, "\r"), []byte("version "))
	if !ok {
		return ""
	}
	known := false
	for _, lv := range lfsVersions {
		known = known || bytes.Equal(bytes.TrimSpace(v), lv)
	}
	if !known {
		return ""
	}
	var oid, n string
	for line := range bytes.SplitSeq(rest, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if o, ok := bytes.CutPrefix(line, []byte("oid ")); ok {
			oid = string(o)
		}
		if s, ok := bytes.CutPrefix(line, []byte("size ")); ok {
			n = string(s)
		}
	}
	if oid == "" {
		return ""
	}
	what := "an object of unknown size"
	if s, err := strconv.ParseUint(n, 10, 63); err == nil {
		what = fmt.Sprintf("a %d-byte object", s)
	}
	return fmt.Sprintf("Git LFS pointer (%d bytes): a checkout with git-lfs writes %s (%.80s) fetched from outside the repository in its place, whose content was not inspected", size, what, oid)
}
