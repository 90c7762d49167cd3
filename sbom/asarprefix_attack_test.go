package sbom

import (
	"fmt"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
)

// TestAttackSBOMAsarHeaderPrefix: verify's TestAttackAsarHeaderPrefix for
// the SBOM. An asar whose JSON header starts with white space or a UTF-8
// byte order mark, which Electron reads, was no asar to the kind detector:
// one loose in the release (found by its kind, not its name) was listed as
// a plain file and the addon inside it left out of the SBOM, and a byte
// order mark made the app's own app.asar unreadable. Both are now opened.
func TestAttackSBOMAsarHeaderPrefix(t *testing.T) {
	dll := peImage(t, "addon")
	for _, prefix := range []string{" ", "\xef\xbb\xbf"} {
		header := fmt.Sprintf(`%s{"files":{"x.node":{"size":%d,"offset":"0"}}}`, prefix, len(dll))
		asar := electronfix.PackAsarRaw([]byte(header), dll)
		dir := writeFolder(t, map[string][]byte{"resources/plugins/extra.asar": asar, "resources/app.asar": asar})
		inv := openInv(t, dir)
		for _, p := range []string{"resources/plugins/extra.asar/x.node", "resources/app.asar/x.node"} {
			if b := binaryAt(inv, p); b == nil || b.SHA256 != sum(dll) {
				t.Errorf("prefix %q: %s not listed; binaries %q, findings %q", prefix, p, pathsOf(inv), findingsOf(inv))
			}
		}
	}
}
