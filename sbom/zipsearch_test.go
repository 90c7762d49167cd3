package sbom

import (
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/internal/filekind"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/walk/walktest"
	"github.com/shipgate/shipgate/signing"
)

// TestZipSearchFailureReported: a file whose end cannot be read to look
// for a zip archive there is file/unreadable, with the message verify
// reports it with (release.ZipSearchMessage; verify's
// TestZipSearchFailureReported), where sbom used to pass it over as
// carrying none: from the release's files (endsWithZip) and from an
// installer's (appendedZip).
func TestZipSearchFailureReported(t *testing.T) {
	t.Parallel()
	r := walktest.FailingTail(4096, 1024)
	_, ferr := container.FindAppended(r, 4096, false, nil, nil)
	if ferr == nil {
		t.Fatal("the failing reader read")
	}
	want := signing.NewFinding(release.RuleUnreadable, signing.SeverityError, release.ZipSearchMessage(ferr))
	want.Path = "tool.bin"
	has := func(fs []signing.Finding) bool {
		return slices.ContainsFunc(fs, func(f signing.Finding) bool {
			return f.Rule == want.Rule && f.Path == want.Path && f.Message == want.Message
		})
	}

	b := &builder{inv: &Inventory{}}
	it := &item{path: "tool.bin"}
	it.appended, it.appendedErr = endsWithZip(r, 4096, filekind.Other, nil)
	b.items = []*item{it}
	b.itemFindings()
	if it.appended || !has(b.inv.Findings) {
		t.Errorf("release file: appended %v, findings %+v lack %+v", it.appended, b.inv.Findings, want)
	}

	b = &builder{inv: &Inventory{}}
	l := &containerLister{b: b, x: release.NewExpansion(4096), seen: map[string]lister{}, add: func(*item) {}}
	l.appendedZip("tool.bin", r, 4096, 0, nil)
	if !has(b.inv.Findings) {
		t.Errorf("installer's file: findings %+v lack %+v", b.inv.Findings, want)
	}
}
