package git

import (
	"path"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/shipgate/shipgate/internal/glob"
)

// maxAttrFile is the largest .gitattributes read; a tree with a larger one
// gets no attributes (attrsTooLarge), so no placeholder is accepted and no
// absence excused.
const maxAttrFile = 4 << 20

// maxAttrLine is git's ATTR_MAX_LINE_LENGTH: git skips longer lines.
const maxAttrLine = 2048

// Attribute values other than a string: set ("attr"), unset ("-attr") and
// unspecified ("!attr"), as git's ATTR__TRUE, ATTR__FALSE and
// ATTR__UNSET.
const (
	attrSet   = "\x00set"
	attrUnset = "\x00unset"
	attrUnspc = "\x00unspecified"
)

// attrState is one "name", "-name", "!name" or "name=value" of a line.
type attrState struct{ name, value string }

// attrLine is a pattern line of a .gitattributes file.
type attrLine struct {
	// raw is the line as written.
	raw     string
	pattern string
	// basename: the pattern has no slash and matches the last path
	// element at any depth; mustDir: it ended in "/" and matches
	// directories only.
	basename, mustDir bool
	// macro marks a macro definition ([attr]name), kept for its raw text
	// only: it matches no path.
	macro  bool
	states []attrState
}

// gitAttrs are the .gitattributes files of a tree, evaluated as git
// archive evaluates them for the tree it archives (attr.c): the file of a
// path's directory first, then each parent's up to the root; within a
// file, later lines first; per attribute, the first value found wins, and
// a macro ([attr]name, defined in the root file only, plus git's built-in
// "binary") set on a path sets its attributes where they are still
// unknown. Patterns are gitignore patterns: without a slash they match the
// last element, otherwise the path relative to the file's directory. The
// repository's $GIT_DIR/info/attributes and the global attributes file of
// whoever made the archive are not known and not used.
type gitAttrs struct {
	files  map[string][]attrLine // by directory, "" for the root
	macros map[string][]attrState
	// tooLarge is set when a .gitattributes is over maxAttrFile.
	tooLarge bool
}

// loadAttrs reads every .gitattributes file (a regular file; git does
// not follow a symlinked one) in the tree root.
func (r *repo) loadAttrs(root plumbing.Hash) (*gitAttrs, error) {
	g := &gitAttrs{files: map[string][]attrLine{}, macros: map[string][]attrState{
		"binary": {{"diff", attrUnset}, {"merge", attrUnset}, {"text", attrUnset}},
	}}
	all := map[string]entryRef{}
	if err := r.flattenTree(root, "", all); err != nil {
		return nil, err
	}
	for p, e := range all {
		if path.Base(p) != ".gitattributes" || e.mode == filemode.Symlink || !e.mode.IsFile() {
			continue
		}
		b, size, err := r.blobPrefix(e.hash, maxAttrFile)
		if err != nil {
			return nil, err
		}
		if size > maxAttrFile {
			g.tooLarge = true
			continue
		}
		dir := path.Dir(p)
		if dir == "." {
			dir = ""
		}
		g.files[dir] = g.parse(string(b), dir == "")
	}
	return g, nil
}

