package git

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// substPattern returns a regular expression matching every text git
// archive can write for the placeholder format f of commit h (raw object
// b, parsed c) when f holds, besides the fields expandSubst writes, only
// abbreviated ids (%h, %t, %p: a prefix of 4 or more digits of the full
// id, the length depending on core.abbrev and on the repository's size)
// and the message (%s, %b, %B, as pretty.c cuts it); false for any other
// (%d, %D, %(describe), dates, a message in another encoding), whose text
// is only reported.
func substPattern(f string, h plumbing.Hash, b []byte, c *rawCommit) (*regexp.Regexp, bool) {
	var re strings.Builder
	re.WriteString(`\A`)
	msgOK := !nonUTF8Encoding(b)
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			re.WriteString(regexp.QuoteMeta(f[i : i+1]))
			continue
		}
		rest := f[i+1:]
		if rest == "" {
			return nil, false
		}
		switch rest[0] {
		case 'a', 'c':
			x, ok := expandSubst(f[i:min(i+3, len(f))], h, c)
			if !ok {
				return nil, false
			}
			re.WriteString(regexp.QuoteMeta(x))
			i++
		case 'H', 'T', 'P', 'n', '%':
			x, _ := expandSubst(f[i:i+2], h, c)
			re.WriteString(regexp.QuoteMeta(x))
		case 'h':
			re.WriteString(abbrevPattern(h.String()))
		case 't':
			re.WriteString(abbrevPattern(c.tree))
		case 'p':
			for k, p := range c.parents {
				if k > 0 {
					re.WriteString(" ")
				}
				re.WriteString(abbrevPattern(p))
			}
		case 's', 'b', 'B':
			if !msgOK {
				return nil, false
			}
			s, body := messageParts(c.message)
			switch rest[0] {
			case 's':
				re.WriteString(regexp.QuoteMeta(s))
			case 'b':
				re.WriteString(regexp.QuoteMeta(body))
			default:
				re.WriteString(regexp.QuoteMeta(c.message))
			}
		default:
			return nil, false
		}
		i++
	}
	re.WriteString(`\z`)
	x, err := regexp.Compile(re.String())
	return x, err == nil
}

// abbrevPattern matches the prefixes of 4 or more digits of the id.
func abbrevPattern(id string) string {
	if len(id) < 4 {
		return regexp.QuoteMeta(id)
	}
	var b strings.Builder
	b.WriteString(id[:4])
	for _, c := range id[4:] {
		b.WriteString("(?:" + string(c))
	}
	b.WriteString(strings.Repeat(")?", len(id)-4))
	return b.String()
}

// messageParts returns a commit message's subject, as %s writes it (the
// first paragraph after leading blank lines, each line without trailing
// white space, joined by spaces), and body, as %b writes it (the rest
// after the blank lines that follow the subject).
func messageParts(msg string) (subject, body string) {
	lines := strings.SplitAfter(msg, "\n")
	i := 0
	for i < len(lines) && lines[i] != "" && strings.TrimRight(lines[i], " \t\r\n") == "" {
		i++
	}
	var subj []string
	for ; i < len(lines) && lines[i] != ""; i++ {
		l := strings.TrimRight(lines[i], " \t\r\n")
		if l == "" {
			i++
			break
		}
		subj = append(subj, l)
	}
	for i < len(lines) && lines[i] != "" && strings.TrimRight(lines[i], " \t\r\n") == "" {
		i++
	}
	return strings.Join(subj, " "), strings.Join(lines[i:], "")
}

// nonUTF8Encoding reports whether commit object b has an encoding header
// naming another encoding than UTF-8: git re-encodes such a message.
func nonUTF8Encoding(b []byte) bool {
	head, _, _ := bytes.Cut(b, []byte("\n\n"))
	for line := range bytes.SplitSeq(head, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("encoding ")); ok {
			e := strings.ToLower(string(v))
			return e != "utf-8" && e != "utf8"
		}
	}
	return false
}
