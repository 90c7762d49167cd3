package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/shipgate/shipgate/docs"
	model "github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

var update = flag.Bool("update", false, "rewrite golden files")

// sample is a hand-made report covering every field the writers print.
func sample() *verify.Report {
	at := time.Date(2023, 3, 13, 6, 41, 52, 0, time.UTC)
	id := &signing.Identity{
		Subject: "CN=3CX Ltd,O=3CX Ltd,L=London,C=GB", Issuer: "CN=DigiCert Trusted G4 Code Signing RSA4096 SHA384 2021 CA1,O=DigiCert\\, Inc.,C=US",
		Serial: "a1b2", SHA1: strings.Repeat("ab", 20), SHA256: strings.Repeat("cd", 32), SPKISHA256: strings.Repeat("ef", 32),
		TBS: signing.TBSHashes{SHA256: strings.Repeat("01", 32)}, NotBefore: at.AddDate(-1, 0, 0), NotAfter: at.AddDate(1, 0, 0),
	}
	off := int64(0x1234)
	r := &verify.Report{
		Tool: verify.Tool{Name: "shipgate", Version: "v1.2.3"},
		Files: []verify.File{
			{Path: "z/other file.txt", Size: 5, SHA256: testDigest(strings.Repeat("0", 64)), Kind: verify.KindOther},
			{Path: "app/3CXDesktopApp.exe", Size: 1 << 20, SHA256: testDigest(strings.Repeat("a", 64)), Kind: verify.KindPE, Signatures: []signing.Signature{{
				Format: signing.FormatAuthenticode, Index: 0, Status: signing.StatusRevoked,
				Digest:    &signing.Digest{Algorithm: "sha256", Signed: strings.Repeat("9", 64), Computed: strings.Repeat("9", 64)},
				Signer:    id,
				Chain:     []signing.Identity{*id},
				Timestamp: &signing.Timestamp{Time: at, Kind: signing.TimestampRFC3161, Authority: id, Verified: true},
				Checks:    []signing.Check{{Name: "digest", OK: true, Detail: "sha256 matches"}, {Name: "blocklist", OK: false, Detail: "leaf is blocklisted"}},
			}}},
			{Path: "mac/libffmpeg.dylib", Size: 4096, SHA256: testDigest(strings.Repeat("b", 64)), Kind: verify.KindMachOUniversal, Signatures: []signing.Signature{
				{Format: signing.FormatAppleCodesign, Index: 0, Arch: "x86_64", Status: signing.StatusAdhoc, Checks: []signing.Check{{Name: "identity", OK: false, Detail: "ad-hoc"}}},
				{Format: signing.FormatAppleCodesign, Index: 1, Arch: "arm64", Status: signing.StatusValid, Signer: id, Checks: []signing.Check{}},
			}},
		},
		Findings: []signing.Finding{
			{Rule: "signer/blocklisted", Severity: signing.SeverityError, Path: "app/3CXDesktopApp.exe", Message: "signed by a revoked certificate <3CX>", Signature: 0},
			{Rule: "authenticode/cert-table-padding", Severity: signing.SeverityError, Path: "app/3CXDesktopApp.exe", Message: "data after the PKCS#7 blob", Offset: &off},
			{Rule: "policy/adhoc-not-allowed", Severity: signing.SeverityWarning, Path: "mac/libffmpeg.dylib", Message: "the x86_64 slice is ad-hoc signed"},
			{Rule: "git/unsigned-protected-change", Severity: signing.SeverityNote, Message: "a commit changed a vendored library", Commit: strings.Repeat("f", 40)},
			{Rule: "file/symlink-escape", Severity: signing.SeverityError, Path: "z/link", Message: "points out"},
		},
	}
	r.Finalize(verify.FailOnError)
	return r
}

