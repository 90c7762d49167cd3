package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
)

func writeFixture(t *testing.T, dir string, s electronfix.Spec) string {
	t.Helper()
	r, err := electronfix.Windows(s)
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDiffCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	oldRel := writeFixture(t, filepath.Join(dir, "old"), electronfix.Clean())
	newRel := writeFixture(t, filepath.Join(dir, "new"), electronfix.Trojanized())

	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"diff", "--format", "json", oldRel, newRel}, nil, &out, &errb)
	if code != exitFail {
		t.Fatalf("exit %d, want %d; stderr: %s", code, exitFail, errb.String())
	}
	var rep struct {
		SchemaVersion int `json:"schemaVersion"`
		Tool          struct{ Name string }
		Findings      []struct{ Rule, Severity, Path string }
		Summary       struct {
			Errors int
			Passed bool
		}
		Diff struct {
			Old, New           string
			ChangedSameVersion []struct{ Name string }
			Findings           []any
		}
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.SchemaVersion != 1 || rep.Tool.Name != "shipgate" || rep.Summary.Passed || rep.Summary.Errors == 0 {
		t.Errorf("envelope = %+v", rep)
	}
	if len(rep.Diff.ChangedSameVersion) != 1 || rep.Diff.ChangedSameVersion[0].Name != "tinycolor" || rep.Diff.Findings != nil {
		t.Errorf("diff section = %+v", rep.Diff)
	}
	var rules []string
	for _, f := range rep.Findings {
		rules = append(rules, f.Rule+" "+f.Path)
	}
	joined := strings.Join(rules, "\n")
	for _, want := range []string{"diff/changed-same-version ffmpeg.dll", "diff/signer-changed ffmpeg.dll", "diff/fuse-weakened Chatterbox.exe"} {
		if !strings.Contains(joined, want) {
			t.Errorf("missing %q in\n%s", want, joined)
		}
	}

	// Same release twice: the gate passes; byte-identical output on reruns.
	out.Reset()
	if code := run(context.Background(), []string{"diff", "--format", "json", oldRel, oldRel}, nil, &out, &errb); code != exitPass {
		t.Errorf("identical releases: exit %d", code)
	}
	var a, b bytes.Buffer
	run(context.Background(), []string{"diff", "--format", "sarif", oldRel, newRel}, nil, &a, &errb)
	run(context.Background(), []string{"diff", "--format", "sarif", oldRel, newRel}, nil, &b, &errb)
	if a.Len() == 0 || !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("SARIF output empty or not deterministic")
	}
	if code := run(context.Background(), []string{"diff", oldRel}, nil, &out, &errb); code != exitError {
		t.Errorf("one argument: exit %d", code)
	}
}

func TestSBOMCommand(t *testing.T) {
	rel := writeFixture(t, t.TempDir(), electronfix.Clean())
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	for _, f := range []string{"cyclonedx-json", "spdx-json"} {
		var a, b, errb bytes.Buffer
		if code := run(context.Background(), []string{"sbom", "--format", f, rel}, nil, &a, &errb); code != exitPass {
			t.Fatalf("%s: exit %d: %s", f, code, errb.String())
		}
		run(context.Background(), []string{"sbom", "--format", f, rel}, nil, &b, &errb)
		if !json.Valid(a.Bytes()) || !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: invalid or non-deterministic output", f)
		}
		if !bytes.Contains(a.Bytes(), []byte("2023-11-14T22:13:20Z")) {
			t.Errorf("%s: SOURCE_DATE_EPOCH not used", f)
		}
	}
	var errb bytes.Buffer
	if code := run(context.Background(), []string{"sbom", "--format", "xml", rel}, nil, &bytes.Buffer{}, &errb); code != exitError {
		t.Errorf("bad format: exit %d", code)
	}
}

func TestDiffUpstreamCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rel := writeFixture(t, filepath.Join(dir, "rel"), electronfix.Trojanized())
	name, data, err := electronfix.UpstreamZip(electronfix.Clean())
	if err != nil {
		t.Fatal(err)
	}
	zipPath := filepath.Join(dir, name)
	if err := os.WriteFile(zipPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"diff", "--format", "json", "--upstream", zipPath, rel}, nil, &out, &errb)
	if code != exitFail {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{`"rule": "electron/runtime-modified"`, `"path": "ffmpeg.dll"`, `"upstream": "d3dcompiler_47.dll"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %s", want)
		}
	}
	if code := run(context.Background(), []string{"diff", "--upstream", zipPath, rel, rel}, nil, &out, &errb); code != exitError {
		t.Errorf("two releases with --upstream: exit %d", code)
	}
}
