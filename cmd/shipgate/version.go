package main

import (
	"fmt"
	"runtime/debug"
)

func init() {
	register("version", "print shipgate's version (module version, or VCS revision of a checkout build)", runVersion)
}

// readBuildInfo is debug.ReadBuildInfo; tests replace it.
var readBuildInfo = debug.ReadBuildInfo

// version returns the version the binary was built from, as recorded in
// reports, SBOMs and attestations:
//
//   - the main module's version when Go recorded one (a release tag, or
//     the pseudo-version go build derives from a checkout, "+dirty" when
//     the work tree had changes);
//   - else "0.0.0-" and the first 12 digits of the VCS revision, "+dirty"
//     when the work tree had changes;
//   - else "" (a build with -buildvcs=false, or go run): reports then
//     record an empty version and attestations none, rather than a
//     placeholder such as "devel" that names no code.
func version() string {
	bi, ok := readBuildInfo()
	if !ok {
		return ""
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev string
	var dirty bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return ""
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	v := "0.0.0-" + rev
	if dirty {
		v += "+dirty"
	}
	return v
}

// runVersion is `shipgate version`.
func runVersion(e *env) int {
	fs := newFlags(e)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: shipgate version")
		fmt.Fprintln(fs.Output(), "\nPrints the module version shipgate was built from, else its VCS revision (0.0.0-REVISION,")
		fmt.Fprintln(fs.Output(), "+dirty for a modified checkout), else says that neither is known.")
	}
	args, code, ok := parseFlags(e, fs)
	if !ok {
		return code
	}
	if code := noArgs(e, args); code != exitPass {
		return code
	}
	v := version()
	if v == "" {
		v = "(unknown: built without a module version or VCS information; go build in a git checkout records the revision)"
	}
	fmt.Fprintln(e.stdout, "shipgate", v)
	return exitPass
}