// twoAdded is a release diff adding two packages.
func twoAdded() *model.Diff {
	return &model.Diff{ReleaseDiff: &model.ReleaseDiff{Old: "1.0", New: "1.1",
		Added:   []model.PackageRef{{Path: "node_modules/a", Name: "a", Version: "1.0.0"}, {Path: "node_modules/b", Name: "b", Version: "2.0.0"}},
		Removed: []model.PackageRef{}, Updated: []model.PackageDelta{}, ChangedSameVersion: []model.PackageRef{},
		Binaries: []model.BinaryDelta{}, Files: []model.FileDelta{}, Fuses: []model.FuseDelta{}}}
}

func compileSchema(t *testing.T, name string, b []byte) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(name, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sarifSchema is the official SARIF 2.1.0 JSON Schema (OASIS, errata01).
func sarifSchema(t *testing.T) *jsonschema.Schema {
	b, err := os.ReadFile(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	return compileSchema(t, "sarif-schema-2.1.0.json", b)
}

func validate(t *testing.T, s *jsonschema.Schema, b []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(inst); err != nil {
		t.Errorf("schema validation: %v\n%s", err, b)
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update after checking):\n%s", name, got)
	}
}

func write(t *testing.T, r *verify.Report, f Format, opts Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, r, f, opts); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestJSON(t *testing.T) {
	r := sample()
	b := write(t, r, FormatJSON, Options{})
	golden(t, "sample.json", b)
	validate(t, compileSchema(t, "report.schema.json", JSONSchema), b)
	if !bytes.Equal(b, write(t, sample(), FormatJSON, Options{})) {
		t.Errorf("JSON is not deterministic")
	}
	var back verify.Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Files[0].Path != "app/3CXDesktopApp.exe" || back.Findings[0].Path != "" || back.Summary.Errors != 3 {
		t.Errorf("round trip: files sorted by path, findings by path then rule: %+v", back)
	}
	if strings.Contains(string(b), `\u003c`) {
		t.Errorf("HTML escaping in JSON output")
	}
	// The optional sections appear only when set.
	if strings.Contains(string(b), `"diff"`) || strings.Contains(string(b), `"commits"`) {
		t.Errorf("empty optional sections were written")
	}
	r.Diff = twoAdded()
	b = write(t, r, FormatJSON, Options{})
	if !strings.Contains(string(b), `"diff": {`) {
		t.Errorf("diff section missing:\n%s", b)
	}
	validate(t, compileSchema(t, "report.schema.json", JSONSchema), b)
}

func TestSARIF(t *testing.T) {
	// The golden file does not depend on docs/rules.md, which other rules'
	// authors edit.
	lookupRule = func(id string) (docs.Rule, bool) {
		if id == "file/symlink-escape" {
			return docs.Rule{}, false
		}
		return docs.Rule{ID: id, Summary: "Summary of " + id + ".", Text: "Summary of " + id + ". More.\n\nWhy it matters.\n\nHow to fix."}, true
	}
	b := write(t, sample(), FormatSARIF, Options{})
	lookupRule = docs.Lookup
	golden(t, "sample.sarif", b)
	validate(t, sarifSchema(t), b)
	if !strings.Contains(string(b), `"text": "shipgate rule file/symlink-escape (undocumented)"`) || !strings.Contains(string(b), `"fullDescription": {
                "text": "Summary of policy/adhoc-not-allowed. More."`) {
		t.Errorf("rule descriptions:\n%s", b)
	}
	b = write(t, sample(), FormatSARIF, Options{})
	validate(t, sarifSchema(t), b)
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID               string
						ShortDescription struct{ Text string }
					}
				}
			}
			Artifacts []struct{ Location struct{ URI string } }
			Results   []struct {
				RuleID    string
				RuleIndex int
				Level     string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI   string
							Index *int
						}
						Region *struct{ ByteOffset int64 }
					}
				}
			}
		}
	}
	if err := json.Unmarshal(b, &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if len(run.Results) != 5 || len(run.Tool.Driver.Rules) != 5 {
		t.Fatalf("%d results, %d rules; want one per finding and one per rule ID", len(run.Results), len(run.Tool.Driver.Rules))
	}
	for _, res := range run.Results {
		if run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %s points at rule %d", res.RuleID, res.RuleIndex)
		}
	}
	if run.Artifacts[2].Location.URI != "z/other%20file.txt" {
		t.Errorf("artifact URI not escaped: %q", run.Artifacts[2].Location.URI)
	}
	var padded bool
	for _, res := range run.Results {
		if res.RuleID == "authenticode/cert-table-padding" {
			l := res.Locations[0].PhysicalLocation
			padded = l.Region != nil && l.Region.ByteOffset == 0x1234 && l.ArtifactLocation.Index != nil && *l.ArtifactLocation.Index == 0
		}
	}
	if !padded {
		t.Errorf("offset finding lacks its byte region or artifact index")
	}
	for _, rule := range run.Tool.Driver.Rules {
		if rule.ID == "file/symlink-escape" && !strings.HasPrefix(rule.ShortDescription.Text, "A symbolic link") {
			t.Errorf("rule text not taken from docs/rules.md: %q", rule.ShortDescription.Text)
		}
	}
}

