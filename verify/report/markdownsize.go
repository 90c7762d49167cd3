package report

import (
	"strings"
	"unicode/utf8"
)

// MaxMarkdownSize bounds the Markdown format: GitHub refuses a whole job
// summary over 1 MiB ("$GITHUB_STEP_SUMMARY upload aborted"), verdict
// included, so the finding and signer tables stop, with a count of the rows
// left out, once the output would pass this many bytes.
const MaxMarkdownSize = 768 << 10

// maxMarkdownCell bounds the text of one Markdown table cell, before
// escaping: a zip entry's name may be 64 KiB and a tar's longer, so twenty
// such paths alone passed GitHub's limit. A longer string keeps its start
// and its end (a file's extension, a subject's last attribute) around "…".
const maxMarkdownCell = 512

// shorten returns s, [Clean]ed, cut in the middle to at most max bytes
// (and the "…" that replaces what was cut), on rune boundaries.
func shorten(s string, max int) string {
	s = Clean(s)
	if len(s) <= max {
		return s
	}
	head, tail := s[:max/2], s[len(s)-max/2:]
	for len(head) > 0 && !utf8.ValidString(head) {
		head = head[:len(head)-1]
	}
	for len(tail) > 0 && !utf8.ValidString(tail) {
		tail = tail[1:]
	}
	return strings.TrimRight(head, " ") + "…" + strings.TrimLeft(tail, " ")
}
