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
// [MaxMarkdownFindings]), and the signer table of the text format. The
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
	if len(findings) > 0 {
		m.printf("\n#### Findings\n\n| Severity | Path | Rule | Message |\n| --- | --- | --- | --- |\n")
		for i, f := range findings {
			if i == MaxMarkdownFindings {
				m.printf("\n%d more %s: see the JSON or SARIF report.\n", len(findings)-i, plural(len(findings)-i, "finding", "findings"))
				break
			}
			msg := f.Message
			if f.Offset != nil {
				msg += fmt.Sprintf(" [offset 0x%x]", *f.Offset)
			}
			if f.Commit != "" {
				msg += " [commit " + f.Commit + "]"
			}
			m.printf("| %s | %s | %s | %s |\n", severityGroup(f.Severity), mdCode(f.Path), mdCode(string(f.Rule)), mdText(msg))
		}
	}

	if len(r.Files) > 0 {
		m.printf("\n#### Signers\n\n| Signer | Files | Statuses |\n| --- | ---: | --- |\n")
		for _, row := range signerRows(r) {
			st := ""
			if row.name != rowUnsigned && row.name != rowNotCode {
				st = row.statuses(signing.Status.String)
			}
			m.printf("| %s | %d | %s |\n", mdText(row.name), len(row.files), mdText(st))
		}
	}
	if m.err != nil {
		return m.err
	}
	return bw.Flush()
}

type mdWriter struct {
	w   io.Writer
	err error
}

func (m *mdWriter) printf(format string, args ...any) {
	if m.err == nil {
		_, m.err = fmt.Fprintf(m.w, format, args...)
	}
}

// mdText returns s as the text of a Markdown table cell: [Clean]ed, with
// every ASCII punctuation character that Markdown or GitHub's autolinks
// could read (emphasis, links, images, HTML, cell separators, headings,
// URLs, "www." and e-mail addresses) escaped with a backslash.
func mdText(s string) string {
	s = Clean(s)
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

// mdCode returns s as a code span in a Markdown table cell: [Clean]ed,
// fenced by more backticks than any run inside it, with its pipes escaped
// (GitHub splits table cells at a pipe even inside a code span). Empty s
// gives an empty cell.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ReplaceAll(Clean(s), "|", `\|`)
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
