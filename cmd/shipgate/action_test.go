package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	model "github.com/shipgate/shipgate/report"
)

// TestMain lets the test binary stand in for the shipgate CLI when a test
// runs a script that calls it (action/run.sh).
func TestMain(m *testing.M) {
	if os.Getenv("SHIPGATE_TEST_AS_CLI") == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	code := m.Run()
	if keptDemo.root != "" {
		os.RemoveAll(keptDemo.root)
	}
	os.Exit(code)
}

// runAction runs action/run.sh as a GitHub runner would, with the inputs as
// INPUT_* variables and the runner's output files, the test binary standing
// in for the CLI. It returns the exit status, the log, the job summary and
// the step's outputs.
func runAction(t *testing.T, inputs map[string]string) (code int, log, summary, outputs string) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed; the action's script cannot run")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	summaryFile := filepath.Join(work, "summary.md")
	outputFile := filepath.Join(work, "output.txt")
	script, err := filepath.Abs(filepath.Join("..", "..", "action", "run.sh"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bash, script)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "SHIPGATE="+self, "SHIPGATE_TEST_AS_CLI=1", "RUNNER_TEMP="+work,
		"GITHUB_STEP_SUMMARY="+summaryFile, "GITHUB_OUTPUT="+outputFile, "GITHUB_ACTIONS=true")
	for k, v := range inputs {
		cmd.Env = append(cmd.Env, "INPUT_"+strings.ToUpper(strings.ReplaceAll(k, "-", "_"))+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	code = cmd.ProcessState.ExitCode()
	if code < 0 {
		t.Fatalf("run.sh: %v\n%s", err, out.String())
	}
	s, _ := os.ReadFile(summaryFile)
	o, _ := os.ReadFile(outputFile)
	return code, out.String(), string(s), string(o)
}

// TestActionScript runs the action's script on a release that passes and
// one that fails its policy: the SARIF file validates against the SARIF
// 2.1.0 schema, the job summary carries the verdict and the signer table,
// the outputs say whether the gate passed, and the exit status is verify's.
func TestActionScript(t *testing.T) {
	t.Parallel()
	dir, roots := verifyFixture(t)
	sarif := filepath.Join(t.TempDir(), "out dir", "shipgate.sarif")
	os.MkdirAll(filepath.Dir(sarif), 0o755)

	code, log, summary, outputs := runAction(t, map[string]string{"paths": dir + "\n", "roots": roots, "sarif-file": sarif})
	if code != exitPass {
		t.Fatalf("exit %d:\n%s", code, log)
	}
	if !strings.Contains(log, "PASS: 4 files (1 signed)") {
		t.Errorf("the log has no text report:\n%s", log)
	}
	if !strings.HasPrefix(summary, "### shipgate PASS\\: 4 files (1 signed)") || !strings.Contains(summary, "| Signer | Files | Statuses |") {
		t.Errorf("job summary:\n%s", summary)
	}
	if outputs != "passed=true\nsarif-file="+sarif+"\n" {
		t.Errorf("outputs %q", outputs)
	}
	b, err := os.ReadFile(sarif)
	if err != nil {
		t.Fatal(err)
	}
	validateSARIF(t, b)

	pol := filepath.Join(t.TempDir(), "policy.yaml")
	os.WriteFile(pol, []byte("rules:\n  - match: ['**/*.dll']\n    require: valid\n"), 0o644)
	code, log, summary, outputs = runAction(t, map[string]string{"paths": dir, "roots": roots, "policy": pol, "sarif-file": sarif})
	if code != exitFail {
		t.Fatalf("exit %d, want %d:\n%s", code, exitFail, log)
	}
	if !strings.Contains(summary, "| error | ` plugin.dll ` | ` policy/unsigned ` |") || !strings.Contains(outputs, "passed=false\n") {
		t.Errorf("summary:\n%s\noutputs %q", summary, outputs)
	}
	if b, _ := os.ReadFile(sarif); !bytes.Contains(b, []byte(`"ruleId": "policy/unsigned"`)) {
		t.Errorf("sarif:\n%s", b)
	}

	// A run that cannot start writes nothing and exits 2.
	code, log, summary, outputs = runAction(t, map[string]string{"paths": dir, "policy": filepath.Join(t.TempDir(), "missing.yaml")})
	if code != exitError || summary != "" || outputs != "" || !strings.Contains(log, "::error title=shipgate::") {
		t.Errorf("missing policy: exit %d, summary %q, outputs %q:\n%s", code, summary, outputs, log)
	}
	if code, log, _, _ := runAction(t, map[string]string{"paths": "\n"}); code != exitError || !strings.Contains(log, "names nothing to verify") {
		t.Errorf("no paths: exit %d:\n%s", code, log)
	}
}

// TestActionInputsReachScript checks action.yml against its script: every
// input is passed to the verify step as INPUT_<NAME> and read by run.sh (or
// used by the action itself), and no step puts an input into a shell
// command line, where a value could run as code.
func TestActionInputsReachScript(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Inputs map[string]struct {
			Required bool `yaml:"required"`
		} `yaml:"inputs"`
		Runs struct {
			Using string `yaml:"using"`
			Steps []struct {
				ID  string            `yaml:"id"`
				Run string            `yaml:"run"`
				Env map[string]string `yaml:"env"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using %q", a.Runs.Using)
	}
	script, err := os.ReadFile(filepath.Join("..", "..", "action", "run.sh"))
	if err != nil {
		t.Fatal(err)
	}
	usedByAction := map[string]bool{"upload-sarif": true, "go-version": true}
	expr := regexp.MustCompile(`\$\{\{`)
	for _, s := range a.Runs.Steps {
		if expr.MatchString(s.Run) {
			t.Errorf("step %q interpolates an expression into its shell command: %q", s.ID, s.Run)
		}
		if s.ID != "verify" {
			continue
		}
		for name := range a.Inputs {
			if usedByAction[name] {
				continue
			}
			v := "INPUT_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
			if s.Env[v] != "${{ inputs."+name+" }}" {
				t.Errorf("input %s is not passed as %s", name, v)
			}
			if !bytes.Contains(script, []byte(v)) {
				t.Errorf("run.sh does not read %s", v)
			}
		}
	}
}

// TestRenderGivesVerifysOutput checks that rendering verify's JSON report
// gives, byte for byte, what verify writes in each format.
func TestRenderGivesVerifysOutput(t *testing.T) {
	t.Parallel()
	dir, roots := verifyFixture(t)
	js := filepath.Join(t.TempDir(), "report.json")
	if code, _, errOut := runCLI(t, "verify", "--roots", roots, "--format", "json", "-o", js, dir); code != exitPass {
		t.Fatalf("verify: exit %d: %s", code, errOut)
	}
	for _, f := range []string{"text", "json", "sarif", "markdown"} {
		_, want, _ := runCLI(t, "verify", "--roots", roots, "--format", f, dir)
		code, got, errOut := runCLI(t, "render", "--format", f, js)
		if code != exitPass || got != want {
			t.Errorf("%s: exit %d (%s); render gave\n%s\nverify gave\n%s", f, code, errOut, got, want)
		}
	}
}

// TestRenderRefusesOtherJSON checks that render reads only shipgate JSON
// reports of its schema version.
func TestRenderRefusesOtherJSON(t *testing.T) {
	t.Parallel()
	for name, doc := range map[string]string{
		"no schemaVersion": `{"summary": {"passed": true}}`,
		"other version":    `{"schemaVersion": 2, "summary": {"passed": true}}`,
		"no verdict":       `{"schemaVersion": 1, "summary": {}}`,
		"unknown field":    `{"schemaVersion": 1, "summary": {"passed": true}, "verdict": "PASS"}`,
		"trailing data":    `{"schemaVersion": 1, "summary": {"passed": true}} {}`,
		"not json":         `PASS`,
	} {
		p := filepath.Join(t.TempDir(), "r.json")
		os.WriteFile(p, []byte(doc), 0o644)
		code, _, errOut := runCLI(t, "render", p)
		if code != exitError || !strings.Contains(errOut, model.ErrNotReport.Error()) {
			t.Errorf("%s: exit %d: %s", name, code, errOut)
		}
	}
}

// validateSARIF validates b against the official SARIF 2.1.0 schema kept in
// verify/report/testdata.
func validateSARIF(t *testing.T, b []byte) {
	t.Helper()
	sb, err := os.ReadFile(filepath.Join("..", "..", "verify", "report", "testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(sb))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(inst); err != nil {
		t.Errorf("SARIF does not validate: %v", err)
	}
}
