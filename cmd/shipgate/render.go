package main

import (
	"fmt"
	"os"

	model "github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/verify/report"
)

func init() {
	register("render", "write a JSON report (verify, diff or git-audit --format json) in another format", runRender)
}

func runRender(e *env) int {
	fs := newFlags(e)
	var (
		format  = fs.String("format", "text", "output format: text, json, sarif or markdown")
		out     = fs.String("o", "", "write the report to this file instead of stdout")
		verbose bool
	)
	fs.BoolVar(&verbose, "v", false, "text format: print the signature block of every signed file, not only of files with findings")
	fs.BoolVar(&verbose, "verbose", false, "same as -v")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "usage: shipgate render [--format text|json|sarif|markdown] [-o FILE] [-v | --verbose] REPORT.json")
		fmt.Fprintln(w, "\nRenders a report once written with --format json, so one run can give SARIF, a Markdown job summary and")
		fmt.Fprintln(w, "text. The report is not checked again: its verdict is the run's.")
		fmt.Fprintln(w, "\nexit status: 0 the report was written, 2 it could not be read or written")
		fmt.Fprintln(w, "\nflags:")
		fs.PrintDefaults()
	}
	args, code, ok := parseFlags(e, fs)
	if !ok {
		return code
	}
	if len(args) != 1 {
		return fail(e, usageError{fmt.Sprintf("want one REPORT.json, %s", gotArgs(args))})
	}
	f, err := report.ParseFormat(*format)
	if err != nil {
		return fail(e, usageError{err.Error()})
	}
	fh, err := os.Open(args[0])
	if err != nil {
		return fail(e, err)
	}
	r, err := model.ReadJSON(fh)
	fh.Close()
	if err != nil {
		return fail(e, fmt.Errorf("%s: %w", args[0], err))
	}
	if err := writeReport(e, r, f, *out, report.Options{Verbose: verbose}); err != nil {
		return fail(e, err)
	}
	return exitPass
}
