package sbom

import (
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/walk/walktest"
)

// TestAttackSBOMFolderSetuid: sbom of a release folder said nothing of its
// set-user-ID and set-group-ID files, where sbom of a tarball of the same
// folder reports them (file/setuid), as verify does of both forms now; a
// world-writable program is warned of in both (file/world-writable).
func TestAttackSBOMFolderSetuid(t *testing.T) {
	t.Parallel()
	dir, tarball := walktest.ModeRelease(t)
	folder, tarred := findingsOf(openInv(t, dir)), findingsOf(openInv(t, tarball))
	if folder != tarred {
		t.Errorf("folder findings %q, tarball findings %q: want the same", folder, tarred)
	}
	if want := strings.Join(walktest.ModeFindings, ","); folder != want {
		t.Errorf("folder findings %q, want %q", folder, want)
	}
}
