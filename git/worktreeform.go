package git

import (
	"bytes"

	"github.com/go-git/go-git/v5/plumbing"
)

// maxConvertFile is the largest blob converted to its checked-out form
// for comparison; a larger one that differs is reported as differing.
const maxConvertFile = 64 << 20

// eolAction is what convert.c's crlf_action says of a path's line ends
// when git archive writes it.
type eolAction int

const (
	// eolNone: the blob is written as it is (binary, text=input, eol=lf,
	// or no attribute: core.autocrlf, unknown here, is taken as false).
	eolNone eolAction = iota
	// eolText, eolAuto: "text" or "text=auto" without eol: LF or CRLF,
	// as the archiving git's core.eol says (CRLF by default on Windows).
	eolText
	eolAuto
	// eolTextCRLF, eolAutoCRLF: with eol=crlf.
	eolTextCRLF
	eolAutoCRLF
)

// eolOf returns the line-end conversion the attributes ask of path p
// (convert.c's convert_attrs; the crlf attribute stands in for an
// unspecified text).
func eolOf(g *gitAttrs, p string) eolAction {
	text := g.value(p, false, "text")
	if text == "" || text == attrUnspc {
		switch g.value(p, false, "crlf") {
		case attrSet:
			text = attrSet
		case attrUnset:
			text = attrUnset
		case "input":
			text = "input"
		}
	}
	eol := g.value(p, false, "eol")
	switch text {
	case attrUnset, "input":
		return eolNone
	case attrSet:
		switch eol {
		case "lf":
			return eolNone
		case "crlf":
			return eolTextCRLF
		}
		return eolText
	case "auto":
		switch eol {
		case "lf":
			return eolNone
		case "crlf":
			return eolAutoCRLF
		}
		return eolAuto
	}
	if eol == "crlf" {
		return eolTextCRLF
	}
	return eolNone
}

// worktreeForms returns the contents git archive can write for blob b (id
// h) at a path with ident set or not and line-end action act, other than
// b itself: convert_to_working_tree's ident_to_worktree, then
// crlf_to_worktree.
func worktreeForms(b []byte, h plumbing.Hash, ident bool, act eolAction) [][]byte {
	var out [][]byte
	if ident {
		if x := identToWorktree(b, h); x != nil {
			b = x
			out = append(out, b)
		}
	}
	if act == eolNone {
		return out
	}
	lonelf, lonecr, crlf, binary := eolStats(b)
	if lonelf == 0 {
		return out
	}
	if (act == eolAuto || act == eolAutoCRLF) && (lonecr > 0 || crlf > 0 || binary) {
		return out
	}
	return append(out, lfToCRLF(b))
}

// identToWorktree expands "$Id$" (and a stale "$Id: …$" on one line) to
// "$Id: <blob id> $" as ident_to_worktree does; nil when there is none.
func identToWorktree(b []byte, h plumbing.Hash) []byte {
	var out []byte
	src := b
	n := 0
	for {
		d := bytes.IndexByte(src, '$')
		if d < 0 {
			break
		}
		out = append(out, src[:d+1]...)
		src = src[d+1:]
		if len(src) < 3 || !bytes.HasPrefix(src, []byte("Id")) {
			continue
		}
		switch src[2] {
		case ':':
			e := bytes.IndexByte(src[3:], '$')
			if e < 0 {
				out = append(out, src...)
				src = nil
				goto done
			}
			if bytes.IndexByte(src[3:3+e], '\n') >= 0 {
				continue
			}
			src = src[3+e+1:]
		case '$':
			src = src[3:]
		default:
			continue
		}
		out = append(out, "Id: "+h.String()+" $"...)
		n++
	}
done:
	if n == 0 {
		return nil
	}
	return append(out, src...)
}

// eolStats counts what convert.c's gather_stats counts for the crlf
// decision: lone LFs, lone CRs, CRLFs, and whether the content is binary
// (a NUL, a lone CR, or more than 1/128 non-printable bytes).
func eolStats(b []byte) (lonelf, lonecr, crlf int, binary bool) {
	printable, nonprintable, nul := 0, 0, 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '\r':
			if i+1 < len(b) && b[i+1] == '\n' {
				crlf++
				i++
			} else {
				lonecr++
			}
			continue
		case c == '\n':
			lonelf++
			continue
		case c == 127:
			nonprintable++
		case c < 32:
			switch c {
			case '\b', '\t', 033, 014:
				printable++
			case 0:
				nul++
				nonprintable++
			default:
				nonprintable++
			}
		default:
			printable++
		}
	}
	if len(b) > 0 && b[len(b)-1] == 032 {
		nonprintable--
	}
	return lonelf, lonecr, crlf, lonecr > 0 || nul > 0 || printable>>7 < nonprintable
}

// lfToCRLF writes CR before each LF that has none.
func lfToCRLF(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/16)
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}
