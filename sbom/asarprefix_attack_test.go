package sbom

import (
	"fmt"
	"strings"
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

// TestAttackSBOMAsarTwoHeaders: verify's TestAttackAsarTwoHeaders for the
// SBOM: the app.asar whose header pickle holds a decoy JSON string at
// offset 16 and, as its payload, the one Electron reads. sbom listed the
// decoy's readme.txt and left the addon Electron loads out of the SBOM;
// the archive is now refused (asar/malformed).
func TestAttackSBOMAsarTwoHeaders(t *testing.T) {
	dll := peImage(t, "addon")
	decoy := `{"files":{"readme.txt":{"size":2,"offset":"0"}}}`
	real := fmt.Sprintf(`{"files":{"x.node":{"size":%d,"offset":"0"}},"padding":"%060d"}`, len(dll), 0)
	dir := writeFolder(t, map[string][]byte{"resources/app.asar": electronfix.PackAsarTwoHeaders([]byte(decoy), []byte(real), dll)})
	inv := openInv(t, dir)
	if got := findingsOf(inv); !strings.Contains(got, "asar/malformed resources/app.asar") {
		t.Errorf("findings %q, want asar/malformed at resources/app.asar", got)
	}
	for _, b := range inv.Binaries {
		t.Errorf("binary %s listed from the decoy header", b.Path)
	}
}
