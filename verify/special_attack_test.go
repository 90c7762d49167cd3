package verify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/walk/walktest"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

// A character device or FIFO in an installer package's payload, which the
// installer creates as root, was reported at the payload
// (pkg/payload-malformed, "neither file, directory nor symlink"), not at
// the path it is installed at, where a policy judges it; a tarball's is
// file/tar-special-entry at its path, a folder's or a disk image
// volume's file/unreadable at its path. Now the package's are
// file/unreadable errors at their paths too, as sbom reports them, and
// the release fails for them alone.
func TestAttackSpecialFileInPkgPayloadOrDMG(t *testing.T) {
	t.Parallel()
	for _, c := range walktest.SpecialCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			r, err := verify.Release(context.Background(), verify.OptionsForTest(t), walktest.WriteTemp(t, c.File, c.Data))
			if err != nil {
				t.Fatal(err)
			}
			walktest.CheckSpecials(t, "verify", c, r.Findings)
			if r.Summary.Passed {
				t.Error("passed")
			}
			for _, f := range r.Findings {
				if f.Severity == signing.SeverityError && f.Rule != "file/unreadable" || strings.HasPrefix(string(f.Rule), "pkg/") {
					t.Errorf("other finding: %s %s %s: %s", f.Severity, f.Rule, f.Path, f.Message)
				}
			}
		})
	}
}
