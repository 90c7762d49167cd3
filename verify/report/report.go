// Package report writes a shipgate report ([model.Report], package
// github.com/shipgate/shipgate/report) for people (Text), for programs (JSON,
// the contract of DESIGN.md), for code-scanning dashboards (SARIF 2.1.0) and
// for CI job summaries (Markdown).
//
// Every producer of a report — verify.Release, sbom.DiffReleases and
// git.AuditReport — writes through this package: the producer fills the
// Report and calls [model.Report.Finalize]; [Write] then renders it. The
// text format prints the typed diff and git sections itself; in JSON they
// are encoded as they are; SARIF carries findings only.
package report

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"

	model "github.com/shipgate/shipgate/report"
)

// Format names an output format.
type Format string

const (
	// FormatText is the human-readable report.
	FormatText Format = "text"
	// FormatJSON is the JSON report.
	FormatJSON Format = "json"
	// FormatSARIF is SARIF 2.1.0.
	FormatSARIF Format = "sarif"
	// FormatMarkdown is a GitHub-flavoured Markdown summary for CI job
	// pages.
	FormatMarkdown Format = "markdown"
)

// ParseFormat returns the Format named s; empty means text.
func ParseFormat(s string) (Format, error) {
	switch Format(s) {
	case "":
		return FormatText, nil
	case FormatText, FormatJSON, FormatSARIF, FormatMarkdown:
		return Format(s), nil
	}
	return "", fmt.Errorf("report: unknown format %q (want text, json, sarif or markdown)", s)
}

// Options configures the writers. The zero value writes plain text without
// colour.
type Options struct {
	// Color adds ANSI colours to the text format. The CLI sets it only when
	// writing to a terminal.
	Color bool
	// Verbose makes the text format print the signature block of every
	// signed file, not only of the files that have findings.
	Verbose bool
}

// Write writes r in format f.
func Write(w io.Writer, r *model.Report, f Format, opts Options) error {
	switch f {
	case FormatJSON:
		return JSON(w, r)
	case FormatSARIF:
		return SARIF(w, r)
	case FormatMarkdown:
		return Markdown(w, r)
	case FormatText, "":
		return Text(w, r, opts)
	}
	return fmt.Errorf("report: unknown format %q", f)
}

// JSON writes r as indented JSON followed by a newline. The same report
// gives byte-identical output.
//
// The files are encoded one at a time: a report of a million files is
// 200 MB of JSON, which encoding/json would otherwise build whole (twice,
// to indent it) before writing a byte.
func JSON(w io.Writer, r *model.Report) error {
	if len(r.Files) == 0 {
		return encode(w, r)
	}
	skel := *r
	skel.Files = []model.File{}
	var head bytes.Buffer
	if err := encode(&head, &skel); err != nil {
		return err
	}
	// The key at the top level: in a string, quotes are escaped.
	const key = "\n  \"files\": []"
	i := bytes.Index(head.Bytes(), []byte(key))
	if i < 0 {
		return encode(w, r)
	}
	i += len(key) - 1 // before "]"
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.Write(DefuseJSON(head.Bytes()[:i]))
	var one bytes.Buffer
	enc := json.NewEncoder(&one)
	enc.SetEscapeHTML(false)
	enc.SetIndent("    ", "  ")
	for k := range r.Files {
		one.Reset()
		if err := enc.Encode(&r.Files[k]); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		if k > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		bw.Write(DefuseJSON(bytes.TrimSuffix(one.Bytes(), []byte("\n"))))
	}
	bw.WriteString("\n  ")
	bw.Write(DefuseJSON(head.Bytes()[i:]))
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

func encode(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if _, err := w.Write(DefuseJSON(b.Bytes())); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// DefuseJSON returns the JSON document b with each "##" written "#\u0023",
// the same JSON: a '#' occurs in JSON only inside strings. CI runners read
// commands anywhere in a line of a job's output ("##[debug]" on GitHub,
// "##vso[task.setvariable …]" on Azure Pipelines, see [Clean]), and a JSON
// report printed to the log quotes file names and certificate subjects
// from the release. b is returned as it is when it holds no "##".
func DefuseJSON(b []byte) []byte {
	if !bytes.Contains(b, []byte("##")) {
		return b
	}
	return bytes.ReplaceAll(b, []byte("##"), []byte(`#\u0023`))
}

// JSONSchema is the JSON Schema (draft 2020-12) of the JSON report.
//
//go:embed schema/report.schema.json
var JSONSchema []byte
