package report

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean returns s fit to print on a terminal or CI log: control characters
// (C0 and C1, DEL), Unicode bidirectional controls and bytes that are not
// UTF-8 are replaced by Go escapes such as `\x1b` and `\u202e`. File names,
// certificate subjects and commit messages come from the release or the
// repository being checked; printed raw, a newline forges report lines and
// an escape sequence or a right-to-left override hides or rewrites the
// findings shown before it.
//
// GitHub Actions' runner reads workflow commands from a job's output: a
// line that starts with "::" after white space, or that holds "##["
// anywhere (the legacy form); Azure Pipelines reads "##vso[" anywhere, and
// TeamCity "##teamcity[". A file named "::debug::evil.exe" or
// "a##[debug]b.dll" would have its line swallowed as a debug message,
// "##[group]" would fold the rest of the log away, "##[stop-commands]"
// would turn the step's own commands off, and "##vso[task.setvariable …]"
// would set a variable for the pipeline's later steps. Clean escapes the
// first ':' of a leading "::" as `\x3a` and the first '#' of each "##"
// followed by "[" or a letter as `\x23`; a string Clean returns that
// starts a line, after white space, is then no command either.
func Clean(s string) string {
	if clean(s) {
		return s
	}
	lead := len(s) - len(strings.TrimLeftFunc(s, unicode.IsSpace))
	if !strings.HasPrefix(s[lead:], "::") {
		lead = -1
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case i == lead:
			b.WriteString(`\x3a`)
		case r == '#' && ciCommand(s[i+1:]):
			b.WriteString(`\x23`)
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeRune(r) && r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func clean(s string) bool {
	if strings.HasPrefix(strings.TrimLeftFunc(s, unicode.IsSpace), "::") {
		return false // a GitHub Actions workflow command
	}
	for i := strings.Index(s, "##"); i >= 0; i = strings.Index(s, "##") {
		if ciCommand(s[i+1:]) {
			return false // a legacy GitHub, Azure Pipelines or TeamCity command
		}
		s = s[i+1:]
	}
	for i := 0; i < len(s); {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || unsafeRune(r) {
			return false
		}
		i += n
	}
	return true
}

// unsafeRune reports whether r changes how a terminal shows what follows:
// a control character or a bidirectional formatting character.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r < 0xa0:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	}
	return false
}

// ciCommand reports whether s, which follows a '#', starts a CI log
// command: "#[" (GitHub's legacy form), or '#' and a letter ("#vso[",
// "#teamcity[").
func ciCommand(s string) bool {
	if len(s) < 2 || s[0] != '#' {
		return false
	}
	c := s[1] | 0x20
	return s[1] == '[' || (c >= 'a' && c <= 'z')
}
