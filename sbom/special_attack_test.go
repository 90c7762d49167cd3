package sbom_test

import (
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/walk/walktest"
	"github.com/shipgate/shipgate/sbom"
	"github.com/shipgate/shipgate/signing"
)

// A character device or FIFO in an installer package's payload was a
// pkg/payload-malformed finding at the payload, not at the path the
// installer creates it at; a disk image volume's said it was not
// "checked" in an inventory. Now both are file/unreadable errors at
// their paths, in verify's words, and no file of the inventory.
func TestAttackSpecialFileInPkgPayloadOrDMG(t *testing.T) {
	t.Parallel()
	for _, c := range walktest.SpecialCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			inv, err := sbom.Open(walktest.WriteTemp(t, c.File, c.Data), sbom.Options{})
			if err != nil {
				t.Fatal(err)
			}
			walktest.CheckSpecials(t, "sbom", c, inv.Findings)
			for _, f := range inv.Findings {
				if f.Severity == signing.SeverityError && f.Rule != "file/unreadable" || strings.HasPrefix(string(f.Rule), "pkg/") || strings.Contains(f.Message, "checked") {
					t.Errorf("other finding: %s %s %s: %s", f.Severity, f.Rule, f.Path, f.Message)
				}
			}
			for _, f := range inv.Files {
				if strings.Contains(f.Path, "/dev/") {
					t.Errorf("%s inventoried", f.Path)
				}
			}
		})
	}
}
