package report

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
)

func TestMarkdown(t *testing.T) {
	b := write(t, sample(), FormatMarkdown, Options{})
	golden(t, "sample.md", b)
	if !bytes.HasPrefix(b, []byte("### shipgate FAIL\\: 3 files (2 signed), 3 errors, 1 warning, 1 note\n")) {
		t.Errorf("verdict heading:\n%s", b)
	}
	if !bytes.Equal(b, write(t, sample(), FormatMarkdown, Options{})) {
		t.Errorf("Markdown is not deterministic")
	}
}

// unescapedPipe matches a pipe not preceded by a backslash.
var unescapedPipe = regexp.MustCompile(`(^|[^\\])\|`)

// TestMarkdownEscapesArtifactStrings puts Markdown and HTML into a file
// name and a finding message, as a hostile release can: every table row
// keeps its four cells, and no link, image, HTML tag, autolink or emphasis
// comes through unescaped.
func TestMarkdownEscapesArtifactStrings(t *testing.T) {
	r := sample()
	hostile := "evil|cell`code`<img src=x onerror=alert(1)>[click](https://evil.example)**bold**\n| forged | row |"
	f := signing.NewFinding("file/known-bad", signing.SeverityError, "see https://evil.example or www.evil.example, mail a@evil.example, <script>x</script> _em_ ![i](x) **bold**")
	f.Path = hostile
	r.Findings = append(r.Findings, f)
	r.Files[0].Path = hostile
	b := write(t, r, FormatMarkdown, Options{})
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "|") {
			if strings.Contains(line, "forged") {
				t.Errorf("a newline in a path started a line: %q", line)
			}
			continue
		}
		if n := len(unescapedPipe.FindAllString(line, -1)); n != 4 && n != 5 {
			t.Errorf("row with %d cell separators: %q", n, line)
		}
	}
	// Paths are code spans, whose text Markdown shows as it is.
	if !bytes.Contains(b, []byte("| `` evil\\|cell`code`<img")) {
		t.Errorf("the hostile path is not one code span:\n%s", b)
	}
	// Messages are text, escaped.
	msg := b[bytes.Index(b, []byte("| see ")):]
	msg = msg[:bytes.IndexByte(msg, '\n')]
	for _, bad := range []string{"<script", "](", "https://", "www.evil", "a@evil", " _em_", "![", "bold**"} {
		if regexp.MustCompile(`(^|[^\\])` + regexp.QuoteMeta(bad)).Match(msg) {
			t.Errorf("message cell carries %q unescaped: %s", bad, msg)
		}
	}
}

// TestMarkdownCapsFindings keeps a job summary with thousands of findings
// under GitHub's size limit: MaxMarkdownFindings rows, then a count.
func TestMarkdownCapsFindings(t *testing.T) {
	r := sample()
	for i := range MaxMarkdownFindings + 100 {
		f := signing.NewFinding("file/known-bad", signing.SeverityWarning, "listed")
		f.Path = fmt.Sprintf("f%04d.dll", i)
		r.Findings = append(r.Findings, f)
	}
	b := write(t, r, FormatMarkdown, Options{})
	rows := bytes.Count(b, []byte("| warning |")) + bytes.Count(b, []byte("| error |")) + bytes.Count(b, []byte("| note |"))
	if rows != MaxMarkdownFindings {
		t.Errorf("%d finding rows, want %d", rows, MaxMarkdownFindings)
	}
	more := len(r.Findings) - MaxMarkdownFindings
	if !bytes.Contains(b, []byte(fmt.Sprintf("\n%d more findings: see the JSON or SARIF report.\n", more))) {
		t.Errorf("no count of the findings left out (%d)", more)
	}
	// Errors come first, so the cap never hides one behind warnings.
	if i, j := bytes.Index(b, []byte("| error |")), bytes.Index(b, []byte("| warning |")); i < 0 || i > j {
		t.Errorf("errors are not listed first")
	}
}
