package report

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shipgate/shipgate/internal/release"
	model "github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/signing"
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

// Text writes r for people, summary first, so that a release engineer reads
// the outcome in seconds:
//
//  1. the verdict line: PASS or FAIL, then the counts of files, signed
//     files, errors, warnings and notes (a diff or a git audit, which walk
//     no files of their own, count findings only);
//  2. the findings grouped by severity (errors, then warnings, then notes),
//     each with its path, rule, message and location;
//  3. the signers: each signing identity in short form (CN and O, team ID)
//     with the number of files it signed and their statuses, then rows for
//     ad-hoc signatures, signatures without a signer, unsigned code and
//     files that are not code;
//  4. the full signature block of each file that has findings or a revoked,
//     invalid or malformed signature, or of every signed file with
//     [Options.Verbose];
//  5. the diff section, or the git audit's range and commits;
//  6. the verdict line again: CI logs are read from the bottom.
//
// Every string from the artifact, and every string of a JSON report given to
// render (whose kinds and formats need not be verify's), passes through
// [Clean]. The output is deterministic: findings are sorted, signers by
// name.
func Text(w io.Writer, r *model.Report, opts Options) error {
	bw := bufio.NewWriter(w)
	t := &textWriter{w: bw, color: opts.Color}
	verdict := t.verdict(r)
	t.printf("%s\n", verdict)

	findings := slices.Clone(r.Findings)
	model.SortFindings(findings)
	withFindings := map[string]bool{}
	for _, f := range findings {
		if f.Path != "" {
			withFindings[f.Path] = true
		}
	}
	for _, g := range []struct {
		sev         signing.Severity
		name, color string
	}{
		{signing.SeverityError, "errors", ansiRed},
		{signing.SeverityWarning, "warnings", ansiYellow},
		{signing.SeverityNote, "notes", ansiCyan},
	} {
		var group []signing.Finding
		for _, f := range findings {
			if severityGroup(f.Severity) == g.sev {
				group = append(group, f)
			}
		}
		if len(group) == 0 {
			continue
		}
		t.printf("\n%s\n", t.paint(ansiBold+g.color, fmt.Sprintf("%s (%d)", g.name, len(group))))
		for _, f := range group {
			t.finding(f)
		}
	}

	if len(r.Files) > 0 {
		t.signers(r)
	}

	for i := range r.Files {
		f := &r.Files[i]
		if !withFindings[f.Path] && !failedSignature(f) && !(opts.Verbose && len(f.Signatures) > 0) {
			continue
		}
		t.printf("\n")
		t.file(f)
		for _, s := range f.Signatures {
			t.signature(&s)
		}
	}

	if r.Diff != nil {
		t.printf("\n")
		t.diff(r.Diff)
	}
	if r.Git != nil {
		t.printf("\n")
		t.git(r.Git, r.Commits)
	}
	t.printf("\n%s\n", verdict)
	if t.err != nil {
		return t.err
	}
	return bw.Flush()
}

// failedSignature reports whether f carries a signature that is revoked,
// invalid or malformed: its block is printed even when no finding names the
// file (a policy that silenced the rule), since a bad signature is never
// summarised away. Untrusted and ad-hoc signatures are the policy's call
// and show only with findings or -v.
func failedSignature(f *model.File) bool {
	for _, s := range f.Signatures {
		if s.Status >= signing.StatusRevoked {
			return true
		}
	}
	return false
}

// severityGroup returns the group a finding of severity s is listed in:
// anything neither an error nor a warning is a note.
func severityGroup(s signing.Severity) signing.Severity {
	if s == signing.SeverityError || s == signing.SeverityWarning {
		return s
	}
	return signing.SeverityNote
}

// verdict returns the verdict line of r.
func (t *textWriter) verdict(r *model.Report) string {
	s := r.Summary
	v := t.paint(ansiBold+ansiGreen, "PASS")
	if !s.Passed {
		v = t.paint(ansiBold+ansiRed, "FAIL")
	}
	notes := 0
	for _, f := range r.Findings {
		if severityGroup(f.Severity) == signing.SeverityNote {
			notes++
		}
	}
	// A diff or a git audit walks no files of its own: its summary
	// counts only findings.
	counts := ""
	if len(r.Files) > 0 || !walksNoFiles(r) {
		counts = fmt.Sprintf("%d %s (%d signed), ", s.Files, plural(s.Files, "file", "files"), s.Signed)
	}
	return fmt.Sprintf("%s: %s%d %s, %d %s, %d %s", v, counts,
		s.Errors, plural(s.Errors, "error", "errors"), s.Warnings, plural(s.Warnings, "warning", "warnings"),
		notes, plural(notes, "note", "notes"))
}

// signerRow is one row of the signer table: the files a signer signed and
// the status of each, the worst of its signatures by that signer.
type signerRow struct {
	name  string
	files map[string]signing.Status
}

