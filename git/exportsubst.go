package git

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// maxSubstFile is the largest export-subst file compared placeholder by
// placeholder; a larger one that differs from its blob is reported as
// differing.
const maxSubstFile = 1 << 20

// maxSubstSteps bounds the search for where each placeholder's expansion
// ends (see matchSubst); past it the file is reported as differing.
const maxSubstSteps = 1 << 16

// maxSubstCheckBytes bounds the text compareSubst matches against the
// placeholders' patterns over the whole split search.
const maxSubstCheckBytes = 64 << 20

// readSource reads the size bytes of src.
func readSource(src release.Source, size int64) ([]byte, error) {
	rc, err := src.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, size+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) != size {
		return nil, fmt.Errorf("read %d bytes, want %d", len(b), size)
	}
	return b, nil
}

// substKeep returns which artifact names the scan keeps the content of:
// those the .gitattributes files of the tree compared mark export-subst
// (see gitAttrs), with or without a top-level directory wrapping them.
func (a *auditor) substKeep(until plumbing.Hash, treePath string) (func(string) bool, error) {
	uc, err := a.r.commit(until)
	if err != nil {
		return nil, err
	}
	root, err := a.r.entryAt(uc.tree, treePath)
	if err != nil || root.mode != filemode.Dir {
		// compareArtifact reports a tree path that is no directory.
		return nil, err
	}
	attrs, err := a.attrs(root.hash)
	if err != nil {
		return nil, err
	}
	return func(name string) bool {
		if attrs.is(name, false, "export-subst") {
			return true
		}
		_, rest, ok := strings.Cut(name, "/")
		return ok && attrs.is(rest, false, "export-subst")
	}, nil
}

// substRegion is the text git archive wrote in place of one $Format:…$
// placeholder: its format, and where the text is in the artifact's file.
type substRegion struct {
	format string
	offset int
	text   []byte
}

// compareSubst compares artifact file e, which the tree's .gitattributes
// marks export-subst and whose content differs from blob te, with the
// blob as git archive writes it: each "$Format:FMT$" replaced by FMT
// expanded for the commit (archive.c's format_subst). Placeholders of the
// commit's own fields must read as git writes them (expandSubst), and
// those of abbreviated ids and of the message (%h, %s, %b, %B) as one of
// the texts git can write (substPattern). The others, and the message
// ones (ref names with %d and %D, commit messages with %s and %B), are
// text whoever pushes a branch or tag chooses, so none is taken on
// trust: each is reported (RuleArtifactExportSubst), as a note when it holds
// only letters, digits and the punctuation of ids, dates and ref lists,
// as an error otherwise (a quote, a backquote, a dollar sign, a newline:
// text that can end a string in the file and run as code). ok is true
// when the file is the blob with its placeholders expanded, all of them
// to such plain text.
func (a *auditor) compareSubst(attrs *gitAttrs, name string, e artifactEntry, te entryRef, until plumbing.Hash) (bool, error) {
	differs := func(why string) (bool, error) {
		a.finding(RuleArtifactContentDiffers, signing.SeverityError, name, "", fmt.Sprintf("%s differs from the tree at %s (blob %s in the artifact, %s tagged)%s", name, until, e.hash, te.hash, why))
		return false, nil
	}
	if e.symlink || te.mode == filemode.Symlink {
		return differs("")
	}
	if e.data == nil {
		return differs(fmt.Sprintf("; it is marked export-subst but over %d bytes, so its placeholders were not compared", maxSubstFile))
	}
	tpl, size, err := a.r.blobPrefix(te.hash, maxSubstFile+1)
	if err != nil {
		return false, err
	}
	if size > maxSubstFile {
		return differs(fmt.Sprintf("; it is marked export-subst but over %d bytes, so its placeholders were not compared", maxSubstFile))
	}
	b, err := a.r.rawCopy(until, plumbing.CommitObject)
	if err != nil {
		return false, err
	}
	c, err := parseCommit(b)
	if err != nil {
		return false, fmt.Errorf("git: commit %s: %w", until, err)
	}
	patterns := map[string]*regexp.Regexp{}
	// The split search may test a region many times: past
	// maxSubstCheckBytes of text, every split fails (the file is reported
	// as differing).
	budget := maxSubstCheckBytes
	check := func(f string, text []byte) bool {
		if budget -= len(text) + 1; budget < 0 {
			return false
		}
		re, seen := patterns[f]
		if !seen {
			re, _ = substPattern(f, until, b, c)
			patterns[f] = re
		}
		return re == nil || re.Match(text)
	}
	// git archive converts the blob (ident, line ends) before it
	// expands the placeholders.
	var regions []substRegion
	ok := false
	for _, t := range append([][]byte{tpl}, worktreeForms(tpl, te.hash, attrs.is(name, false, "ident"), eolOf(attrs, name))...) {
		if regions, ok = matchSubstChecked(t, e.data, func(f string) (string, bool) { return expandSubst(f, until, c) }, check); ok {
			break
		}
	}
	if !ok {
		return differs(" beyond what export-subst expands in its $Format:…$ placeholders")
	}
	plain := true
	for _, r := range regions {
		sev, what := signing.SeverityNote, "plain text"
		if !plainSubst(r.text) {
			sev, what, plain = signing.SeverityError, "text that can end a string and run as code", false
		}
		a.finding(RuleArtifactExportSubst, sev, name, "", fmt.Sprintf("%s: export-subst wrote %s in place of $Format:%s$ at byte %d (%s, not in the tree at %s)", name, quoteSubst(r.text), r.format, r.offset, what, until))
	}
	return plain, nil
}

