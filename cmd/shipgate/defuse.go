package main

import (
	"io"

	"github.com/shipgate/shipgate/verify/report"
)

// defuseWriter writes a JSON document to w as report.DefuseJSON would
// write it whole, each "##" as "#\u0023", while it streams: a '#' that
// ends one Write is held back until the next shows whether it starts a
// "##". Close writes a '#' still held; it does not close w.
type defuseWriter struct {
	w    io.Writer
	held bool
}

func (d *defuseWriter) Write(p []byte) (int, error) {
	b := p
	if d.held {
		b = append([]byte{'#'}, p...)
		d.held = false
	}
	b = report.DefuseJSON(b)
	// A replaced pair ends in '3': a last '#' is one not yet paired.
	if n := len(b); n > 0 && b[n-1] == '#' {
		d.held, b = true, b[:n-1]
	}
	if _, err := d.w.Write(b); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close writes the '#' held back, if any.
func (d *defuseWriter) Close() error {
	if !d.held {
		return nil
	}
	d.held = false
	_, err := d.w.Write([]byte{'#'})
	return err
}
