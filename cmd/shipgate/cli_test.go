package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/verify"
)

// verbs returns every registered verb, sorted.
func verbs() []string {
	var vs []string
	for v := range commands {
		vs = append(vs, v)
	}
	slices.Sort(vs)
	return vs
}

// checkUsageError asserts a one-line usage error naming want, then the hint
// to the verb's help, and exit status 2.
func checkUsageError(t *testing.T, code int, stdout, stderr, verb, want string) {
	t.Helper()
	if code != exitError {
		t.Errorf("exit %d, want 2", code)
	}
	if stdout != "" {
		t.Errorf("stdout %q, want nothing", stdout)
	}
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	hint := "run 'shipgate --help' for the commands"
	if verb != "" {
		hint = "run 'shipgate " + verb + " --help' for usage"
	}
	if len(lines) != 2 || !strings.Contains(lines[0], want) || lines[1] != hint {
		t.Errorf("stderr %q, want one line with %q and the hint %q", stderr, want, hint)
	}
}

func TestHelpOnStdout(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		code, out, errOut := runCLI(t, args...)
		if code != exitPass || !strings.HasPrefix(out, "usage: shipgate <command>") || errOut != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
		for _, v := range verbs() {
			if !strings.Contains(out, "\n  "+v+" ") {
				t.Errorf("%v does not list %s", args, v)
			}
		}
	}
	for _, v := range verbs() {
		for _, args := range [][]string{{v, "--help"}, {v, "-h"}, {"help", v}} {
			code, out, errOut := runCLI(t, args...)
			if code != exitPass || !strings.HasPrefix(out, "usage: shipgate "+v) || errOut != "" {
				t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
			}
		}
	}
}

func TestFlagsAfterArguments(t *testing.T) {
	t.Parallel()
	for _, v := range verbs() {
		// --help after a positional argument is still a flag ...
		code, out, errOut := runCLI(t, v, "ARG", "--help")
		if code != exitPass || !strings.HasPrefix(out, "usage: shipgate "+v) {
			t.Errorf("%s ARG --help: exit %d, stdout %q, stderr %q", v, code, out, errOut)
		}
		// ... and after "--" it is an argument.
		code, out, _ = runCLI(t, v, "--", "--help")
		if code != exitError || strings.Contains(out, "usage:") {
			t.Errorf("%s -- --help: exit %d, stdout %q", v, code, out)
		}
	}

	dir, roots := verifyFixture(t)
	_, before, _ := runCLI(t, "verify", "--roots", roots, "--format", "json", dir)
	code, after, errOut := runCLI(t, "verify", dir, "--roots", roots, "--format", "json")
	if code != exitPass || after != before || !strings.HasPrefix(after, "{") {
		t.Errorf("verify DIR --format json: exit %d, stderr %q, output differs from verify --format json DIR", code, errOut)
	}
	// "--" ends the flags: "-o" is then a path, which does not exist.
	code, _, errOut = runCLI(t, "verify", dir, "--", "-o")
	if code != exitError || !strings.Contains(errOut, "stat -o:") {
		t.Errorf("verify DIR -- -o: exit %d, stderr %q", code, errOut)
	}
}

func TestUnknownVerbOrFlag(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, "frobnicate")
	checkUsageError(t, code, out, errOut, "", `unknown command "frobnicate"`)
	code, out, errOut = runCLI(t, "--frobnicate")
	checkUsageError(t, code, out, errOut, "", `unknown flag "--frobnicate"`)
	for _, v := range verbs() {
		code, out, errOut := runCLI(t, v, "--frobnicate")
		checkUsageError(t, code, out, errOut, v, "shipgate: "+v+": flag provided but not defined: -frobnicate")
		code, out, errOut = runCLI(t, v, "ARG", "--frobnicate")
		checkUsageError(t, code, out, errOut, v, "flag provided but not defined: -frobnicate")
	}
}

