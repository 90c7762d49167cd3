package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxJSONSize is the largest JSON report ReadJSON reads: a report of a
// million files is about 400 MB.
const MaxJSONSize = 1 << 30

// ErrNotReport is returned by ReadJSON for input that is not a JSON report
// of this schema version.
var ErrNotReport = errors.New("report: not a shipgate JSON report")

// ReadJSON decodes a JSON report as verify, diff and git-audit write it
// (--format json). The report must be one JSON object of schema version
// SchemaVersion whose summary says whether the gate passed; fields the
// model does not know are refused, so a report of another version is not
// rendered as if it were this one, and so are kinds, formats, algorithms,
// statuses and rule IDs outside the schema's vocabularies.
func ReadJSON(r io.Reader) (*Report, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxJSONSize+1))
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if len(b) > MaxJSONSize {
		return nil, fmt.Errorf("%w: over %d bytes", ErrNotReport, MaxJSONSize)
	}
	var present struct {
		SchemaVersion *int `json:"schemaVersion"`
		Summary       *struct {
			Passed *bool `json:"passed"`
		} `json:"summary"`
	}
	if err := json.Unmarshal(b, &present); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotReport, err)
	}
	switch {
	case present.SchemaVersion == nil:
		return nil, fmt.Errorf("%w: no schemaVersion", ErrNotReport)
	case *present.SchemaVersion != SchemaVersion:
		return nil, fmt.Errorf("%w: schemaVersion %d is not supported (want %d)", ErrNotReport, *present.SchemaVersion, SchemaVersion)
	case present.Summary == nil || present.Summary.Passed == nil:
		return nil, fmt.Errorf("%w: no summary.passed", ErrNotReport)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var rep Report
	if err := dec.Decode(&rep); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotReport, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the JSON object at offset %d", ErrNotReport, dec.InputOffset())
	}
	if err := rep.checkVocabulary(); err != nil {
		return nil, err
	}
	return &rep, nil
}
