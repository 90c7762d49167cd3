package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/shipgate/shipgate/sbom"
	"github.com/shipgate/shipgate/verify"
	"github.com/shipgate/shipgate/verify/report"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	*l = append(*l, s)
	return nil
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// useColor reports whether text written to w may carry ANSI colours: w is a
// terminal and NO_COLOR is not set.
func useColor(w io.Writer) bool {
	return isTerminal(w) && os.Getenv("NO_COLOR") == ""
}

// writeReport writes r in format f to the file out, or to stdout when out is
// empty or "-". opts.Color is set here: only for text on a terminal.
func writeReport(e *env, r *verify.Report, f report.Format, out string, opts report.Options) error {
	opts.Color = false
	if out == "" || out == "-" {
		opts.Color = f == report.FormatText && useColor(e.stdout)
		return report.Write(e.stdout, r, f, opts)
	}
	fh, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := report.Write(fh, r, f, opts); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

// exitFor returns the exit status of a finished report.
func exitFor(r *verify.Report) int {
	if r.Summary.Passed {
		return exitPass
	}
	return exitFail
}

// progressLine prints a run's progress on one terminal line, at most every
// 200ms. It does nothing when w is not a terminal.
type progressLine struct {
	w     io.Writer
	mu    sync.Mutex
	start time.Time
	last  time.Time
	used  bool
}

func newProgressLine(w io.Writer) *progressLine {
	if !isTerminal(w) {
		return nil
	}
	return &progressLine{w: w, start: time.Now()}
}

// inventory shows the progress of sbom and diff: the files read and their
// bytes, with the rate since the line was made.
func (p *progressLine) inventory(pr sbom.Progress) {
	p.show(func() string {
		rate := 0.0
		if d := time.Since(p.start).Seconds(); d > 0 {
			rate = float64(pr.Bytes) / d
		}
		return fmt.Sprintf("%d files, %s, %s/s", pr.Files, humanBytes(float64(pr.Bytes)), humanBytes(rate))
	})
}

func (p *progressLine) update(pr verify.Progress) {
	p.show(func() string {
		return fmt.Sprintf("%d files, %s, %s/s", pr.Files, humanBytes(float64(pr.Bytes)), humanBytes(pr.Rate()))
	})
}

// show replaces the line with line(), unless the last update was under
// 200ms ago.
func (p *progressLine) show(line func() string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.used = true
	fmt.Fprintf(p.w, "\r\x1b[K%s", line())
}

// done clears the progress line.
func (p *progressLine) done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.used {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

func humanBytes(n float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	i := 0
	for n >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f %s", n, units[i])
	}
	return fmt.Sprintf("%.1f %s", n, units[i])
}

// writeJSON writes v to standard output as indented JSON, with each "##"
// written "#\u0023" (report.DefuseJSON): what a bundle or a statement says
// is printed to CI logs, which read commands anywhere in a line.
func writeJSON(e *env, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(append(report.DefuseJSON(b), '\n'))
	return err
}