func TestMissingRequiredFlag(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"verify"}, "verify: a PATH is required"},
		{[]string{"diff", "old"}, "diff: want OLD and NEW, got 1 argument"},
		{[]string{"diff", "--shasums", "S", "old"}, "diff: --shasums needs --upstream"},
		{[]string{"sbom"}, "sbom: want one PATH, got 0 arguments"},
		{[]string{"git-audit", "--protect", "vendor/**"}, "git-audit: --since is required"},
		{[]string{"git-audit", "--since", "v1", "--repo", ""}, "git-audit: --repo is required"},
		{[]string{"git-audit", "--since", "v1", "extra"}, `git-audit: unexpected argument "extra"`},
		{[]string{"attest", "--report", "r.json"}, "attest: --key is required"},
		{[]string{"attest", "--key", "k.pem"}, "attest: --report is required"},
		{[]string{"verify-attestation", "env.json"}, "verify-attestation: --pub is required"},
		{[]string{"verify-attestation", "--pub", "p.pem"}, "verify-attestation: exactly one ENVELOPE is required"},
		{[]string{"verify-blob", "--trusted-root", "r.json", "f"}, "verify-blob: --bundle is required"},
		{[]string{"verify-blob", "--bundle", "b.json", "f"}, "verify-blob: --trusted-root is required"},
		{[]string{"demo", "extra"}, `demo: unexpected argument "extra"`},
		{[]string{"version", "extra"}, `version: unexpected argument "extra"`},
	} {
		code, out, errOut := runCLI(t, c.args...)
		checkUsageError(t, code, out, errOut, c.args[0], "shipgate: "+c.want)
	}
}

// TestErrorsNameEachContextOnce: every verb's errors are one line that names
// the verb once, then the path as the user wrote it.
func TestErrorsNameEachContextOnce(t *testing.T) {
	dir, _ := verifyFixture(t)
	t.Chdir(t.TempDir())
	os.WriteFile("junk.txt", []byte("not a blocklist\n"), 0o644)
	tested := map[string]bool{"version": true} // version cannot fail
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"verify", "--blocklist", "missing.csv", dir}, "shipgate: verify: blocklist: open missing.csv: no such file or directory\n"},
		{[]string{"verify", "--blocklist", "junk.txt", dir}, "shipgate: verify: blocklist: junk.txt: offset 0 (0x0): unrecognized blocklist format"},
		{[]string{"verify", "nope"}, "shipgate: verify: input: stat nope: no such file or directory\n"},
		{[]string{"attest", "--key", "missing.pem", "--report", "junk.txt"}, "shipgate: attest: open missing.pem: no such file or directory\n"},
		{[]string{"attest", "--key", "junk.txt", "--report", "junk.txt"}, "shipgate: attest: junk.txt: unusable key: "},
		{[]string{"diff", "nope", "nope2"}, "shipgate: diff: stat nope: no such file or directory\n"},
		{[]string{"diff", "junk.txt", "junk.txt"}, "shipgate: diff: junk.txt: not a release "},
		{[]string{"diff", "--upstream", "nope.zip", "junk.txt"}, "shipgate: diff: junk.txt: not a release "},
		{[]string{"sbom", "nope"}, "shipgate: sbom: stat nope: no such file or directory\n"},
		{[]string{"render", "nope.json"}, "shipgate: render: open nope.json: no such file or directory\n"},
		{[]string{"render", "junk.txt"}, "shipgate: render: junk.txt: report: not a shipgate JSON report: "},
		{[]string{"verify-attestation", "--any-subject", "--pub", "junk.txt", "env"}, "shipgate: verify-attestation: junk.txt: attest: unusable key: "},
		{[]string{"verify-blob", "--bundle", "b", "--trusted-root", "r", "--key", "missing.pem", "f"}, "shipgate: verify-blob: open missing.pem: no such file or directory\n"},
		{[]string{"git-audit", "--since", "v1", "--protect", "a", "--policy", "nope.yaml"}, "shipgate: git-audit: open nope.yaml: no such file or directory\n"},
		{[]string{"git-audit", "--repo", "nope", "--since", "v1", "--protect", "a"}, "shipgate: git-audit: git: open nope: "},
		{[]string{"trusted-root", "--tuf-root", "nope.json"}, "shipgate: trusted-root: open nope.json: no such file or directory\n"},
		{[]string{"blocklist", "update", "--out", "lists", "--sources", "nope.json"}, "shipgate: blocklist: open nope.json: no such file or directory\n"},
		{[]string{"demo", "--keep", "junk.txt"}, "shipgate: demo: mkdir junk.txt: not a directory\n"},
	} {
		code, _, errOut := runCLI(t, c.args...)
		if code != exitError || !strings.HasPrefix(errOut, c.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, errOut, c.want)
		}
		if n := strings.Count(errOut, c.args[0]+": "); n != 1 {
			t.Errorf("%v: stderr %q names the verb %d times", c.args, errOut, n)
		}
		if c.args[0] == "diff" && strings.Contains(errOut, "sbom: ") {
			t.Errorf("%v: stderr %q names the inventory as a context of the diff", c.args, errOut)
		}
		tested[c.args[0]] = true
	}
	for _, v := range verbs() {
		if !tested[v] {
			t.Errorf("verb %s has no error case", v)
		}
	}
}