func TestSARIFEmpty(t *testing.T) {
	r := &verify.Report{Tool: verify.Tool{Name: "shipgate"}}
	r.Finalize("")
	b := write(t, r, FormatSARIF, Options{})
	validate(t, sarifSchema(t), b)
	j := write(t, r, FormatJSON, Options{})
	validate(t, compileSchema(t, "report.schema.json", JSONSchema), j)
	if !strings.Contains(string(j), `"files": []`) || !strings.Contains(string(j), `"findings": []`) {
		t.Errorf("empty lists must be written as []:\n%s", j)
	}
}

func TestText(t *testing.T) {
	r := sample()
	r.Diff = twoAdded()
	b := write(t, r, FormatText, Options{})
	golden(t, "sample.txt", b)
	if bytes.Contains(b, []byte("\x1b[")) {
		t.Errorf("colour without Color")
	}
	const verdict = "FAIL: 3 files (2 signed), 3 errors, 1 warning, 1 note\n"
	if !bytes.HasPrefix(b, []byte(verdict)) || !bytes.HasSuffix(b, []byte("\n\n"+verdict)) {
		t.Errorf("verdict line:\n%s", b)
	}
	if !bytes.Contains(b, []byte("diff 1.0 → 1.1\n  + a@1.0.0 (node_modules/a)\n  + b@2.0.0 (node_modules/b)\n")) {
		t.Errorf("text section not written")
	}
	c := write(t, r, FormatText, Options{Color: true})
	if !bytes.Contains(c, []byte(ansiRed)) {
		t.Errorf("no colour with Color")
	}
	r.Findings = nil
	r.Finalize(verify.FailOnError)
	if b := write(t, r, FormatText, Options{}); !bytes.Contains(b, []byte("PASS:")) {
		t.Errorf("pass verdict:\n%s", b)
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"": FormatText, "text": FormatText, "json": FormatJSON, "sarif": FormatSARIF} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("xml"); err == nil {
		t.Errorf("ParseFormat(xml): no error")
	}
}

// TestTextVerdictFirstAndLast: the verdict line opens the text report and
// closes it, for files, for a diff and for a passing run.
func TestTextVerdictFirstAndLast(t *testing.T) {
	diff := &verify.Report{Diff: twoAdded(), Findings: []signing.Finding{{Rule: "diff/x", Severity: signing.SeverityWarning, Path: "a", Message: "m"}}}
	diff.Finalize(verify.FailOnError)
	pass := sample()
	pass.Findings = nil
	pass.Finalize(verify.FailOnError)
	for _, c := range []struct {
		name string
		r    *verify.Report
		want string
	}{
		{"files", sample(), "FAIL: 3 files (2 signed), 3 errors, 1 warning, 1 note"},
		{"diff", diff, "PASS: 0 errors, 1 warning, 0 notes"},
		{"pass", pass, "PASS: 3 files (2 signed), 0 errors, 0 warnings, 0 notes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			lines := strings.Split(strings.TrimSuffix(string(write(t, c.r, FormatText, Options{})), "\n"), "\n")
			if lines[0] != c.want || lines[len(lines)-1] != c.want {
				t.Errorf("first %q, last %q, want %q", lines[0], lines[len(lines)-1], c.want)
			}
		})
	}
}