// statuses returns how many of the row's files have each status, worst
// last ("2 valid, 1 untrusted"), each status named by label.
func (row *signerRow) statuses(label func(signing.Status) string) string {
	count := map[signing.Status]int{}
	for _, st := range row.files {
		count[st]++
	}
	var parts []string
	for _, st := range slices.Sorted(maps.Keys(count)) {
		parts = append(parts, fmt.Sprintf("%d %s", count[st], label(st)))
	}
	return strings.Join(parts, ", ")
}

// Rows of the signer table for files without a signing identity; they follow
// the signers, in this order.
const (
	rowAdhoc    = "(ad-hoc)"
	rowNoSigner = "(no signer)"
	rowUnsigned = "(unsigned code)"
	rowUnparsed = "(unparsed code)"
	rowNotCode  = "(not code, no signature)"
)

// signerRows returns the rows of the signer table of the report's files:
// the signing identities sorted by short name, then the special rows. Code
// without a signature that the report calls malformed (a signed PE cut
// inside its headers) is "(unparsed code)", not "(unsigned code)": no
// verifier could tell whether it is signed.
func signerRows(r *model.Report) []*signerRow {
	files := r.Files
	unparsed := malformedPaths(r.Findings)
	bySigner := map[string]*signerRow{}
	special := map[string]*signerRow{}
	add := func(m map[string]*signerRow, key, name, path string, st signing.Status) {
		row := m[key]
		if row == nil {
			row = &signerRow{name: name, files: map[string]signing.Status{}}
			m[key] = row
		}
		if old, ok := row.files[path]; !ok || st > old {
			row.files[path] = st
		}
	}
	for i := range files {
		f := &files[i]
		signed := false
		for _, s := range f.Signatures {
			switch {
			case s.Signer != nil:
				id := s.Signer
				add(bySigner, id.Subject+"\x00"+id.Issuer+"\x00"+id.TeamID, shortName(id.Subject, id.TeamID), f.Path, s.Status)
			case s.Status == signing.StatusAdhoc:
				add(special, rowAdhoc, rowAdhoc, f.Path, s.Status)
			case s.Status == signing.StatusUnsigned:
				continue
			default:
				add(special, rowNoSigner, rowNoSigner, f.Path, s.Status)
			}
			signed = true
		}
		switch {
		case signed:
		case f.Kind.Native() && unparsed[f.Path]:
			add(special, rowUnparsed, rowUnparsed, f.Path, signing.StatusMalformed)
		case f.Kind.Native():
			add(special, rowUnsigned, rowUnsigned, f.Path, signing.StatusUnsigned)
		default:
			add(special, rowNotCode, rowNotCode, f.Path, signing.StatusUnsigned)
		}
	}
	// Two identities with the same short name (a look-alike certificate
	// from another issuer) are told apart by their issuers.
	names := map[string]int{}
	for _, row := range bySigner {
		names[row.name]++
	}
	for key, row := range bySigner {
		if names[row.name] > 1 {
			_, issuer, _ := strings.Cut(key, "\x00")
			issuer, _, _ = strings.Cut(issuer, "\x00")
			row.name += ", issuer " + shortName(issuer, "")
		}
	}
	var rows []*signerRow
	for _, key := range slices.Sorted(maps.Keys(bySigner)) {
		rows = append(rows, bySigner[key])
	}
	slices.SortStableFunc(rows, func(a, b *signerRow) int { return strings.Compare(a.name, b.name) })
	for _, key := range []string{rowAdhoc, rowNoSigner, rowUnparsed, rowUnsigned, rowNotCode} {
		if row := special[key]; row != nil {
			rows = append(rows, row)
		}
	}
	return rows
}

// signers writes the signer table of files.
func (t *textWriter) signers(r *model.Report) {
	rows := signerRows(r)
	width := 0
	for _, row := range rows {
		width = max(width, min(utf8.RuneCountInString(row.name), 64))
	}
	t.printf("\n%s\n", t.paint(ansiBold, "signers"))
	for _, row := range rows {
		pad := strings.Repeat(" ", max(0, width-utf8.RuneCountInString(row.name)))
		n := len(row.files)
		line := fmt.Sprintf("  %s%s  %5d %-5s", row.name, pad, n, plural(n, "file", "files"))
		if row.name != rowUnsigned && row.name != rowNotCode {
			line += "  " + row.statuses(t.status)
		}
		t.printf("%s\n", strings.TrimRight(line, " "))
	}
}

// shortName returns the short form of a distinguished name for the signer
// table: its CN, then its O when the CN does not already name it, then the
// team ID when neither names it; the whole name when it has neither CN nor
// O. The result is [Clean].
func shortName(dn, teamID string) string {
	var cn, o string
	for _, attr := range splitDN(dn) {
		k, v, ok := strings.Cut(attr, "=")
		if !ok {
			continue
		}
		switch strings.ToUpper(strings.TrimSpace(k)) {
		case "CN":
			if cn == "" {
				cn = v
			}
		case "O":
			if o == "" {
				o = v
			}
		}
	}
	name := cn
	switch {
	case cn == "" && o == "":
		name = dn
	case cn == "":
		name = o
	case o != "" && !strings.Contains(cn, o):
		name = cn + " (" + o + ")"
	}
	if teamID != "" && !strings.Contains(name, teamID) {
		name += " [" + teamID + "]"
	}
	if name == "" {
		name = "(empty subject)"
	}
	return Clean(name)
}

