package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiDim    = "\x1b[2m"
)

// Text writes r for people: the files that have signatures or findings,
// each with its signatures and findings, then findings that concern no
// file, then a one-line verdict.
func Text(w io.Writer, r *verify.Report, opts Options) error {
	bw := bufio.NewWriter(w)
	t := &textWriter{w: bw, color: opts.Color}
	byPath := map[string][]signing.Finding{}
	var loose []signing.Finding
	files := map[string]bool{}
	for _, f := range r.Files {
		files[f.Path] = true
	}
	for _, f := range r.Findings {
		if f.Path != "" && files[f.Path] {
			byPath[f.Path] = append(byPath[f.Path], f)
		} else {
			loose = append(loose, f)
		}
	}
	quiet := 0
	for i := range r.Files {
		f := &r.Files[i]
		fs := byPath[f.Path]
		if len(f.Signatures) == 0 && len(fs) == 0 {
			quiet++
			continue
		}
		t.file(f)
		for _, s := range f.Signatures {
			t.signature(&s)
		}
		for _, x := range fs {
			t.finding(x, false)
		}
		t.printf("\n")
	}
	if len(loose) > 0 {
		for _, x := range loose {
			t.finding(x, true)
		}
		t.printf("\n")
	}
	for _, sec := range []any{r.Diff, r.Commits} {
		if ts, ok := sec.(TextSection); ok {
			if err := bw.Flush(); err != nil {
				return err
			}
			if err := ts.WriteText(w, opts.Color); err != nil {
				return err
			}
			t.printf("\n")
		}
	}
	if quiet > 0 {
		t.printf("%s\n", t.paint(ansiDim, fmt.Sprintf("%d other %s checked, nothing to report", quiet, plural(quiet, "file", "files"))))
	}
	s := r.Summary
	verdict := t.paint(ansiBold+ansiGreen, "PASS")
	if !s.Passed {
		verdict = t.paint(ansiBold+ansiRed, "FAIL")
	}
	t.printf("%s: %d %s (%d signed), %d %s, %d %s\n", verdict,
		s.Files, plural(s.Files, "file", "files"), s.Signed,
		s.Errors, plural(s.Errors, "error", "errors"), s.Warnings, plural(s.Warnings, "warning", "warnings"))
	if t.err != nil {
		return t.err
	}
	return bw.Flush()
}

type textWriter struct {
	w     *bufio.Writer
	color bool
	err   error
}

func (t *textWriter) printf(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, args...)
	}
}

func (t *textWriter) paint(code, s string) string {
	if !t.color {
		return s
	}
	return code + s + ansiReset
}

func (t *textWriter) file(f *verify.File) {
	t.printf("%s  %s, %s, sha256 %s\n", t.paint(ansiBold, Clean(f.Path)), f.Kind, size(f.Size), f.SHA256)
}

func (t *textWriter) signature(s *signing.Signature) {
	head := fmt.Sprintf("signature %d", s.Index)
	if s.Arch != "" {
		head += " (" + Clean(s.Arch) + ")"
	}
	t.printf("  %s  %s  %s\n", head, s.Format, t.status(s.Status))
	if s.Signer != nil {
		t.printf("    signer     %s\n", Clean(s.Signer.Subject))
		t.printf("    issuer     %s\n", Clean(s.Signer.Issuer))
		if s.Signer.TeamID != "" {
			t.printf("    team ID    %s\n", Clean(s.Signer.TeamID))
		}
	}
	if s.Timestamp != nil {
		v := "verified"
		if s.Timestamp.Disregarded != "" {
			v = "verified, disregarded: " + Clean(s.Timestamp.Disregarded)
		}
		if !s.Timestamp.Verified {
			v = "not verified"
			if s.Timestamp.Detail != "" {
				v += ": " + Clean(s.Timestamp.Detail)
			}
		}
		t.printf("    timestamp  %s (%s, %s)\n", s.Timestamp.Time.UTC().Format(time.RFC3339), s.Timestamp.Kind, v)
	}
	if s.Digest != nil {
		t.printf("    digest     %s %s\n", s.Digest.Algorithm, s.Digest.Computed)
	}
	for _, c := range s.Checks {
		if !c.OK {
			t.printf("    %s %s: %s\n", t.paint(ansiRed, "✗"), Clean(c.Name), Clean(c.Detail))
		}
	}
}

func (t *textWriter) status(s signing.Status) string {
	switch {
	case s == signing.StatusValid:
		return t.paint(ansiGreen, s.String())
	case s >= signing.StatusRevoked:
		return t.paint(ansiRed, s.String())
	}
	return t.paint(ansiYellow, s.String())
}

func (t *textWriter) finding(f signing.Finding, withPath bool) {
	var sev string
	switch f.Severity {
	case signing.SeverityError:
		sev = t.paint(ansiRed, "error  ")
	case signing.SeverityWarning:
		sev = t.paint(ansiYellow, "warning")
	default:
		sev = t.paint(ansiCyan, "note   ")
	}
	var where []string
	if withPath && f.Path != "" {
		where = append(where, Clean(f.Path))
	}
	if f.Offset != nil {
		where = append(where, fmt.Sprintf("offset 0x%x", *f.Offset))
	}
	if f.Commit != "" {
		where = append(where, "commit "+Clean(f.Commit))
	}
	loc := ""
	if len(where) > 0 {
		loc = " [" + strings.Join(where, ", ") + "]"
	}
	t.printf("  %s %s: %s%s\n", sev, Clean(f.Rule), Clean(f.Message), loc)
}

func size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
