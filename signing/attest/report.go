package attest

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"strings"
)

// report is the part of a shipgate JSON report (schemaVersion 1) an
// attestation needs. It is read from bytes so that this package does not
// depend on package verify.
type report struct {
	SchemaVersion *int `json:"schemaVersion"`
	Tool          struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"tool"`
	// Input and Policy are optional extensions of schema 1.
	Input *struct {
		Path   string `json:"path"`
		Kind   string `json:"kind"`
		SHA256 string `json:"sha256"`
	} `json:"input"`
	Policy *struct {
		Path   string `json:"path"`
		SHA256 string `json:"sha256"`
	} `json:"policy"`
	Files []struct {
		Path   string `json:"path"`
		Size   int64  `json:"size"`
		SHA256 string `json:"sha256"`
		Kind   string `json:"kind"`
	} `json:"files"`
	Summary *struct {
		Files    int   `json:"files"`
		Signed   int   `json:"signed"`
		Errors   int   `json:"errors"`
		Warnings int   `json:"warnings"`
		Passed   *bool `json:"passed"`
	} `json:"summary"`
}

// parseReport decodes and checks a report.
func parseReport(b []byte) (*report, error) {
	if len(b) > MaxEnvelopeSize {
		return nil, fmt.Errorf("%w: report is %d bytes, over the %d-byte limit", ErrReport, len(b), MaxEnvelopeSize)
	}
	if err := checkJSON(b); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrReport, err)
	}
	var r report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrReport, jsonError("report", err))
	}
	switch {
	case r.SchemaVersion == nil:
		return nil, fmt.Errorf("%w: no schemaVersion", ErrReport)
	case *r.SchemaVersion != 1:
		return nil, fmt.Errorf("%w: schemaVersion %d is not supported (want 1)", ErrReport, *r.SchemaVersion)
	case r.Summary == nil || r.Summary.Passed == nil:
		return nil, fmt.Errorf("%w: no summary.passed: cannot tell whether the gate passed", ErrReport)
	}
	for i, f := range r.Files {
		if f.Path == "" {
			return nil, fmt.Errorf("%w: files[%d] has no path", ErrReport, i)
		}
		if !isSHA256Hex(f.SHA256) {
			return nil, fmt.Errorf("%w: file %q: sha256 %q is not 64 lowercase hex digits", ErrReport, f.Path, f.SHA256)
		}
	}
	if r.Input != nil && r.Input.Kind == "archive" && !isSHA256Hex(r.Input.SHA256) {
		return nil, fmt.Errorf("%w: archive input %q: sha256 %q is not 64 lowercase hex digits", ErrReport, r.Input.Path, r.Input.SHA256)
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
