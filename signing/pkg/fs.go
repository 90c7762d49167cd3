package pkg

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// DefaultMaxPayload is the most bytes the Payload and Scripts archives of
// one package may decompress to, together, when FSOptions.MaxPayload is
// zero.
const DefaultMaxPayload = 1 << 30

// FSOptions configures OpenFS.
type FSOptions struct {
	// MaxPayload caps the decompressed bytes of all Payload and Scripts
	// archives of the package, which are held in memory, and the decoded
	// bytes of its compressed files; zero means DefaultMaxPayload.
	MaxPayload int64
}

// OpenFS returns the package's files as a file system: the table of
// contents' files and directories, with each component's Payload and
// Scripts (a file of that name at the root or in a directory at the root)
// opened as a directory of the cpio archive it holds, so
// that "app.pkg/Payload/Applications/X.app" is walked like a folder. Files
// of the table are decoded when opened; Payload and Scripts archives are
// decompressed now, within opts.MaxPayload. The findings, with paths in the
// returned file system, list each install script (pkg/install-script) and
// each archive or entry that could not be opened.
//
// OpenFS does not check checksums: [Verify] does, over the same Reader.
// A hard link is a file holding its original's data (Reader.DataEntry).
// Entries with unsafe names, and entries other than files, hard links and
// directories, are left out (Verify reports them).
func OpenFS(x *Reader, opts FSOptions) (fs.FS, []signing.Finding) {
	budget := opts.MaxPayload
	if budget <= 0 {
		budget = DefaultMaxPayload
	}
	root := newDir(".")
	var finds []signing.Finding
	add := func(rule signing.Rule, sev signing.Severity, p string, off int64, format string, args ...any) {
		f := signing.Finding{Rule: rule, Severity: sev, Path: p, Message: fmt.Sprintf(format, args...)}
		if off >= 0 {
			o := off
			f.Offset = &o
		}
		finds = append(finds, f)
	}
	dirs := map[string]*node{"": root}
	for _, e := range x.Entries {
		if e.Unsafe != "" || strings.HasPrefix(e.Path, "\x00") {
			continue
		}
		parent := dirs[path.Dir(e.Path)]
		if path.Dir(e.Path) == "." {
			parent = root
		}
		if parent == nil {
			continue // under an entry that is not a directory
		}
		switch e.Type {
		case TypeDirectory:
			d := newDir(e.Name)
			parent.kids[e.Name] = d
			dirs[e.Path] = d
		default:
			// A file, or a hard link: extracted, it holds the data of
			// the entry DataEntry names, under its own name.
			src := x.DataEntry(e)
			if src == nil {
				continue // Verify reports it
			}
			size := int64(0)
			if src.Data != nil {
				size = src.Data.Size
			}
			if src.Data != nil && src.Data.Encoding != EncodingNone {
				// Decoding is work the limit bounds too: entries
				// sharing one thousandfold stream would each decode it.
				if size > budget {
					add(RulePayloadTooLarge, signing.SeverityError, e.Path, x.HeapStart+src.Data.Ref.Offset, "%s decodes to %d bytes, over the %d left of the package's limit, so it was not checked", e.Name, size, budget)
					continue
				}
				budget -= size
			}
			n := &node{name: e.Name, mode: 0o644, size: size, open: func() (io.Reader, error) { return x.Open(src) }}
			if isComponentArchive(e.Path) && src.Data != nil {
				at := x.HeapStart + src.Data.Ref.Offset
				if m, err := mount(x, src, &budget); err != nil {
					rule := RulePayloadMalformed
					if errors.Is(err, ErrTooLarge) {
						rule = RulePayloadTooLarge
					}
					add(rule, signing.SeverityError, e.Path, at, "%s cannot be opened, so the files it installs were not checked: %v", e.Name, err)
				} else {
					n = m.root
					n.name = e.Name
					for _, p := range m.probs {
						add(RulePayloadMalformed, signing.SeverityError, e.Path, at, "%s entry %q was not checked: %s", e.Name, p.name, p.reason)
					}
					if e.Name == "Scripts" {
						listScripts(n, e.Path, func(p string) {
							add(RuleInstallScript, signing.SeverityNote, p, -1, "%s", "install script: the installer runs it as root")
						})
					}
				}
			}
			parent.kids[e.Name] = n
		}
	}
	return memFS{root}, finds
}

// isComponentArchive reports whether a table of contents path is a
// component's Payload or Scripts: at the root (a component package on its
// own) or in a directory at the root (a product archive: the
// Distribution's pkg-ref names that directory, "#app.pkg" by custom but
// any name installs).
func isComponentArchive(p string) bool {
	dir, base := path.Split(p)
	if base != "Payload" && base != "Scripts" {
		return false
	}
	dir = strings.TrimSuffix(dir, "/")
	return !strings.Contains(dir, "/")
}

type mounted struct {
	root  *node
	probs []cpioProblem
}

// mount decompresses and parses the cpio archive e holds, charging its
// size to budget.
func mount(x *Reader, e *Entry, budget *int64) (*mounted, error) {
	r, err := x.Open(e)
	if err != nil {
		return nil, err
	}
	b, err := decompress(r, *budget)
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			return nil, fmt.Errorf("%w (%d bytes left of the package's limit)", err, *budget)
		}
		return nil, err
	}
	*budget -= int64(len(b))
	root, probs, err := parseCPIO(b)
	if err != nil {
		return nil, err
	}
	return &mounted{root, probs}, nil
}

// listScripts calls fn with the path of every regular file under n.
func listScripts(n *node, p string, fn func(string)) {
	for _, k := range n.sortedKids() {
		kp := p + "/" + k.name
		switch {
		case k.mode.IsDir():
			listScripts(k, kp, fn)
		case k.mode.IsRegular():
			fn(kp)
		}
	}
}