// parseSubst splits an export-subst blob as git archive does: literal
// text around "$Format:FMT$" placeholders, the FMT running to the next
// "$"; len(lits) is len(formats)+1.
func parseSubst(tpl []byte) (lits [][]byte, formats []string) {
	for {
		b := bytes.Index(tpl, []byte("$Format:"))
		if b < 0 {
			break
		}
		c := bytes.IndexByte(tpl[b+8:], '$')
		if c < 0 {
			break
		}
		lits = append(lits, tpl[:b])
		formats = append(formats, string(tpl[b+8:b+8+c]))
		tpl = tpl[b+8+c+1:]
	}
	return append(lits, tpl), formats
}

// fixSubst writes the placeholders expand knows into the literal text
// around them, leaving the others.
func fixSubst(lits [][]byte, formats []string, expand func(string) (string, bool)) ([][]byte, []string) {
	if expand == nil {
		return lits, formats
	}
	outLits := [][]byte{slices.Clone(lits[0])}
	var outFormats []string
	for i, f := range formats {
		if x, ok := expand(f); ok {
			last := len(outLits) - 1
			outLits[last] = append(append(outLits[last], x...), lits[i+1]...)
			continue
		}
		outFormats = append(outFormats, f)
		outLits = append(outLits, slices.Clone(lits[i+1]))
	}
	return outLits, outFormats
}

// expandSubst returns what git archive writes for the placeholder format f
// of commit h when f uses only fields of the commit object (%H, %T, %P,
// %an, %ae, %at, %aI and the committer's, %n, %%); false for any other
// (%d and %D depend on the refs when the archive is made, %h on the
// repository's size).
func expandSubst(f string, h plumbing.Hash, c *rawCommit) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			b.WriteByte(f[i])
			continue
		}
		rest := f[i+1:]
		var v string
		n := 1
		switch {
		case strings.HasPrefix(rest, "H"):
			v = h.String()
		case strings.HasPrefix(rest, "T"):
			v = c.tree
		case strings.HasPrefix(rest, "P"):
			v = strings.Join(c.parents, " ")
		case strings.HasPrefix(rest, "n"):
			v = "\n"
		case strings.HasPrefix(rest, "%"):
			v = "%"
		case len(rest) >= 2 && (rest[0] == 'a' || rest[0] == 'c'):
			p := c.author
			if rest[0] == 'c' {
				p = c.committer
			}
			n = 2
			switch rest[1] {
			case 'n':
				v = p.Name
			case 'e':
				v = p.Email
			case 't':
				v = strconv.FormatInt(p.When.Unix(), 10)
			case 'I':
				v = p.When.Format("2006-01-02T15:04:05-07:00")
			default:
				return "", false
			}
		default:
			return "", false
		}
		b.WriteString(v)
		i += n
	}
	return b.String(), true
}

