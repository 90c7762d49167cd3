package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/shipgate/shipgate/internal/atomicfile"
	"github.com/shipgate/shipgate/signing/sigstore"
)

func init() {
	register("trusted-root", "fetch a Sigstore trusted_root.json through TUF, for offline verification", runTrustedRoot)
}

// runTrustedRoot is `shipgate trusted-root`.
func runTrustedRoot(e *env) int {
	fs := newFlags(e)
	var (
		url     = fs.String("tuf-url", sigstore.PublicGoodTUF, "TUF repository base URL")
		rootF   = fs.String("tuf-root", "", "the repository's initial root.json (required unless --tuf-url is Sigstore's public-good repository, whose root sigstore-go embeds)")
		cache   = fs.String("tuf-cache", "", "directory of the verified TUF metadata and targets (default: the user cache directory's shipgate/tuf)")
		offline = fs.Bool("offline", false, "use the cache only; its metadata must still be valid")
		out     = fs.String("o", "", "write trusted_root.json to this file instead of stdout")
	)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "usage: shipgate trusted-root [--tuf-url URL] [--tuf-root root.json] [--tuf-cache DIR] [--offline] [-o FILE]")
		fmt.Fprintln(w, "\nFetches trusted_root.json through The Update Framework (signatures, thresholds, versions, expiry and")
		fmt.Fprintln(w, "rollback checked from the initial root on), for verify-blob --trusted-root and policy sigstore rules,")
		fmt.Fprintln(w, "which stay offline. A file given with -o is replaced only when the new root verified.")
		fmt.Fprintln(w, "exit status: 0 written, 2 the fetch or its verification failed")
		fmt.Fprintln(w, "\nflags:")
		fs.PrintDefaults()
	}
	args, code, ok := parseFlags(e, fs)
	if !ok {
		return code
	}
	if len(args) != 0 {
		return fail(e, usageError{fmt.Sprintf("want no arguments, got %d", len(args))})
	}
	opts := sigstore.TUFOptions{RepositoryURL: *url, CachePath: *cache, Offline: *offline}
	if opts.CachePath == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return fail(e, usageError{"no user cache directory: give --tuf-cache"})
		}
		opts.CachePath = filepath.Join(dir, "shipgate", "tuf")
	}
	if *rootF != "" {
		b, err := os.ReadFile(*rootF)
		if err != nil {
			return fail(e, err)
		}
		opts.Root = b
	} else if *url != sigstore.PublicGoodTUF {
		return fail(e, usageError{"--tuf-root is required with a --tuf-url other than " + sigstore.PublicGoodTUF})
	}
	b, err := sigstore.FetchTrustedRoot(e.ctx, opts)
	if err != nil {
		return fail(e, err)
	}
	if *out == "" || *out == "-" {
		if _, err := e.stdout.Write(b); err != nil {
			return fail(e, err)
		}
		return exitPass
	}
	if err := atomicfile.WriteFile(*out, b); err != nil {
		return fail(e, err)
	}
	return exitPass
}
