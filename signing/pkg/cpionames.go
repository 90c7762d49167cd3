package pkg

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/shipgate/shipgate/internal/foldname"
)

// macOSVolumes are the file systems a package installs onto.
const macOSVolumes = foldname.Systems(1<<foldname.APFS | 1<<foldname.HFSPlus)

// cpioNames checks the names of one payload's entries against each
// other, as the volume the installer writes them to compares them.
type cpioNames struct {
	seen   map[string]bool
	folded map[string]string // foldKeys to the first entry of each
	// set holds the files and the folders entries name or imply, to find
	// a file on a folder another entry implies under another spelling.
	set *foldname.Set
}

func newCPIONames() *cpioNames {
	return &cpioNames{seen: map[string]bool{}, folded: map[string]string{}, set: foldname.NewSet(macOSVolumes)}
}

// add checks the entry name, whose path is p (name without "./"), a
// directory if dir. It returns the problems found, and ok false when the
// entry is left out of the tree.
func (c *cpioNames) add(name, p string, dir bool) (probs []cpioProblem, ok bool) {
	if !fs.ValidPath(p) || strings.Contains(p, `\`) {
		return []cpioProblem{{name, c.spelling(p)}}, false
	}
	if c.seen[p] {
		probs = append(probs, cpioProblem{name, "a second entry of that name, which replaces the first when installed"})
	} else if o := foldedSibling(c.folded, p); o != "" {
		probs = append(probs, cpioProblem{name, fmt.Sprintf("its name differs from %q only in case or Unicode normalization (NFC/NFD), so on a case- and normalization-insensitive volume (macOS's default) one is installed over the other", o)})
	}
	c.seen[p] = true
	addFolded(c.folded, p)
	ok = true
	for _, col := range c.set.Add(p, dir) {
		// A file and a folder of the very same spelling are place's
		// (a parent that is not a directory, a directory replaced);
		// two files are foldedSibling's.
		if col.EarlierPart == col.Part || !col.Dir && !col.EarlierDir {
			continue
		}
		probs = append(probs, cpioProblem{name, fileOnFolder(col)})
		ok = false
	}
	return probs, ok
}

// fileOnFolder describes a collision of a file with a folder that
// another entry names or implies under another spelling.
func fileOnFolder(c foldname.Collision) string {
	what := func(part string, dir bool, entry string) string {
		switch {
		case !dir:
			return fmt.Sprintf("the file %q", part)
		case part == entry:
			return fmt.Sprintf("the folder %q", part)
		}
		return fmt.Sprintf("the folder %q (of %q)", part, entry)
	}
	p := strings.TrimPrefix(c.Part, "./")
	return fmt.Sprintf("%s and %s are one name on %s (they differ only in case or Unicode normalization): installed, one fails or is put in the other's place, and the files under the folder are not the ones checked",
		what(p, c.Dir, p), what(c.EarlierPart, c.EarlierDir, c.Earlier), c.On)
}

// spelling describes an entry path that is not a clean relative path:
// one that escapes the archive, or another spelling ("a//b", "a/./b",
// "a/b/") of a path inside it, which the installer writes to that path,
// over an entry of that path if there is one.
func (c *cpioNames) spelling(p string) string {
	const out = "not a relative path inside the archive"
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, `\`) {
		return out
	}
	clean := path.Clean(p)
	if !fs.ValidPath(clean) || clean == "." {
		return out
	}
	why := fmt.Sprintf("%s: another spelling (doubled or trailing slashes, \".\" elements) of %q, which the installer writes there", out, clean)
	if c.seen[clean] {
		return why + fmt.Sprintf(", over the entry %q", clean)
	}
	if o := foldedSibling(c.folded, clean); o != "" {
		return why + fmt.Sprintf(", over the entry %q (one name on a case-insensitive volume)", o)
	}
	return why
}
