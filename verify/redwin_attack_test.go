package verify

import (
	"testing"

	"github.com/shipgate/shipgate/internal/squirrel"
)

// TestAttackSquirrelPackagePrefixed: Squirrel.Windows' Setup opens its
// package resource with a minizip-derived reader, which finds the end
// record from the resource's end and counts the archive's offsets from the
// bytes before it, so a package resource starting with other bytes is
// still extracted and run. A resource after it keeps the archive out of
// reach of the search from the PE's end. It passed before: the resource
// was opened only when it started with a zip signature.
func TestAttackSquirrelPackagePrefixed(t *testing.T) {
	f := getFixtures(t)
	after := squirrel.BuildResource{TypeID: 3, ID: 2, Data: make([]byte, 200<<10)}
	setup := func(exe []byte) []byte {
		pkg := makeZip(t, []zipEntry{{name: "Update.exe", data: exe}})
		return squirrelSetup(t, append([]byte("junk"), pkg...), after)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"Setup.exe": setup(f.peUnsigned)})
	mustFail(t, Options{Policy: requireValid()}, "Setup.exe/Update.exe", ruleUnsigned, dir)
	// The same package with a signed Update.exe passes, checked.
	ok := t.TempDir()
	writeTree(t, ok, map[string][]byte{"Setup.exe": setup(f.peValid)})
	r := run(t, Options{Policy: requireValid()}, ok)
	if !r.Summary.Passed || fileByPath(r, "Setup.exe/Update.exe") == nil {
		t.Errorf("signed package: passed %v, findings %v", r.Summary.Passed, r.Findings)
	}
}