// TestPolicyPathsRelativeToPolicyFile runs verify from another directory
// with a policy naming its roots and blocklist by relative paths.
func TestPolicyPathsRelativeToPolicyFile(t *testing.T) {
	dir, roots := verifyFixture(t)
	polDir := filepath.Dir(roots)
	pol := filepath.Join(polDir, "policy.yaml")
	os.WriteFile(pol, []byte("trust:\n  roots: [root.pem]\n"), 0o644)
	t.Chdir(t.TempDir())
	code, out, errOut := runCLI(t, "verify", "--policy", pol, "--format", "json", dir)
	var r verify.Report
	if err := json.Unmarshal([]byte(out), &r); code != exitPass || err != nil {
		t.Fatalf("exit %d, %v, stderr %s", code, err, errOut)
	}
	if r.Summary.Signed != 1 || r.Summary.Warnings != 2 {
		t.Errorf("summary %+v: root.pem beside the policy was not trusted", r.Summary)
	}
	os.WriteFile(pol, []byte("blocklists:\n  files: [lists/missing.csv]\n"), 0o644)
	code, _, errOut = runCLI(t, "verify", "--policy", pol, dir)
	if want := filepath.Join(polDir, "lists", "missing.csv"); code != exitError || !strings.Contains(errOut, "open "+want+":") {
		t.Errorf("exit %d, stderr %q, want the blocklist at %s", code, errOut, want)
	}
}

func TestPolicySeverityUnknownRule(t *testing.T) {
	t.Parallel()
	dir, roots := verifyFixture(t)
	pol := filepath.Join(t.TempDir(), "p.yaml")
	for _, c := range []struct {
		severity string
		want     string // "" when the policy is accepted
	}{
		{"authenticode/no-such-rule: off", `p.yaml:3: severity: unknown rule "authenticode/no-such-rule"`},
		{"nosuchfamily/*: off", `p.yaml:3: severity: unknown rule "nosuchfamily/*"`},
		{"policy/unsigned: off", ""},
		{"authenticode/*: note", ""},
	} {
		os.WriteFile(pol, []byte("failOn: error\nseverity:\n  "+c.severity+"\n"), 0o644)
		code, _, errOut := runCLI(t, "verify", "--policy", pol, "--roots", roots, dir)
		if c.want == "" {
			if code != exitPass {
				t.Errorf("%s: exit %d, stderr %q", c.severity, code, errOut)
			}
		} else if code != exitError || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, stderr %q, want %q", c.severity, code, errOut, c.want)
		}
	}
}

