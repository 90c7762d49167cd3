package report

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/shipgate/shipgate/docs"
	model "github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/signing"
)

// SARIFSchema is the schema URI written in SARIF logs.
const SARIFSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// SrcRoot is the uriBaseId of artifact locations: paths are relative to the
// input that was checked.
const SrcRoot = "%SRCROOT%"

// RootURI is the artifact location of a finding about no file of the input
// (a git audit's rewritten history): the input itself, relative to
// [SrcRoot]. Every result has a location, as GitHub code scanning requires.
const RootURI = "."

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool      sarifTool       `json:"tool"`
	Artifacts []sarifArtifact `json:"artifacts,omitempty"`
	Results   []sarifResult   `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string        `json:"id"`
	ShortDescription sarifMessage  `json:"shortDescription"`
	FullDescription  *sarifMessage `json:"fullDescription,omitempty"`
	Help             *sarifHelp    `json:"help,omitempty"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifHelp struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown"`
}

type sarifArtifact struct {
	Location sarifArtifactLocation `json:"location"`
	Length   int64                 `json:"length"`
	Hashes   map[string]string     `json:"hashes,omitempty"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
	Index     *int   `json:"index,omitempty"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
	// PartialFingerprints identify the result across runs and within one:
	// code scanning computes no fingerprint for a location without a line
	// (a byte offset of a binary), and matches results by them.
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]string `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifRegion struct {
	ByteOffset int64 `json:"byteOffset"`
}

// SARIF writes r as a SARIF 2.1.0 log with one run: one rule per rule ID
// that occurs, described by its docs/rules.md section (the first sentence as
// shortDescription, the first paragraph as fullDescription, the whole
// section as help); one artifact per file,
// with its length and SHA-256; one result per finding (errors first, then
// warnings, then notes, each in report order; at most [MaxSARIFResults],
// the last of which then counts those left out, see sarifFindings),
// located at its file
// (relative to %SRCROOT%, the input; [RootURI] for a finding about no file)
// and byte offset, with the commit in the result's properties.
func SARIF(w io.Writer, r *model.Report) error {
	findings := sarifFindings(r.Findings, MaxSARIFResults)
	ids := map[string]bool{}
	for _, f := range findings {
		ids[string(f.Rule)] = true
	}
	var sorted []string
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)
	ruleIndex := map[string]int{}
	rules := make([]sarifRule, 0, len(sorted))
	for i, id := range sorted {
		ruleIndex[id] = i
		rules = append(rules, describeRule(id))
	}
	artIndex := map[string]int{}
	arts := make([]sarifArtifact, 0, len(r.Files))
	for _, f := range r.Files {
		if _, dup := artIndex[f.Path]; dup {
			continue
		}
		artIndex[f.Path] = len(arts)
		a := sarifArtifact{Location: sarifArtifactLocation{URI: pathURI(f.Path), URIBaseID: SrcRoot}, Length: f.Size,
			Hashes: map[string]string{"sha-256": f.SHA256.String()}}
		arts = append(arts, a)
	}
	results := make([]sarifResult, 0, len(findings))
	for _, f := range findings {
		res := sarifResult{
			RuleID:    string(f.Rule),
			RuleIndex: ruleIndex[string(f.Rule)],
			Level:     level(f.Severity),
			Message:   sarifMessage{Text: f.Message},
		}
		// GitHub code scanning refuses a whole log when one result has
		// no location ("locationFromSarifResult: expected at least one
		// location"): a finding about no file (a rewritten git history)
		// is located at the input itself, SRCROOT.
		uri := RootURI
		if f.Path != "" {
			uri = pathURI(f.Path)
		}
		loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifactLocation{URI: uri, URIBaseID: SrcRoot}}}
		if i, ok := artIndex[f.Path]; ok && f.Path != "" {
			loc.PhysicalLocation.ArtifactLocation.Index = &i
		}
		if f.Offset != nil && *f.Offset >= 0 && f.Path != "" {
			loc.PhysicalLocation.Region = &sarifRegion{ByteOffset: *f.Offset}
		}
		res.Locations = []sarifLocation{loc}
		res.PartialFingerprints = map[string]string{FingerprintKey: fingerprint(f)}
		if f.Commit != "" {
			res.Properties = map[string]string{"commit": f.Commit}
		}
		results = append(results, res)
	}
	name := r.Tool.Name
	if name == "" {
		name = "shipgate"
	}
	log := sarifLog{
		Schema:  SARIFSchema,
		Version: "2.1.0",
		Runs: []sarifRun{{
			Tool:      sarifTool{Driver: sarifDriver{Name: name, Version: r.Tool.Version, Rules: rules}},
			Artifacts: arts,
			Results:   results,
		}},
	}
	return encode(w, log)
}

// FingerprintKey is the partialFingerprints key of every SARIF result: a
// hash of the finding's rule, path, commit, offset and message, so that
// two findings of one rule on one file (two blocklisted certificates, two
// tampered ranges) stay two alerts in GitHub code scanning.
const FingerprintKey = "shipgateFinding/v1"

// fingerprint is the value of FingerprintKey for f: the first 128 bits of
// the SHA-256 of its identifying fields, NUL-separated, in hex.
func fingerprint(f signing.Finding) string {
	off := ""
	if f.Offset != nil {
		off = strconv.FormatInt(*f.Offset, 10)
	}
	h := sha256.Sum256([]byte(strings.Join([]string{string(f.Rule), f.Path, f.Commit, off, f.Message}, "\x00")))
	return hex.EncodeToString(h[:16])
}

// lookupRule finds a rule's documentation; tests replace it.
var lookupRule = docs.Lookup

func describeRule(id string) sarifRule {
	d, ok := lookupRule(id)
	if !ok || d.Text == "" {
		return sarifRule{ID: id, ShortDescription: sarifMessage{Text: "shipgate rule " + id + " (undocumented)"}}
	}
	short := d.Summary
	if short == "" {
		short = id
	}
	first, _, _ := strings.Cut(d.Text, "\n\n")
	return sarifRule{
		ID:               id,
		ShortDescription: sarifMessage{Text: short},
		FullDescription:  &sarifMessage{Text: strings.Join(strings.Fields(first), " ")},
		Help:             &sarifHelp{Text: d.Text, Markdown: d.Text},
	}
}

func level(s signing.Severity) string {
	switch s {
	case signing.SeverityError:
		return "error"
	case signing.SeverityWarning:
		return "warning"
	}
	return "note"
}

// pathURI escapes each element of a "/"-separated relative path, colons
// too: url.PathEscape keeps them, and a first element with a colon ("a:b.exe",
// "https:", "C:", all legal in zip, tar and Unix names) would make the
// reference an absolute URI with a scheme, whose uriBaseId a viewer ignores
// (RFC 3986, section 4.2), showing the result elsewhere or dropping it.
func pathURI(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = strings.ReplaceAll(url.PathEscape(s), ":", "%3A")
	}
	return strings.Join(parts, "/")
}
