package codesign

import "fmt"

// sealKindMismatch describes the seal entry e of rel, which is is (a
// regular file, a symlink), when Security reads e as another kind
// (ResourceSeal: nested code when e has a requirement, else a symlink
// when it names a target, else a file by its hashes) and so rejects the
// bundle as altered.
func sealKindMismatch(rel string, e sealEntry, is string) string {
	kind := "a file"
	switch {
	case e.requirement != "":
		kind = "nested code (it has a requirement)"
	case e.symlink != nil:
		kind = fmt.Sprintf("a symlink to %q", *e.symlink)
	case e.cdhash != nil:
		kind = "a file, its cdhash without a requirement making no nested code, and with no hash macOS reads"
	}
	return fmt.Sprintf("%q is sealed as %s but is %s: macOS finds it altered", rel, kind, is)
}
