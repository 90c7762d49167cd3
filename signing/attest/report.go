package attest

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/shipgate/shipgate/report"

	"github.com/shipgate/shipgate/signing/attest/blob"
)

// parseReport decodes and checks a shipgate JSON report (package report).
// Keys the gate depends on must be present, not merely zero: a report
// without schemaVersion or summary.passed is refused.
func parseReport(b []byte) (*report.Report, error) {
	if len(b) > MaxEnvelopeSize {
		return nil, fmt.Errorf("%w: report is %d bytes, over the %d-byte limit", ErrReport, len(b), MaxEnvelopeSize)
	}
	if err := blob.CheckJSON(b); err != nil {
		return nil, wrapError(ErrReport, err)
	}
	var present struct {
		SchemaVersion *int `json:"schemaVersion"`
		Summary       *struct {
			Passed *bool `json:"passed"`
		} `json:"summary"`
	}
	if err := json.Unmarshal(b, &present); err != nil {
		return nil, wrapError(ErrReport, jsonError("report", err))
	}
	switch {
	case present.SchemaVersion == nil:
		return nil, fmt.Errorf("%w: no schemaVersion", ErrReport)
	case *present.SchemaVersion != report.SchemaVersion:
		return nil, fmt.Errorf("%w: schemaVersion %d is not supported (want %d)", ErrReport, *present.SchemaVersion, report.SchemaVersion)
	case present.Summary == nil || present.Summary.Passed == nil:
		return nil, fmt.Errorf("%w: no summary.passed: cannot tell whether the gate passed", ErrReport)
	}
	var r report.Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, wrapError(ErrReport, jsonError("report", err))
	}
	for i, f := range r.Files {
		if f.Path == "" {
			return nil, fmt.Errorf("%w: files[%d] has no path", ErrReport, i)
		}
		if f.SHA256.IsZero() {
			return nil, fmt.Errorf("%w: file %q: sha256 %q is not 64 lowercase hex digits", ErrReport, f.Path, "")
		}
	}
	if in := r.Input; in != nil && in.Kind.Archive() && !isSHA256Hex(in.SHA256) {
		return nil, fmt.Errorf("%w: %s input %q: sha256 %q is not 64 lowercase hex digits", ErrReport, in.Kind, in.Path, in.SHA256)
	}
	if r.Policy != nil && r.Policy.SHA256 != "" && !isSHA256Hex(r.Policy.SHA256) {
		return nil, fmt.Errorf("%w: policy sha256 %q is not 64 lowercase hex digits", ErrReport, r.Policy.SHA256)
	}
	return &r, nil
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 || strings.ToLower(s) != s {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// uriFromPath turns a path recorded in a report into a URI reference that does
// not leak the machine's directory layout: relative paths are kept (with
// forward slashes), absolute ones are reduced to their last element.
func uriFromPath(p string) string {
	p = strings.ReplaceAll(p, `\`, "/")
	if strings.HasPrefix(p, "/") || (len(p) >= 2 && p[1] == ':') {
		return path.Base(p)
	}
	return p
}
