package main

import (
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/shipgate/shipgate/sbom"
)

func init() {
	register("sbom", "write a CycloneDX 1.6 or SPDX 2.3 SBOM of a release, asar contents and Electron facts included", runSBOM)
}

func runSBOM(e *env) int {
	fs := newFlags(e)
	var (
		format = fs.String("format", sbom.FormatCycloneDXJSON, "SBOM format: cyclonedx-json or spdx-json")
		out    = fs.String("o", "", "write the SBOM to this file instead of stdout")
		serial = fs.Bool("serial", false, "give the CycloneDX document a random serialNumber (off: output is reproducible)")
		roots  listFlag
	)
	noSystem := fs.Bool("no-system-roots", false, "trust only the embedded roots and --roots, not the operating system's")
	fs.Var(&roots, "roots", "PEM file of extra trusted roots for the signature summaries (repeatable)")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "usage: shipgate sbom [--format cyclonedx-json|spdx-json] [-o FILE] [--serial] [--roots PEM]... [--no-system-roots] PATH")
		fmt.Fprintln(w, "\nPATH is a release of any kind verify opens (see shipgate verify --help); a file that is not one")
		fmt.Fprintln(w, "is an error, not an empty SBOM. The document's time is SOURCE_DATE_EPOCH when set, else the")
		fmt.Fprintln(w, "modification time of PATH.")
		fmt.Fprintln(w, "exit status: 0 the SBOM was written, 2 the run failed")
		fmt.Fprintln(w, "\nflags:")
		fs.PrintDefaults()
	}
	args, code, ok := parseFlags(e, fs)
	if !ok {
		return code
	}
	if len(args) != 1 {
		return fail(e, usageError{fmt.Sprintf("want one PATH, %s", gotArgs(args))})
	}
	if *format != sbom.FormatCycloneDXJSON && *format != sbom.FormatSPDXJSON {
		return fail(e, usageError{fmt.Sprintf("unknown --format %q (want cyclonedx-json or spdx-json)", *format)})
	}
	path := args[0]
	opts := sbom.ExportOptions{ToolVersion: version()}
	if v := os.Getenv("SOURCE_DATE_EPOCH"); v != "" {
		sec, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fail(e, usageError{"SOURCE_DATE_EPOCH is not a number of seconds: " + v})
		}
		opts.Time = time.Unix(sec, 0).UTC()
	} else if st, err := os.Stat(path); err == nil {
		opts.Time = st.ModTime().UTC().Truncate(time.Second)
	}
	if *serial {
		var u [16]byte
		if _, err := rand.Read(u[:]); err != nil {
			return fail(e, err)
		}
		u[6] = u[6]&0x0f | 0x40
		u[8] = u[8]&0x3f | 0x80
		opts.SerialNumber = fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:])
	}
	trust, appleTrust, err := trustStores(roots, *noSystem)
	if err != nil {
		return fail(e, err)
	}
	sopts := sbom.Options{Signatures: signatures(trust, appleTrust)}
	progress := newProgressLine(e.stderr)
	if progress != nil {
		sopts.Progress = progress.inventory
	}
	inv, err := sbom.Open(path, sopts)
	progress.done()
	if err != nil {
		return fail(e, err)
	}
	// Standard output goes to CI logs, which read commands anywhere in a
	// line: package names and paths come from the release.
	stdout := &defuseWriter{w: e.stdout}
	var w io.Writer = stdout
	var fh *os.File
	if *out != "" && *out != "-" {
		if fh, err = os.Create(*out); err != nil {
			return fail(e, err)
		}
		w = fh
	}
	err = sbom.Export(w, inv, *format, opts)
	if cerr := stdout.Close(); err == nil {
		err = cerr
	}
	if fh != nil {
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fail(e, err)
	}
	return exitPass
}
