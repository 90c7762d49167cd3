package signing_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestVerifiersGiveNoVerdicts keeps the split of issue #12: the verifiers
// under signing/ report facts and integrity findings, and the policy layer
// (package verify) turns them into verdicts. No non-test file under signing/
// spells a rule ID of the policy family ("policy/…"): an unsigned file, a
// signer the policy does not allow or a kind it forbids is the policy's
// finding, never a verifier's.
func TestVerifiersGiveNoVerdicts(t *testing.T) {
	fset := token.NewFileSet()
	n := 0
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		n++
		ast.Inspect(f, func(x ast.Node) bool {
			lit, ok := x.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && strings.HasPrefix(s, "policy/") {
				t.Errorf("%s: verifier code spells the policy rule %q", fset.Position(lit.Pos()), s)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 50 {
		t.Fatalf("read %d Go files under signing/, want the whole tree", n)
	}
}
