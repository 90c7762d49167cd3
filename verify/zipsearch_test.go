package verify

import (
	"context"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/walk/walktest"
	"github.com/shipgate/shipgate/signing"
)

// TestZipSearchFailureReported: a file whose end cannot be read to look
// for a zip archive there is file/unreadable, with the message sbom
// reports it with (release.ZipSearchMessage; sbom's
// TestZipSearchFailureReported), not passed over as carrying none.
func TestZipSearchFailureReported(t *testing.T) {
	t.Parallel()
	e, err := newEngine(context.Background(), Options{Trust: getFixtures(t).trust, Time: checkTime})
	if err != nil {
		t.Fatal(err)
	}
	r := walktest.FailingTail(4096, 1024)
	c := &check{e: e, j: &job{}, h: &fileHasher{}, f: File{Path: "tool.bin", Size: 4096}}
	c.findZip(r, 4096, []byte("xxxx"))
	_, ferr := container.FindAppended(r, 4096, false, nil, nil)
	if ferr == nil {
		t.Fatal("the failing reader read")
	}
	want := signing.NewFinding(release.RuleUnreadable, signing.SeverityError, release.ZipSearchMessage(ferr))
	want.Path = "tool.bin"
	if !slices.ContainsFunc(c.finds, func(f signing.Finding) bool {
		return f.Rule == want.Rule && f.Path == want.Path && f.Message == want.Message
	}) {
		t.Errorf("findings %+v lack %+v", c.finds, want)
	}
}
