// Package report writes a [verify.Report] for people (Text), for programs
// (JSON, the contract of DESIGN.md) and for code-scanning dashboards (SARIF
// 2.1.0).
//
// Every producer of a verify.Report — shipgate verify, diff and git-audit —
// writes through this package: fill the Report (Files, Findings, and the
// optional Diff or Commits section), call [verify.Report.Finalize] with the
// gate's threshold, then [Write]. A Diff or Commits value that implements
// [TextSection] prints itself in the text format; in JSON it is encoded
// as-is (encoding/json sorts map keys, so keep it free of unordered slices
// to stay deterministic); SARIF carries findings only.
package report

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"

	"github.com/shipgate/shipgate/verify"
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
)

// ParseFormat returns the Format named s; empty means text.
func ParseFormat(s string) (Format, error) {
	switch Format(s) {
	case "":
		return FormatText, nil
	case FormatText, FormatJSON, FormatSARIF:
		return Format(s), nil
	}
	return "", fmt.Errorf("report: unknown format %q (want text, json or sarif)", s)
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

// TextSection is implemented by a Report's Diff or Commits value that can
// print itself in the text format.
type TextSection interface {
	WriteText(w io.Writer, color bool) error
}

// Write writes r in format f.
func Write(w io.Writer, r *verify.Report, f Format, opts Options) error {
	switch f {
	case FormatJSON:
		return JSON(w, r)
	case FormatSARIF:
		return SARIF(w, r)
	case FormatText, "":
		return Text(w, r, opts)
	}
	return fmt.Errorf("report: unknown format %q", f)
}

// JSON writes r as indented JSON followed by a newline. The same report
// gives byte-identical output.
func JSON(w io.Writer, r *verify.Report) error {
	return encode(w, r)
}

func encode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// JSONSchema is the JSON Schema (draft 2020-12) of the JSON report.
//
//go:embed schema/report.schema.json
var JSONSchema []byte