// matchSubst reports whether art is tpl with each placeholder replaced as
// expand gives it or, where expand cannot tell (ok false), by some text,
// and returns those texts. Where a literal between two
// placeholders occurs several times the first split that matches is
// taken; every byte not in a literal is in a region, so nothing escapes
// the report. The search is bounded by maxSubstSteps.
func matchSubst(tpl, art []byte, expand func(string) (string, bool)) ([]substRegion, bool) {
	return matchSubstChecked(tpl, art, expand, nil)
}

// matchSubstChecked is matchSubst taking only splits where check (nil:
// any) accepts the text of every region, given its format: a placeholder
// whose every possible expansion is known matches only one of them.
func matchSubstChecked(tpl, art []byte, expand func(string) (string, bool), check func(format string, text []byte) bool) ([]substRegion, bool) {
	lits, formats := parseSubst(tpl)
	lits, formats = fixSubst(lits, formats, expand)
	n := len(formats)
	if check == nil {
		check = func(string, []byte) bool { return true }
	}
	if n == 0 {
		return nil, bytes.Equal(lits[0], art)
	}
	first, last := lits[0], lits[n]
	if len(first)+len(last) > len(art) || !bytes.HasPrefix(art, first) || !bytes.HasSuffix(art, last) {
		return nil, false
	}
	end := len(art) - len(last)
	starts := make([]int, n) // start of region i
	steps := 0
	var place func(i, pos int) bool
	// place puts literal i (1 <= i <= n) at or after pos, region i-1
	// running from pos to it.
	place = func(i, pos int) bool {
		if steps++; steps > maxSubstSteps {
			return false
		}
		starts[i-1] = pos
		if i == n {
			return pos <= end && check(formats[n-1], art[pos:end])
		}
		for from := pos; from <= end; {
			k := bytes.Index(art[from:end], lits[i])
			if k < 0 {
				return false
			}
			if check(formats[i-1], art[pos:from+k]) && place(i+1, from+k+len(lits[i])) {
				return true
			}
			if steps > maxSubstSteps {
				return false
			}
			from += k + 1
		}
		return false
	}
	if !place(1, len(first)) {
		return nil, false
	}
	out := make([]substRegion, n)
	for i := range n {
		stop := end
		if i+1 < n {
			stop = starts[i+1] - len(lits[i+1])
		}
		out[i] = substRegion{format: formats[i], offset: starts[i], text: art[starts[i]:stop]}
	}
	return out, true
}

// plainSubst reports whether an expansion holds only letters, digits,
// spaces and ".,:/+-_@=" (ids, dates, versions, ref names), with %d's
// " (…)" around a list and " -> " after HEAD.
func plainSubst(b []byte) bool {
	s := string(b)
	if t, ok := strings.CutPrefix(s, " ("); ok {
		if t, ok = strings.CutSuffix(t, ")"); ok {
			s = t
		}
	}
	s = strings.ReplaceAll(s, " -> ", " ")
	for _, c := range []byte(s) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte(" .,:/+-_@=", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// quoteSubst quotes an expansion for a message, cut after 200 bytes.
func quoteSubst(b []byte) string {
	if len(b) > 200 {
		return fmt.Sprintf("%q… (%d bytes)", b[:200], len(b))
	}
	return fmt.Sprintf("%q", b)
}
