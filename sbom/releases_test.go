package sbom

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/internal/testfill"
	"github.com/shipgate/shipgate/signing"
)

// TestBinaryRecordKeepsJSON: the report's record of a binary encodes as the
// inventory's Binary does, so the diff section keeps its shape.
func TestBinaryRecordKeepsJSON(t *testing.T) {
	t.Parallel()
	var b Binary
	testfill.All(&b)
	b.Signature.Status = signing.StatusUntrusted
	want, _ := json.Marshal(b)
	got, _ := json.Marshal(b.record())
	if !bytes.Equal(got, want) {
		t.Errorf("record:\n%s\nBinary:\n%s", got, want)
	}
	if (*Binary)(nil).record() != nil {
		t.Error("record of nil")
	}
}

// TestDiffReleasesReport: the report of a release diff holds the diff
// section named as given, the new release's findings and the change's, and
// no files.
func TestDiffReleasesReport(t *testing.T) {
	t.Parallel()
	write := func(spec electronfix.Spec) string {
		rel, err := electronfix.Windows(spec)
		if err != nil {
			t.Fatal(err)
		}
		dir, err := rel.Write(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return dir
	}
	oldDir := write(electronfix.Clean())
	newDir := write(electronfix.Spec{AppVersion: "1.4.0", TamperPackage: true})
	r, err := DiffReleases(context.Background(), oldDir, newDir, DiffOptions{ToolVersion: "v9"})
	if err != nil {
		t.Fatal(err)
	}
	d := r.Diff.ReleaseDiff
	if d == nil || r.Diff.UpstreamDiff != nil || d.Old != oldDir || d.New != newDir || len(d.ChangedSameVersion) != 1 {
		t.Fatalf("diff = %+v", r.Diff)
	}
	if r.Tool.Version != "v9" || len(r.Files) != 0 || r.Summary.Passed || r.Summary.Errors == 0 {
		t.Errorf("report = %+v", r)
	}
	b, _ := json.Marshal(r)
	if bytes.Contains(b, []byte(`"findings":null`)) || !bytes.Contains(b, []byte(`"diff":{"old":`)) {
		t.Errorf("json: %s", b)
	}
	notes := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notes, []byte("release notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{notes, filepath.Join(t.TempDir(), "missing")} {
		if _, err := DiffReleases(context.Background(), oldDir, p, DiffOptions{}); err == nil {
			t.Errorf("%s, no release: no error", filepath.Base(p))
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := DiffReleases(ctx, oldDir, newDir, DiffOptions{}); err == nil {
		t.Error("cancelled: no error")
	}
}