func TestFailOnHelpListsNote(t *testing.T) {
	t.Parallel()
	n := 0
	for _, v := range verbs() {
		_, out, _ := runCLI(t, v, "--help")
		if !strings.Contains(out, "-fail-on") {
			continue
		}
		n++
		if !strings.Contains(out, "[--fail-on error|warning|note|never]") || !regexp.MustCompile(`-fail-on string\n\s+lowest finding severity that fails the gate: error, warning, note or never`).MatchString(out) {
			t.Errorf("%s --help does not list note for --fail-on:\n%s", v, out)
		}
	}
	if n < 3 {
		t.Errorf("only %d verbs have --fail-on", n)
	}
}

func TestPEFileMessage(t *testing.T) {
	t.Parallel()
	dir, roots := verifyFixture(t)
	_, out, _ := runCLI(t, "verify", "--roots", roots, dir)
	if !strings.Contains(out, "PE file carries no signature") || strings.Contains(out, "Pe file") {
		t.Errorf("report:\n%s", out)
	}
}

func TestSummaryFitsVerb(t *testing.T) {
	t.Parallel()
	d := t.TempDir()
	// Two releases (a file that is no release is an error: see sbom.Open).
	a, b := filepath.Join(d, "a"), filepath.Join(d, "b")
	os.MkdirAll(a, 0o755)
	os.MkdirAll(b, 0o755)
	os.WriteFile(filepath.Join(a, "x.txt"), []byte("a"), 0o644)
	os.WriteFile(filepath.Join(b, "x.txt"), []byte("b"), 0o644)
	_, out, _ := runCLI(t, "diff", a, b)
	if strings.Contains(out, "signed)") || !regexp.MustCompile(`(?m)^(PASS|FAIL): \d+ errors?, \d+ warnings?, \d+ notes?\n$`).MatchString(out) {
		t.Errorf("diff summary:\n%s", out)
	}
	repo, since := gitFixture(t)
	_, out, errOut := runCLI(t, "git-audit", "--repo", repo, "--since", since, "--protect", "vendor/**")
	if strings.Contains(out, "signed)") || !regexp.MustCompile(`(?m)^(PASS|FAIL): \d+ errors?, \d+ warnings?, \d+ notes?\n$`).MatchString(out) {
		t.Errorf("git-audit summary:\n%s%s", out, errOut)
	}
}

// gitFixture makes a repository of two commits, the second changing
// vendor/lib.c, and returns its directory and the first commit.
func gitFixture(t *testing.T) (dir, first string) {
	t.Helper()
	dir = t.TempDir()
	r, err := gogit.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := r.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	when := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	commit := func(msg string, files map[string]string) string {
		for name, c := range files {
			p := filepath.Join(dir, filepath.FromSlash(name))
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := wt.Add(name); err != nil {
				t.Fatal(err)
			}
		}
		when = when.Add(time.Hour)
		sig := &object.Signature{Name: "Dev", Email: "dev@example.com", When: when}
		h, err := wt.Commit(msg, &gogit.CommitOptions{Author: sig, Committer: sig})
		if err != nil {
			t.Fatal(err)
		}
		return h.String()
	}
	first = commit("first", map[string]string{"README": "hello\n", "vendor/lib.c": "int x;\n"})
	commit("second", map[string]string{"vendor/lib.c": "int y;\n"})
	return dir, first
}

func TestGitAuditNothingToAudit(t *testing.T) {
	t.Parallel()
	repo, since := gitFixture(t)
	code, out, errOut := runCLI(t, "git-audit", "--repo", repo, "--since", since)
	checkUsageError(t, code, out, errOut, "git-audit", "shipgate: git-audit: nothing to audit")
}

