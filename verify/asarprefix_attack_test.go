package verify

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/sbom/asar"
)

// TestAttackAsarHeaderPrefix: Electron parses an asar's JSON header with
// Chromium's JSON reader, which skips a UTF-8 byte order mark and white
// space before the object. verify recognised an asar only by a '{' right
// after the pickle framing, so resources/app.asar with a header starting
// " {" (or a BOM, or a newline) was an unremarkable data file: the native
// addon inside, which Electron loads (copying it out of the archive), was
// never checked. It is now opened as the asar it is, and the addon is
// checked (and refused by a policy forbidding native code in the asar).
func TestAttackAsarHeaderPrefix(t *testing.T) {
	f := getFixtures(t)
	for _, prefix := range []string{" ", "\n\t\r ", "\xef\xbb\xbf", "\xef\xbb\xbf "} {
		t.Run(fmt.Sprintf("%q", prefix), func(t *testing.T) {
			header := fmt.Sprintf(`%s{"files":{"x.node":{"size":%d,"offset":"0"}}}`, prefix, len(f.peUnsigned))
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"resources/app.asar": electronfix.PackAsarRaw([]byte(header), f.peUnsigned)})
			r := mustFail(t, Options{Policy: requireValid()}, "resources/app.asar/x.node", ruleForbiddenKind, dir)
			if fi := fileByPath(r, "resources/app.asar"); fi == nil || fi.Kind != KindAsar {
				t.Errorf("app.asar not checked as an asar: %+v", fi)
			}
			// Given on its own too.
			mustFail(t, Options{Policy: requireValid()}, "app.asar/x.node", ruleForbiddenKind, filepath.Join(dir, "resources", "app.asar"))
		})
	}
}

// TestAttackAsarTwoHeaders: app.asar's header pickle declares a payload
// shorter than the pickle: shipgate read the JSON string at offset 12
// (readme.txt), but base::Pickle, which Electron reads the header with,
// takes the payload to be the pickle's last bytes, and there is a second
// JSON string listing x.node, an unsigned addon, over the same data. verify
// took the file for no asar at all and passed. The archive is now refused
// (asar/malformed), alone and in a release.
func TestAttackAsarTwoHeaders(t *testing.T) {
	f := getFixtures(t)
	for _, n := range []int{0, 5000} { // the real header within the first 4 KiB, and beyond
		decoy := fmt.Sprintf(`{"files":{"readme.txt":{"size":2,"offset":"0"}},"padding":"%0*d"}`, n+1, 0)
		real := fmt.Sprintf(`{"files":{"x.node":{"size":%d,"offset":"0"}},"padding":"%0*d"}`, len(f.peUnsigned), n+60, 0)
		a := electronfix.PackAsarTwoHeaders([]byte(decoy), []byte(real), f.peUnsigned)
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"resources/app.asar": a})
		mustFail(t, Options{}, "resources/app.asar", asar.RuleMalformed, dir)
		mustFail(t, Options{}, "app.asar", asar.RuleMalformed, filepath.Join(dir, "resources", "app.asar"))
	}
}
