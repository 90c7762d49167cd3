package git

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/shipgate/shipgate/internal/testfill"
	"github.com/shipgate/shipgate/signing"
)

// TestReportRecordsKeepJSON: the report's commits and tags encode as the
// audit's Commit and Tag do, so "commits" keeps its shape.
func TestReportRecordsKeepJSON(t *testing.T) {
	t.Parallel()
	var c Commit
	testfill.All(&c)
	c.Signature.Status = signing.StatusInvalid
	want, _ := json.Marshal(c)
	got, _ := json.Marshal(c.record())
	if !bytes.Equal(got, want) {
		t.Errorf("commit record:\n%s\nCommit:\n%s", got, want)
	}
	var tag Tag
	testfill.All(&tag)
	want, _ = json.Marshal(tag)
	got, _ = json.Marshal(tag.record())
	if !bytes.Equal(got, want) {
		t.Errorf("tag record:\n%s\nTag:\n%s", got, want)
	}
	c.Signature = nil
	if r := c.record(); r.Signature != nil {
		t.Error("unsigned commit recorded with a signature")
	}
}

// TestAuditReportNothingToAudit: a pipeline that protects nothing and gives
// no artifact gets ErrNothingToAudit, as the CLI does, rather than a
// passing report of a history nobody looked at; any one of a protected
// path, a vendor pin or an artifact is something to audit.
func TestAuditReportNothingToAudit(t *testing.T) {
	t.Parallel()
	h := buildHistory(t)
	ctx := context.Background()
	for _, opts := range []Options{{}, {Policy: &Policy{}}, {Policy: &Policy{BinaryAllow: []string{"src/**"}}}} {
		opts.Since, opts.Backend = "v1", BackendGoGit
		if r, err := AuditReport(ctx, h.tr.dir, opts); !errors.Is(err, ErrNothingToAudit) || r != nil {
			t.Errorf("%+v: report %v, error %v, want ErrNothingToAudit", opts.Policy, r, err)
		}
	}
	dir := t.TempDir()
	for _, opts := range []Options{
		{Policy: &Policy{Protect: []ProtectRule{{Path: "vendor/**"}}}},
		{ArtifactPath: dir},
		{Artifact: os.DirFS(dir)},
	} {
		opts.Since, opts.Backend = "v1", BackendGoGit
		if _, err := AuditReport(ctx, h.tr.dir, opts); err != nil {
			t.Errorf("%+v: %v", opts, err)
		}
	}
}
