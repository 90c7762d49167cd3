// Command embed shows how a security tool reads the signatures of one file
// through shipgate's library API, without the CLI or a policy: it detects
// the file's kind, runs the matching verifier, and prints every fact the
// verifier computed — status, digests, signer, timestamp and failed checks.
//
// Usage:
//
//	embed [-roots PEM] FILE
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
	"github.com/shipgate/shipgate/signing/codesign"
	"github.com/shipgate/shipgate/verify"
)

func main() {
	roots := flag.String("roots", "", "PEM file of extra trusted roots")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: embed [-roots PEM] FILE")
		os.Exit(2)
	}
	opts := signing.TrustStoreOptions{Embedded: signing.EmbeddedAll}
	if *roots != "" {
		opts.PEMFiles = []string{*roots}
	}
	trust, err := signing.NewTrustStore(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "embed:", err)
		os.Exit(2)
	}
	if err := describe(os.Stdout, flag.Arg(0), trust, time.Time{}); err != nil {
		fmt.Fprintln(os.Stderr, "embed:", err)
		os.Exit(2)
	}
}

// describe prints the signatures of the file at path, verified against
// trust at time at (zero means now).
func describe(w io.Writer, path string, trust *signing.TrustStore, at time.Time) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	hdr := make([]byte, 4096)
	n, _ := f.ReadAt(hdr, 0)
	kind := verify.DetectKind(hdr[:n])
	fmt.Fprintf(w, "%s: %s, %d bytes\n", path, kind, st.Size())

	var sigs []signing.Signature
	var finds []signing.Finding
	switch kind {
	case verify.KindPE:
		res, err := authenticode.Verify(f, st.Size(), authenticode.Options{Trust: trust, Time: at})
		if err != nil {
			return err
		}
		sigs, finds = res.Signatures, res.Findings
		fmt.Fprintf(w, "authentihash sha256 %s\n", res.Authentihash["sha256"])
	case verify.KindMachO, verify.KindMachOUniversal:
		res, err := codesign.Verify(f, st.Size(), codesign.Options{Trust: trust, Time: at})
		if err != nil {
			return err
		}
		sigs, finds = res.Signatures, res.Findings
	default:
		fmt.Fprintln(w, "no code signature format applies")
		return nil
	}
	if len(sigs) == 0 {
		fmt.Fprintln(w, "unsigned")
	}
	for _, s := range sigs {
		fmt.Fprintf(w, "signature %d %s %s: %s\n", s.Index, s.Format, s.Arch, s.Status)
		if s.Digest != nil {
			fmt.Fprintf(w, "  digest %s intact=%v\n", s.Digest.Algorithm, s.Digest.Match())
		}
		if s.Signer != nil {
			fmt.Fprintf(w, "  signer %s\n  issuer %s\n  sha256 %s\n", s.Signer.Subject, s.Signer.Issuer, s.Signer.SHA256)
		}
		if s.Timestamp != nil {
			fmt.Fprintf(w, "  timestamp %s verified=%v\n", s.Timestamp.Time.Format(time.RFC3339), s.Timestamp.Verified)
		}
		for _, c := range s.Checks {
			if !c.OK {
				fmt.Fprintf(w, "  failed check %s: %s\n", c.Name, c.Detail)
			}
		}
	}
	for _, x := range finds {
		fmt.Fprintf(w, "finding %s %s: %s\n", x.Severity, x.Rule, x.Message)
	}
	return nil
}