// TestTextGroupsFindingsBySeverity: errors, then warnings, then notes, each
// finding under its group's header with its path, rule and message, whatever
// the order of the report's findings.
func TestTextGroupsFindingsBySeverity(t *testing.T) {
	r := &verify.Report{Files: []verify.File{{Path: "a.exe", Kind: verify.KindPE}}, Findings: []signing.Finding{
		{Rule: "x/note", Severity: signing.SeverityNote, Path: "a.exe", Message: "n1"},
		{Rule: "x/warn", Severity: signing.SeverityWarning, Path: "b.dll", Message: "w1"},
		{Rule: "x/err", Severity: signing.SeverityError, Path: "c.dll", Message: "e1"},
		{Rule: "x/err", Severity: signing.SeverityError, Path: "a.exe", Message: "e2"},
	}}
	r.Finalize(verify.FailOnError)
	r.Findings[0], r.Findings[3] = r.Findings[3], r.Findings[0]
	b := string(write(t, r, FormatText, Options{}))
	want := []string{
		"errors (2)\n",
		"  a.exe  x/err: e2\n",
		"  c.dll  x/err: e1\n",
		"\nwarnings (1)\n",
		"  b.dll  x/warn: w1\n",
		"\nnotes (1)\n",
		"  a.exe  x/note: n1\n",
		"\nsigners\n",
	}
	at := 0
	for _, w := range want {
		i := strings.Index(b[at:], w)
		if i < 0 {
			t.Fatalf("%q missing or out of order:\n%s", w, b)
		}
		at += i + len(w)
	}
	if !bytes.Equal([]byte(b), write(t, r, FormatText, Options{})) {
		t.Errorf("text is not deterministic")
	}
}

// TestTextSignerTable: one row per signing identity in short form with its
// number of files and their statuses (the worst signature per file), then
// ad-hoc, signerless, unsigned code and non-code rows.
func TestTextSignerTable(t *testing.T) {
	acme := &signing.Identity{Subject: "CN=Developer ID Application: Acme Ltd (ACME123),OU=ACME123,O=Acme Ltd", Issuer: "CN=Apple", TeamID: "ACME123"}
	fab := &signing.Identity{Subject: "CN=Fabrikam Code Signing,O=Fabrikam\\, Inc.,C=US", Issuer: "CN=Root"}
	fake := &signing.Identity{Subject: "CN=Fabrikam Code Signing,O=Fabrikam\\, Inc.,C=US", Issuer: "CN=Other CA"}
	sig := func(id *signing.Identity, st signing.Status) signing.Signature {
		return signing.Signature{Format: signing.FormatAuthenticode, Status: st, Signer: id}
	}
	r := &verify.Report{Files: []verify.File{
		{Path: "a", Kind: verify.KindMachOUniversal, Signatures: []signing.Signature{sig(acme, signing.StatusValid), sig(acme, signing.StatusInvalid)}},
		{Path: "b", Kind: verify.KindMachO, Signatures: []signing.Signature{sig(acme, signing.StatusValid)}},
		{Path: "c", Kind: verify.KindMachO, Signatures: []signing.Signature{sig(acme, signing.StatusValid), sig(nil, signing.StatusAdhoc)}},
		{Path: "d.dll", Kind: verify.KindPE, Signatures: []signing.Signature{sig(fab, signing.StatusRevoked)}},
		{Path: "e.dll", Kind: verify.KindPE, Signatures: []signing.Signature{sig(fake, signing.StatusValid)}},
		{Path: "f.dll", Kind: verify.KindPE, Signatures: []signing.Signature{sig(nil, signing.StatusMalformed)}},
		{Path: "g.dll", Kind: verify.KindPE},
		{Path: "h.dll", Kind: verify.KindPE, Signatures: []signing.Signature{sig(nil, signing.StatusUnsigned)}},
		{Path: "i.js", Kind: verify.KindOther},
		{Path: "j.txt", Kind: verify.KindOther},
		{Path: "k.txt", Kind: verify.KindOther},
	}}
	r.Finalize(verify.FailOnError)
	b := string(write(t, r, FormatText, Options{}))
	_, table, _ := strings.Cut(b, "\nsigners\n")
	table, _, _ = strings.Cut(table, "\n\n")
	want := `  Developer ID Application: Acme Ltd (ACME123)                 3 files  2 valid, 1 invalid
  Fabrikam Code Signing (Fabrikam, Inc.), issuer Other CA      1 file   1 valid
  Fabrikam Code Signing (Fabrikam, Inc.), issuer Root          1 file   1 revoked
  (ad-hoc)                                                     1 file   1 adhoc
  (no signer)                                                  1 file   1 malformed
  (unsigned code)                                              2 files
  (not code, no signature)                                     3 files`
	if table != want {
		t.Errorf("signer table:\n%s\nwant:\n%s\nreport:\n%s", table, want, b)
	}
}