// TestGitAuditArtifactCheckout compares a checkout with the tree it was
// checked out from: its .git directory is no part of the release, and the
// report says how many files matched.
func TestGitAuditArtifactCheckout(t *testing.T) {
	t.Parallel()
	repo, since := gitFixture(t)
	code, out, errOut := runCLI(t, "git-audit", "--repo", repo, "--since", since, "--artifact", repo)
	if code != exitPass || strings.Contains(out, ".git/") {
		t.Errorf("exit %d, stderr %q, report:\n%s", code, errOut, out)
	}
	if want := "artifact " + repo + ": 2 of its 2 files match the tree at "; !strings.Contains(out, want) {
		t.Errorf("report does not say %q:\n%s", want, out)
	}
	if !strings.Contains(out, ": 1 commit, no protected paths to audit it for\n") {
		t.Errorf("report does not say that no path is protected:\n%s", out)
	}
	os.WriteFile(filepath.Join(repo, "extra.txt"), []byte("x"), 0o644)
	code, out, _ = runCLI(t, "git-audit", "--repo", repo, "--since", since, "--artifact", repo)
	if code != exitFail || !strings.Contains(out, ": 2 of its 3 files match") || !strings.Contains(out, "extra.txt is in the artifact but not in the tree") {
		t.Errorf("exit %d, report:\n%s", code, out)
	}
}

// fakeBuildInfo makes version() read info for the rest of the test.
func fakeBuildInfo(t *testing.T, info *debug.BuildInfo) {
	old := readBuildInfo
	readBuildInfo = func() (*debug.BuildInfo, bool) { return info, info != nil }
	t.Cleanup(func() { readBuildInfo = old })
}

func TestVersionFromBuildInfo(t *testing.T) {
	for _, c := range []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"module version", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3"},
		{"checkout, clean", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "false"}}}, "0.0.0-0123456789ab"},
		{"checkout, modified", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}}, "0.0.0-0123456789ab+dirty"},
		{"nothing known", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, ""},
		{"no build info", nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			fakeBuildInfo(t, c.info)
			if got := version(); got != c.want {
				t.Errorf("version() = %q, want %q", got, c.want)
			}
			code, out, _ := runCLI(t, "version")
			want := "shipgate " + c.want + "\n"
			if c.want == "" {
				want = "shipgate (unknown: built without a module version or VCS information"
			}
			if code != exitPass || !strings.HasPrefix(out, want) {
				t.Errorf("shipgate version: exit %d, %q, want %q", code, out, want)
			}
			if code, out2, _ := runCLI(t, "--version"); code != exitPass || out2 != out {
				t.Errorf("--version: exit %d, %q", code, out2)
			}
		})
	}
}

// TestAttestationVersion checks the tool version recorded in a report and
// its attestation: the build's when known, else none, and never "devel".
func TestAttestationVersion(t *testing.T) {
	dir, roots := verifyFixture(t)
	key := newAttestFixture(t, testpki.Key(testpki.ECDSA, 0)).key
	for _, v := range []string{"v1.2.3", "(devel)"} {
		fakeBuildInfo(t, &debug.BuildInfo{Main: debug.Module{Version: v}})
		env := filepath.Join(t.TempDir(), "env.json")
		code, out, errOut := runCLI(t, "verify", "--roots", roots, "--format", "json", "--attest-key", key, "--attest-out", env, dir)
		if code != exitPass {
			t.Fatalf("%s: exit %d, %s", v, code, errOut)
		}
		var r verify.Report
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		payload, _ := envelopeStatement(t, env)
		compact := strings.Join(strings.Fields(string(payload)), "")
		if strings.Contains(compact, "devel") || strings.Contains(out, "devel") {
			t.Errorf("%s: devel in the report or the attestation:\n%s", v, payload)
		}
		if v == "v1.2.3" && (r.Tool.Version != v || !strings.Contains(compact, `"shipgate":"v1.2.3"`)) {
			t.Errorf("report version %q; attestation:\n%s", r.Tool.Version, payload)
		}
		if v == "(devel)" && (r.Tool.Version != "" || strings.Contains(compact, `"version":{`)) {
			t.Errorf("a version recorded though none is known: report %q; attestation:\n%s", r.Tool.Version, payload)
		}
	}
}

