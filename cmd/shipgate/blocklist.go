package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/shipgate/shipgate/signing/blocklist"
	"github.com/shipgate/shipgate/signing/blocklist/update"
	"github.com/shipgate/shipgate/verify/report"
)

func init() {
	register("blocklist", "fetch blocklists and IoC lists into a directory that verify --blocklist DIR reads offline", runBlocklist)
}

// sourceFlag collects --source NAME=URL.
type sourceFlag []update.Source

func (s *sourceFlag) String() string { return "" }

func (s *sourceFlag) Set(v string) error {
	name, u, ok := strings.Cut(v, "=")
	if !ok || name == "" || u == "" {
		return fmt.Errorf("want NAME=URL, got %q", v)
	}
	*s = append(*s, update.Source{Name: name, URL: u})
	return nil
}

// runBlocklist is `shipgate blocklist update`.
func runBlocklist(e *env) int {
	fs := newFlags(e)
	var (
		out         = fs.String("out", "", "the blocklist directory to update (created if missing; required)")
		sourcesF    = fs.String("sources", "", "JSON file with a list of sources: [{\"name\", \"url\", \"format\", \"member\"}]")
		noDefaults  = fs.Bool("no-defaults", false, "do not fetch the default public sources (LOLDrivers, Microsoft's vulnerable-driver block rules, Windows' disallowed certificates)")
		allowHTTP   = fs.Bool("allow-http", false, "allow plain-http URLs (a list fetched in clear can be altered on the way)")
		allowShrink = fs.Bool("allow-shrink", false, "accept a list with fewer than half the entries of the stored one")
		sources     sourceFlag
	)
	fs.Var(&sources, "source", "another source as NAME=URL, format detected (repeatable; a vendor's IoC CSV, a hash list)")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "usage: shipgate blocklist update --out DIR [--source NAME=URL]... [--sources FILE] [--no-defaults] [--allow-http]")
		fmt.Fprintln(w, "                                 [--allow-shrink]")
		fmt.Fprintln(w, "\nFetches every source into DIR and records its URL, fetch time and SHA-256 in DIR/"+blocklist.LockName+";")
		fmt.Fprintln(w, "sources already in the lock are refetched too. A list that does not parse, parses into no entries or")
		fmt.Fprintln(w, "shrank to less than half is refused and the stored one kept. verify --blocklist DIR (or blocklists.files")
		fmt.Fprintln(w, "in a policy) then reads DIR offline and refuses lists that no longer match the lock.")
		fmt.Fprintln(w, "exit status: 0 every source updated or unchanged, 2 a source failed (the others are still stored)")
		fmt.Fprintln(w, "\nflags:")
		fs.PrintDefaults()
	}
	args, code, ok := parseFlags(e, fs)
	if !ok {
		return code
	}
	if len(args) == 0 || args[0] != "update" {
		return fail(e, usageError{"want the subcommand update: shipgate blocklist update --out DIR"})
	}
	if code := noArgs(e, args[1:]); code != exitPass {
		return code
	}
	if *out == "" {
		return fail(e, usageError{"missing --out DIR"})
	}
	var list []update.Source
	if !*noDefaults {
		list = update.Default()
	}
	if *sourcesF != "" {
		more, err := readSources(*sourcesF)
		if err != nil {
			return fail(e, err)
		}
		list = overrideSources(list, more)
	}
	list = overrideSources(list, sources)
	res, err := update.Run(e.ctx, update.Options{Dir: *out, Sources: list, KeepLocked: true, AllowHTTP: *allowHTTP, AllowShrink: *allowShrink})
	if res != nil {
		for _, s := range res.Sources {
			switch s.Status {
			case update.Failed:
				fmt.Fprintf(e.stderr, "shipgate: blocklist: %s failed: %s\n", s.Name, report.Clean(s.Err.Error()))
			default:
				fmt.Fprintf(e.stdout, "%-28s %-10s %d entries (was %d), sha256 %s\n", s.Name, s.Status, s.Entries, s.Previous, s.Locked.SHA256)
			}
		}
	}
	if err != nil {
		if res == nil {
			return fail(e, err)
		}
		fmt.Fprintf(e.stderr, "shipgate: blocklist: %d of %d sources failed; their stored lists are kept\n", failed(res), len(res.Sources))
		return exitError
	}
	return exitPass
}

func failed(r *update.Result) int {
	n := 0
	for _, s := range r.Sources {
		if s.Status == update.Failed {
			n++
		}
	}
	return n
}

// overrideSources returns list with the sources of more replacing those of
// the same name and the others appended.
func overrideSources(list, more []update.Source) []update.Source {
	out := append([]update.Source(nil), list...)
	for _, m := range more {
		replaced := false
		for i := range out {
			if out[i].Name == m.Name {
				out[i], replaced = m, true
			}
		}
		if !replaced {
			out = append(out, m)
		}
	}
	return out
}

// readSources reads a --sources file.
func readSources(name string) ([]update.Source, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	var list []update.Source
	if err := dec.Decode(&list); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: data after the JSON list", name)
	}
	for i, s := range list {
		if s.Name == "" || s.URL == "" {
			return nil, fmt.Errorf("%s: source %d: name and url are required", name, i)
		}
	}
	if len(list) == 0 {
		return nil, errors.New(name + ": no sources")
	}
	return list, nil
}