// TestTextSignatureBlocks: a file without findings and with good signatures
// shows its signature block only with Verbose; a file with findings, or with
// a failed signature, always shows it.
func TestTextSignatureBlocks(t *testing.T) {
	id := &signing.Identity{Subject: "CN=Acme", Issuer: "CN=Root"}
	sig := func(st signing.Status) []signing.Signature {
		return []signing.Signature{{Format: signing.FormatAuthenticode, Status: st, Signer: id}}
	}
	r := &verify.Report{
		Files: []verify.File{
			{Path: "quiet.dll", Kind: verify.KindPE, Signatures: sig(signing.StatusValid)},
			{Path: "noisy.dll", Kind: verify.KindPE, Signatures: sig(signing.StatusValid)},
			{Path: "broken.dll", Kind: verify.KindPE, Signatures: sig(signing.StatusInvalid)},
			{Path: "plain.txt", Kind: verify.KindOther},
		},
		Findings: []signing.Finding{{Rule: "x/y", Severity: signing.SeverityWarning, Path: "noisy.dll", Message: "m"}},
	}
	r.Finalize(verify.FailOnError)
	for _, verbose := range []bool{false, true} {
		b := string(write(t, r, FormatText, Options{Verbose: verbose}))
		for _, c := range []struct {
			path string
			want bool
		}{{"quiet.dll", verbose}, {"noisy.dll", true}, {"broken.dll", true}, {"plain.txt", false}} {
			if got := strings.Contains(b, "\n"+c.path+"  "); got != c.want {
				t.Errorf("verbose %v: block of %s shown %v, want %v:\n%s", verbose, c.path, got, c.want, b)
			}
		}
		if n := strings.Count(b, "  signature 0  authenticode"); verbose && n != 3 || !verbose && n != 2 {
			t.Errorf("verbose %v: %d signature blocks:\n%s", verbose, n, b)
		}
	}
}

// TestJSONStreamedFilesMatchEncoder: the JSON report, written a file at a
// time, is byte for byte what encoding/json writes for the whole report,
// with files carrying signatures, HTML characters and a finding whose
// message holds the files key itself.
func TestJSONStreamedFilesMatchEncoder(t *testing.T) {
	r := sample()
	r.Files = append(r.Files, verify.File{Path: "a/<b>&c.txt", Size: 1, SHA256: testDigest(strings.Repeat("0", 64)), Kind: "other"})
	r.Findings = append(r.Findings, signing.Finding{Rule: "file/malformed", Severity: signing.SeverityError, Path: "x", Message: "\n  \"files\": [] is not a key"})
	for name, r := range map[string]*verify.Report{"sample": r, "no files": {}} {
		var whole, streamed bytes.Buffer
		if err := encode(&whole, r); err != nil {
			t.Fatal(err)
		}
		if err := JSON(&streamed, r); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(whole.Bytes(), streamed.Bytes()) {
			t.Errorf("%s: streamed JSON differs:\n%s\nwant:\n%s", name, streamed.Bytes(), whole.Bytes())
		}
	}
}

// testDigest parses a SHA-256 written as hex in a test.
func testDigest(s string) model.Digest {
	d, err := model.ParseDigest(s)
	if err != nil {
		panic(err)
	}
	return d
}