// parse reads the lines of one .gitattributes file; macro definitions
// count in the root file only.
func (g *gitAttrs) parse(s string, root bool) []attrLine {
	var out []attrLine
	for line := range strings.SplitSeq(s, "\n") {
		if len(line) > maxAttrLine {
			continue
		}
		line = strings.TrimLeft(line, " \t\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		pat, rest := line, ""
		if u, end, ok := unquoteC(line); ok {
			pat, rest = u, line[end:]
		} else if i := strings.IndexAny(line, " \t\r\n"); i >= 0 {
			// A quoted pattern git cannot unquote is taken as written,
			// quotes and all (attr.c's parse_attr_line).
			pat, rest = line[:i], line[i:]
		}
		var states []attrState
		valid := true
		for _, f := range strings.FieldsFunc(rest, isAttrBlank) {
			n := f
			if f[0] == '-' || f[0] == '!' {
				n = f[1:]
			}
			n, _, _ = strings.Cut(n, "=")
			valid = valid && attrNameValid(n)
			switch {
			case f[0] == '-':
				// git's parse_attr: a value after "-name=" is
				// ignored, the attribute is unset all the same.
				states = append(states, attrState{n, attrUnset})
			case f[0] == '!':
				states = append(states, attrState{n, attrUnspc})
			default:
				name, v, ok := strings.Cut(f, "=")
				if !ok {
					v = attrSet
				}
				states = append(states, attrState{name, v})
			}
		}
		if !valid {
			// git drops a line naming an invalid attribute.
			continue
		}
		if m, ok := strings.CutPrefix(pat, "[attr]"); ok {
			if !attrNameValid(m) {
				continue
			}
			if root {
				g.macros[m] = states
				out = append(out, attrLine{raw: line, macro: true})
			}
			continue
		}
		if strings.HasPrefix(pat, "!") {
			// Negative patterns are forbidden; git ignores the line.
			continue
		}
		l := attrLine{raw: line, states: states}
		if t, ok := strings.CutSuffix(pat, "/"); ok {
			pat, l.mustDir = t, true
		}
		l.basename = !strings.Contains(pat, "/")
		l.pattern = wildmatchGlob(strings.TrimPrefix(pat, "/"))
		out = append(out, l)
	}
	return out
}

// isAttrBlank reports whether r separates the fields of a .gitattributes
// line: attr.c's blank, " \t\r\n" (not \v, \f or Unicode's spaces,
// which are then part of an attribute's name, and make it invalid).
func isAttrBlank(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' }

// attrNameValid reports whether n is an attribute name git accepts
// (attr.c's attr_name_valid): letters, digits, "-", "_" and ".", not
// starting with "-".
func attrNameValid(n string) bool {
	if n == "" || n[0] == '-' {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// unquoteC reads the C-quoted string that starts s as git's
// unquote_c_style does (quote.c): \a \b \f \n \r \t \v \\ \" and three
// octal digits from \000 to \377 are escapes, bytes other than a
// backslash, a quote and NUL stand for themselves. It returns the string
// and the length of s it took; ok is false when s starts no such string
// (no quote, another escape such as \x41 or \u0041, a NUL, no closing
// quote), which git then reads as an unquoted pattern.
func unquoteC(s string) (u string, n int, ok bool) {
	if s == "" || s[0] != '"' {
		return "", 0, false
	}
	var b []byte
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			return string(b), i + 1, true
		case 0:
			return "", 0, false
		case '\\':
		default:
			b = append(b, c)
			continue
		}
		if i++; i >= len(s) {
			return "", 0, false
		}
		switch c = s[i]; c {
		case 'a':
			b = append(b, '\a')
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'v':
			b = append(b, '\v')
		case '\\', '"':
			b = append(b, c)
		case '0', '1', '2', '3':
			if i+2 >= len(s) || s[i+1] < '0' || s[i+1] > '7' || s[i+2] < '0' || s[i+2] > '7' {
				return "", 0, false
			}
			b = append(b, (c-'0')<<6|(s[i+1]-'0')<<3|(s[i+2]-'0'))
			i += 2
		default:
			return "", 0, false
		}
	}
	return "", 0, false
}

// wildmatchGlob turns a wildmatch pattern into a glob of internal/glob:
// "**" that is not a whole element is "*", and "[!" is "[^".
func wildmatchGlob(p string) string {
	els := strings.Split(p, "/")
	for i, el := range els {
		if el != "**" {
			for strings.Contains(el, "**") {
				el = strings.ReplaceAll(el, "**", "*")
			}
		}
		els[i] = strings.ReplaceAll(el, "[!", "[^")
	}
	return strings.Join(els, "/")
}

// is reports whether attribute attr is set (git's ATTR_TRUE) on path p, a
// directory when dir is set.
func (g *gitAttrs) is(p string, dir bool, attr string) bool {
	return g.value(p, dir, attr) == attrSet
}

// value returns the state of attribute attr on path p: attrSet,
// attrUnset, attrUnspc, a value, or "" when no line names it. An absolute
// p is no path of the tree and has no attributes (path.Dir never reaches
// "." from it).
func (g *gitAttrs) value(p string, dir bool, attr string) string {
	if g == nil || g.tooLarge || strings.HasPrefix(p, "/") {
		return ""
	}
	known := map[string]string{}
	d := path.Dir(p)
	if d == "." {
		d = ""
	}
	for {
		lines := g.files[d]
		rel := p
		if d != "" {
			rel = strings.TrimPrefix(p, d+"/")
		}
		for i := len(lines) - 1; i >= 0; i-- {
			if lines[i].matches(rel, dir) {
				g.fill(known, lines[i].states, 0)
			}
		}
		if _, ok := known[attr]; ok || d == "" {
			break
		}
		if d = path.Dir(d); d == "." {
			d = ""
		}
	}
	return known[attr]
}

// fill records the states not yet known, last first, expanding set
// macros (attr.c's fill_one and macroexpand_one).
func (g *gitAttrs) fill(known map[string]string, states []attrState, depth int) {
	if depth > 8 {
		return
	}
	for i := len(states) - 1; i >= 0; i-- {
		s := states[i]
		if _, ok := known[s.name]; ok {
			continue
		}
		known[s.name] = s.value
		if m, ok := g.macros[s.name]; ok && s.value == attrSet {
			g.fill(known, m, depth+1)
		}
	}
}

// matches reports whether the line's pattern matches rel, a path relative
// to the directory of its file.
func (l attrLine) matches(rel string, dir bool) bool {
	if l.macro || l.mustDir && !dir {
		return false
	}
	if l.basename {
		return glob.Match(l.pattern, path.Base(rel))
	}
	return glob.Match(l.pattern, rel)
}
