// Command gen writes the fictional Electron release pair of package
// electronfix: DIR/old and DIR/new, each with a Windows layout
// (Chatterbox-win32-x64) and a macOS bundle (Chatterbox.app). The old
// release is clean; the new one carries every planted change.
//
//	go run ./internal/electronfix/gen -o DIR
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/shipgate/shipgate/internal/electronfix"
)

func main() {
	out := flag.String("o", "", "output folder")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: gen -o DIR")
		os.Exit(2)
	}
	for _, rel := range []struct {
		dir  string
		spec electronfix.Spec
	}{{"old", electronfix.Clean()}, {"new", electronfix.Trojanized()}} {
		for _, gen := range []func(electronfix.Spec) (*electronfix.Release, error){electronfix.Windows, electronfix.MacOS} {
			r, err := gen(rel.spec)
			if err == nil {
				_, err = r.Write(filepath.Join(*out, rel.dir))
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, "gen:", err)
				os.Exit(1)
			}
		}
	}
}
