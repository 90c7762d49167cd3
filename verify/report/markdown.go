package report

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"

	model "github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/signing"
)

// MaxMarkdownFindings is how many findings the Markdown format lists; the
// rest are counted in a last line. GitHub keeps at most 1 MiB of a job
// summary, so a release with thousands of findings would otherwise lose
// its verdict and signer table.
const MaxMarkdownFindings = 500

// Markdown writes r as GitHub-flavoured Markdown for a CI job summary (for
// example $GITHUB_STEP_SUMMARY): a heading with the verdict, the counts
// line of the text format, a table of the findings (errors first, at most
// [MaxMarkdownFindings]), and the signer table of the text format, the
// whole under [MaxMarkdownSize] bytes with each cell's text cut to 512. The
// diff and git sections are left to the other formats; their findings are
// listed. Strings from the artifact are [Clean]ed, then either put in code
// spans (paths, rule IDs) or escaped, so that a file name or certificate
// subject cannot add table cells, links, images or HTML.
func Markdown(w io.Writer, r *model.Report) error {
	bw := bufio.NewWriter(w)
	m := &mdWriter{w: bw}
	m.printf("### shipgate %s\n", mdText((&textWriter{}).verdict(r)))

	findings := slices.Clone(r.Findings)
	model.SortFindings(findings)
	slices.SortStableFunc(findings, func(a, b signing.Finding) int {
		return int(severityGroup(b.Severity)) - int(severityGroup(a.Severity))
	})
	rows := signerRows(r)
	if len(findings) > 0 {
		m.printf("\n#### Findings\n\n| Severity | Path | Rule | Message |\n| --- | --- | --- | --- |\n")
		// Room is kept for the signer table's first rows.
		budget := MaxMarkdownSize - min(len(rows)+3, 64)*(maxMarkdownCell+64)
		for i, f := range findings {
			msg := f.Message
			if f.Offset != nil {
				msg += fmt.Sprintf(" [offset 0x%x]", *f.Offset)
			}
			if f.Commit != "" {
				msg += " [commit " + f.Commit + "]"
			}
			row := fmt.Sprintf("| %s | %s | %s | %s |\n", severityGroup(f.Severity), mdCode(f.Path), mdCode(string(f.Rule)), mdText(msg))
			if i == MaxMarkdownFindings || m.n+len(row) > budget {
				m.printf("\n%d more %s: see the JSON or SARIF report.\n", len(findings)-i, plural(len(findings)-i, "finding", "findings"))
				break
			}
			m.printf("%s", row)
		}
	}

	if len(r.Files) > 0 {
		m.printf("\n#### Signers\n\n| Signer | Files | Statuses |\n| --- | ---: | --- |\n")
		for i, row := range rows {
			st := ""
			if row.name != rowUnsigned && row.name != rowNotCode {
				st = row.statuses(signing.Status.String)
			}
			line := fmt.Sprintf("| %s | %d | %s |\n", mdText(row.name), len(row.files), mdText(st))
			if m.n+len(line) > MaxMarkdownSize-128 {
				m.printf("\n%d more %s: see the JSON or SARIF report.\n", len(rows)-i, plural(len(rows)-i, "signer", "signers"))
				break
			}
			m.printf("%s", line)
		}
	}
	if m.err != nil {
		return m.err
	}
	return bw.Flush()
}

type mdWriter struct {
	w   io.Writer
	n   int // bytes written
	err error
}

func (m *mdWriter) printf(format string, args ...any) {
	if m.err == nil {
		var n int
		n, m.err = fmt.Fprintf(m.w, format, args...)
		m.n += n
	}
}

// mdText returns s as the text of a Markdown table cell: [Clean]ed and
// [shorten]ed, with
// every ASCII punctuation character that Markdown or GitHub's autolinks
// could read (emphasis, links, images, HTML, cell separators, headings,
// URLs, "www." and e-mail addresses) escaped with a backslash.
func mdText(s string) string {
	s = shorten(s, maxMarkdownCell)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if strings.IndexByte("\\`*_{}[]<>#+!|~&:@.", c) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// mdCode returns s as a code span in a Markdown table cell: [Clean]ed and
// [shorten]ed,
// fenced by more backticks than any run inside it, with its pipes escaped
// (GitHub splits table cells at a pipe even inside a code span). Empty s
// gives an empty cell.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ReplaceAll(shorten(s, maxMarkdownCell), "|", `\|`)
	run, longest := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	return fence + " " + s + " " + fence
}
