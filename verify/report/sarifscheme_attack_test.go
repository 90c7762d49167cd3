package report

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

// TestAttackSARIFPathWithScheme: a release file named "https:" (a folder)
// or "a:b.exe" — a colon is legal in zip, tar and Unix names — became the
// SARIF artifact URI "https:/evil.example/y.exe" or "a:b.exe": a URI with a
// scheme, which is absolute, so its uriBaseId is ignored. A viewer then
// shows the error at the attacker's address, or drops the result as not in
// the repository. Every location now resolves below %SRCROOT%.
func TestAttackSARIFPathWithScheme(t *testing.T) {
	paths := []string{"https:/evil.example/y.exe", "a:b.exe", "C:/Windows/x.dll", "dir/c:d.dll", "ok.dll"}
	r := &verify.Report{Tool: verify.Tool{Name: "shipgate"}}
	for _, p := range paths {
		r.Files = append(r.Files, verify.File{Path: p, Kind: verify.KindPE, SHA256: testDigest(strings.Repeat("a", 64))})
		r.Findings = append(r.Findings, signing.Finding{Rule: "policy/unsigned", Severity: signing.SeverityError, Path: p, Message: "unsigned", Signature: -1})
	}
	r.Finalize("")
	b := write(t, r, FormatSARIF, Options{})
	validate(t, sarifSchema(t), b)
	var log struct {
		Runs []struct {
			Artifacts []struct{ Location struct{ URI string } }
			Results   []struct {
				Locations []struct {
					PhysicalLocation struct{ ArtifactLocation struct{ URI string } }
				}
			}
		}
	}
	if err := json.Unmarshal(b, &log); err != nil {
		t.Fatal(err)
	}
	var uris []string
	for _, a := range log.Runs[0].Artifacts {
		uris = append(uris, a.Location.URI)
	}
	for _, res := range log.Runs[0].Results {
		uris = append(uris, res.Locations[0].PhysicalLocation.ArtifactLocation.URI)
	}
	if len(uris) != 2*len(paths) {
		t.Fatalf("%d URIs, want %d:\n%s", len(uris), 2*len(paths), b)
	}
	base, _ := url.Parse("file:///src/")
	got := map[string]bool{}
	for _, u := range uris {
		ref, err := url.Parse(u)
		if err != nil {
			t.Errorf("URI %q: %v", u, err)
			continue
		}
		abs := base.ResolveReference(ref)
		if ref.Scheme != "" || ref.Host != "" || abs.Scheme != "file" || !strings.HasPrefix(abs.Path, "/src/") {
			t.Errorf("URI %q resolves to %s, not below %s", u, abs, base)
			continue
		}
		got[strings.TrimPrefix(abs.Path, "/src/")] = true
	}
	for _, p := range paths {
		if !got[p] {
			t.Errorf("no location names %q (got %v)", p, got)
		}
	}
}