// splitDN splits an RFC 4514 string at its unescaped commas and plus signs
// and removes the backslash of each escaped character.
func splitDN(dn string) []string {
	var parts []string
	var b strings.Builder
	for i := 0; i < len(dn); i++ {
		switch c := dn[i]; {
		case c == '\\' && i+1 < len(dn):
			i++
			b.WriteByte(dn[i])
		case c == ',' || c == '+':
			parts = append(parts, b.String())
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	return append(parts, b.String())
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

func (t *textWriter) file(f *model.File) {
	t.printf("%s  %s, %s, sha256 %s\n", t.paint(ansiBold, Clean(f.Path)), Clean(string(f.Kind)), size(f.Size), f.SHA256)
}

func (t *textWriter) signature(s *signing.Signature) {
	head := fmt.Sprintf("signature %d", s.Index)
	if s.Arch != "" {
		head += " (" + Clean(s.Arch) + ")"
	}
	t.printf("  %s  %s  %s\n", head, Clean(string(s.Format)), t.status(s.Status))
	if s.Catalog != "" {
		t.printf("    catalog    %s\n", Clean(s.Catalog))
	}
	if s.Signer != nil {
		t.printf("    signer     %s\n", Clean(s.Signer.Subject))
		t.printf("    issuer     %s\n", Clean(s.Signer.Issuer))
		if s.Signer.TeamID != "" {
			t.printf("    team ID    %s\n", Clean(s.Signer.TeamID))
		}
		if s.Signer.AppleKind != "" {
			t.printf("    Apple kind %s\n", Clean(string(s.Signer.AppleKind)))
		}
	}
	if s.Timestamp != nil {
		v := "verified"
		if s.Timestamp.Verified && s.Timestamp.Disregarded != "" {
			v = "verified but disregarded: " + Clean(s.Timestamp.Disregarded)
		}
		if !s.Timestamp.Verified {
			v = "not verified"
			if s.Timestamp.Detail != "" {
				v += ": " + Clean(s.Timestamp.Detail)
			}
		}
		t.printf("    timestamp  %s (%s, %s)\n", s.Timestamp.Time.UTC().Format(time.RFC3339), Clean(string(s.Timestamp.Kind)), v)
	}
	if s.Digest != nil {
		t.printf("    digest     %s %s\n", Clean(s.Digest.Algorithm), Clean(s.Digest.Computed))
	}
	if d := s.DesignatedRequirement; d != nil && d.Text != "" {
		how := Clean(string(d.Result))
		if d.Implicit {
			how = "implicit, " + how // derived by macOS, as codesign -d -r- prints it
		}
		t.printf("    designated %s (%s)\n", Clean(d.Text), how)
	}
	if n := s.Notarization; n != nil {
		t.printf("    notarized  %s\n", notarizedLine(n))
	}
	for _, c := range s.Checks {
		if !c.OK {
			t.printf("    %s %s: %s\n", t.paint(ansiRed, "✗"), Clean(string(c.Name)), Clean(c.Detail))
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

func (t *textWriter) finding(f signing.Finding) {
	var where []string
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
	path := ""
	if f.Path != "" {
		path = t.paint(ansiBold, Clean(f.Path)) + "  "
	}
	t.printf("  %s%s: %s%s\n", path, Clean(string(f.Rule)), Clean(f.Message), loc)
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

// notarizedLine says what a signature's stapled ticket shows, and that
// Apple's signature on it is not verified.
func notarizedLine(n *signing.Notarization) string {
	switch {
	case n.Status == signing.NotarizationNotStapled:
		return "not stapled"
	case n.Status == signing.NotarizationMalformed:
		return fmt.Sprintf("malformed ticket in %s: %s", Clean(n.Location), Clean(n.Detail))
	case n.Bound():
		return fmt.Sprintf("stapled, unverified (ticket in %s names cdhash %s; Apple's signature on it is not verified)", Clean(n.Location), Clean(n.Matched[0]))
	}
	return fmt.Sprintf("stapled, unverified, for other code (ticket in %s names none of %s)", Clean(n.Location), Clean(strings.Join(n.CDHashes, ", ")))
}

// malformedPaths returns the paths of the files findings call malformed.
func malformedPaths(findings []signing.Finding) map[string]bool {
	paths := map[string]bool{}
	for _, f := range findings {
		if f.Rule == release.RuleMalformed {
			paths[f.Path] = true
		}
	}
	return paths
}
