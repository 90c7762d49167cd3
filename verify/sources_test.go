package verify

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/shipgate/shipgate/report"
)

func hexSHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestReleaseRecordsInputAndPolicy: the report says what was verified (the
// path as given, its kind, a single file's size and digest) and which policy
// judged it (file and digest, or built-in).
func TestReleaseRecordsInputAndPolicy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rel := filepath.Join(dir, "rel")
	os.MkdirAll(filepath.Join(rel, "Acme.app", "Contents"), 0o755)
	os.WriteFile(filepath.Join(rel, "readme.txt"), []byte("hello\n"), 0o644)
	os.WriteFile(filepath.Join(rel, "Acme.app", "Contents", "Info.plist"), []byte("<plist/>"), 0o644)
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("readme.txt")
	w.Write([]byte("hello\n"))
	zw.Close()
	zipPath := filepath.Join(dir, "rel.zip")
	os.WriteFile(zipPath, zb.Bytes(), 0o644)
	polBytes := []byte("trust:\n  system: false\n")
	polPath := filepath.Join(dir, "policy.yaml")
	os.WriteFile(polPath, polBytes, 0o644)
	pol, err := LoadPolicy(polPath)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := ParsePolicy(polBytes)
	if err != nil {
		t.Fatal(err)
	}
	builtin := &Policy{Trust: Trust{System: new(false)}}

	for _, c := range []struct {
		name   string
		pol    *Policy
		paths  []string
		input  report.Input
		policy report.Policy
	}{
		{"zip and policy file", pol, []string{zipPath},
			report.Input{Path: zipPath, Kind: report.InputZip, Size: int64(zb.Len()), SHA256: hexSHA256(zb.Bytes())},
			report.Policy{Source: report.PolicyFile, Path: polPath, SHA256: hexSHA256(polBytes)}},
		{"directory and parsed policy", parsed, []string{rel},
			report.Input{Path: rel, Kind: report.InputDirectory},
			report.Policy{Source: report.PolicyBytes, SHA256: hexSHA256(polBytes)}},
		{"app bundle, built-in policy", builtin, []string{filepath.Join(rel, "Acme.app")},
			report.Input{Path: filepath.Join(rel, "Acme.app"), Kind: report.InputAppBundle},
			report.Policy{Source: report.PolicyBuiltin}},
		{"single file", builtin, []string{filepath.Join(rel, "readme.txt")},
			report.Input{Path: filepath.Join(rel, "readme.txt"), Kind: report.InputFile, Size: 6, SHA256: hexSHA256([]byte("hello\n"))},
			report.Policy{Source: report.PolicyBuiltin}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := Release(context.Background(), Options{Policy: c.pol}, c.paths...)
			if err != nil {
				t.Fatal(err)
			}
			if r.Input == nil || r.Input.Path != c.input.Path || r.Input.Kind != c.input.Kind || r.Input.Size != c.input.Size || r.Input.SHA256 != c.input.SHA256 {
				t.Errorf("input = %+v, want %+v", r.Input, c.input)
			}
			if r.Policy == nil || !reflect.DeepEqual(*r.Policy, c.policy) {
				t.Errorf("policy = %+v, want %+v", r.Policy, c.policy)
			}
		})
	}
	t.Run("several paths", func(t *testing.T) {
		r, err := Release(context.Background(), Options{Policy: builtin}, zipPath, filepath.Join(rel, "readme.txt"))
		if err != nil {
			t.Fatal(err)
		}
		if r.Input == nil || r.Input.Kind != report.InputMultiple || len(r.Input.Parts) != 2 ||
			r.Input.Parts[0].Kind != report.InputZip || r.Input.Parts[1].Kind != report.InputFile {
			t.Errorf("input = %+v", r.Input)
		}
	})
}
