package git

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/shipgate/shipgate/internal/testfill"
	"github.com/shipgate/shipgate/signing"
)

// TestReportRecordsKeepJSON: the report's commits and tags encode as the
// audit's Commit and Tag do, so "commits" keeps its shape.
func TestReportRecordsKeepJSON(t *testing.T) {
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