// synopsisOrder is the order of the verbs in README.md's synopsis.
var synopsisOrder = []string{"verify", "diff", "sbom", "git-audit", "render", "attest", "verify-attestation", "verify-blob", "trusted-root", "blocklist", "demo", "version"}

// synopsis returns the usage lines of verb's --help (up to the first blank
// line), without "usage: ".
func synopsis(t *testing.T, verb string) string {
	t.Helper()
	_, out, _ := runCLI(t, verb, "--help")
	head, _, _ := strings.Cut(out, "\n\n")
	var b strings.Builder
	for i, l := range strings.Split(head, "\n") {
		if i == 0 {
			l = strings.TrimPrefix(l, "usage: ")
		} else {
			l = strings.TrimPrefix(l, "       ")
		}
		b.WriteString(l + "\n")
	}
	return b.String()
}

// TestUsageNamesEveryFlag checks that each verb's usage lines name every
// flag the verb defines.
func TestUsageNamesEveryFlag(t *testing.T) {
	t.Parallel()
	flagLine := regexp.MustCompile(`(?m)^  -(\S+)`)
	for _, v := range verbs() {
		_, out, _ := runCLI(t, v, "--help")
		syn := synopsis(t, v)
		for _, m := range flagLine.FindAllStringSubmatch(out, -1) {
			name := "--" + m[1]
			if len(m[1]) == 1 {
				name = "-" + m[1]
			}
			if !regexp.MustCompile(`[\[( ]` + regexp.QuoteMeta(name) + `[\]) |]`).MatchString(syn + " ") {
				t.Errorf("the usage of %s does not name %s:\n%s", v, name, syn)
			}
		}
	}
}

// TestHelpGivesExitStatus: every verb's --help says what its exit statuses
// mean, except version's, which cannot fail.
func TestHelpGivesExitStatus(t *testing.T) {
	t.Parallel()
	for _, v := range verbs() {
		if _, out, _ := runCLI(t, v, "--help"); v != "version" && !strings.Contains(out, "\nexit status: 0 ") {
			t.Errorf("%s --help does not give the exit status:\n%s", v, out)
		}
	}
}

// TestREADMESynopsis keeps README.md's synopsis the CLI's: every verb's
// usage lines, in synopsisOrder.
func TestREADMESynopsis(t *testing.T) {
	t.Parallel()
	if !slices.Equal(slices.Sorted(slices.Values(synopsisOrder)), verbs()) {
		t.Fatalf("synopsisOrder %v does not list the verbs %v", synopsisOrder, verbs())
	}
	var want strings.Builder
	want.WriteString("```\n")
	for _, v := range synopsisOrder {
		want.WriteString(synopsis(t, v))
	}
	want.WriteString("```\n")
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), want.String()) {
		t.Errorf("README.md does not hold the synopsis of shipgate's usage; want\n%s", want.String())
	}
	// README.md says what a PATH may be as verify --help does.
	if flat := strings.Join(strings.Fields(strings.ReplaceAll(string(b), "`", "")), " "); !strings.Contains(flat, releaseKinds) {
		t.Errorf("README.md does not say, as verify --help does:\n%s", releaseKinds)
	}
	if _, out, _ := runCLI(t, "verify", "--help"); !strings.Contains(out, "\n"+releaseKinds+"\n") {
		t.Errorf("verify --help does not say what a PATH may be:\n%s", out)
	}
	// The package comment of main.go holds it too.
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	var doc strings.Builder
	for _, v := range synopsisOrder {
		for _, l := range strings.SplitAfter(strings.TrimSuffix(synopsis(t, v), "\n"), "\n") {
			doc.WriteString("//\t" + l)
		}
		doc.WriteString("\n")
	}
	if !strings.Contains(string(src), doc.String()) {
		t.Errorf("main.go's package comment does not hold the synopsis; want\n%s", doc.String())
	}
}
