package report

import (
	"bytes"
	"strings"
	"testing"
	"unicode"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

// runnerCommand reports whether GitHub Actions' runner would take line
// for a workflow command (actions/runner ActionCommand.TryParseV2 and
// TryParse): "::" after leading white space, or "##[" anywhere; or Azure
// Pipelines' agent for a logging command ("##vso[" anywhere).
func runnerCommand(line string) bool {
	return strings.HasPrefix(strings.TrimLeftFunc(line, unicode.IsSpace), "::") || strings.Contains(line, "##[") || strings.Contains(line, "##vso[")
}

// TestAttackTextWorkflowCommands: the GitHub Action prints the text report
// to the job's log (action/run.sh), and the runner reads workflow commands
// from it. A release file named "::debug::evil.exe" had its finding and
// file lines swallowed as debug messages, hidden from the log; one named
// "a##[group]b.dll" folded the rest of the log, final verdict included,
// into a closed group; a signer named "::debug::…" hid its signer row.
// Azure Pipelines reads "##vso[…]" anywhere in a line the same way
// ("##vso[task.setvariable …]" sets a variable for later steps). No line
// of the text report is a CI command now.
func TestAttackTextWorkflowCommands(t *testing.T) {
	for in, want := range map[string]string{
		"::debug::evil.exe":    `\x3a:debug::evil.exe`,
		" \u3000::group::x":    " \u3000\\x3a:group::x",
		"a##[debug]b.dll":      `a\x23#[debug]b.dll`,
		"###[x]##[y]":          `#\x23#[x]\x23#[y]`,
		"ok::name":             "ok::name",
		"#[x] and # [y] fine":  "#[x] and # [y] fine",
		"\t::add-mask::FAIL":   `\x09\x3a:add-mask::FAIL`,
		"::\x1b[2K":            `\x3a:\x1b[2K`,
		"CN=Acme ##[endgroup]": `CN=Acme \x23#[endgroup]`,
		"x##vso[task.setvariable variable=passed]true": `x\x23#vso[task.setvariable variable=passed]true`,
		"##teamcity[buildStatus status='SUCCESS']":     `\x23#teamcity[buildStatus status='SUCCESS']`,
		"## 1 and #1 and ##":                           "## 1 and #1 and ##",
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
	id := &signing.Identity{Subject: "CN=::debug::Acme", Issuer: "CN=Root ##[stop-commands]tok ##vso[task.complete result=Succeeded]"}
	r := &verify.Report{Tool: verify.Tool{Name: "shipgate"}}
	for _, p := range []string{"::debug::evil.exe", "a##[group]b.dll", "\u2003::add-mask::FAIL"} {
		r.Files = append(r.Files, verify.File{Path: p, Kind: verify.KindPE, SHA256: testDigest(strings.Repeat("a", 64)),
			Signatures: []signing.Signature{{Format: signing.FormatAuthenticode, Status: signing.StatusInvalid, Signer: id,
				Checks: []signing.Check{{Name: "::debug::check", Detail: "##[debug]bad"}}}}})
		r.Findings = append(r.Findings, signing.Finding{Rule: "policy/bad-signature", Severity: signing.SeverityError, Path: p, Message: "##[debug]broken", Signature: -1})
	}
	r.Findings = append(r.Findings, signing.Finding{Rule: "::debug::x", Severity: signing.SeverityError, Message: "pathless", Signature: -1})
	r.Finalize("")
	for _, color := range []bool{false, true} {
		b := write(t, r, FormatText, Options{Color: color, Verbose: true})
		for _, line := range strings.Split(string(b), "\n") {
			if runnerCommand(line) {
				t.Errorf("color %v: a workflow command: %q", color, line)
			}
		}
		if !bytes.Contains(b, []byte(`\x3a:debug::evil.exe`)) {
			t.Errorf("color %v: the file is not named:\n%s", color, b)
		}
	}
}
