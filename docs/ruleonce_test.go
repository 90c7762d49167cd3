package docs

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestRuleIDsDeclaredOnce fails when one rule ID is declared, as the
// literal of a signing.Rule constant, in more than one package, internal/
// included: the other packages refer to the declaring package's constant
// (verify.RuleSymlinkEscape = release.RuleSymlinkEscape), so that a rule
// ID has one spelling in one place. It also fails when non-test code
// compares a rule with a literal (f.Rule == "file/unreadable"), which
// TestRuleIDsDeclaredInRulesFiles does not see under internal/.
func TestRuleIDsDeclaredOnce(t *testing.T) {
	root := ".."
	declared := map[string][]string{} // rule ID -> package directories
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); p != root && (strings.HasPrefix(n, ".") || n == "testdata" || n == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if !isRuleType(vs.Type) {
					continue
				}
				for _, v := range vs.Values {
					if s, ok := ruleLiteral(v); ok && !slices.Contains(declared[s], filepath.Dir(p)) {
						declared[s] = append(declared[s], filepath.Dir(p))
					}
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			be, ok := n.(*ast.BinaryExpr)
			if !ok || (be.Op != token.EQL && be.Op != token.NEQ) {
				return true
			}
			for _, side := range []ast.Expr{be.X, be.Y} {
				if s, ok := ruleLiteral(side); ok {
					t.Errorf("%s: compares with the rule ID %q spelled as a literal; compare with its constant", fset.Position(side.Pos()), s)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range slices.Sorted(maps.Keys(declared)) {
		if dirs := declared[id]; len(dirs) > 1 {
			t.Errorf("rule %s is declared in %d packages (%s): declare it in one and refer to its constant in the others", id, len(dirs), strings.Join(dirs, ", "))
		}
	}
}

// ruleLiteral returns the rule ID that e spells as a string literal.
func ruleLiteral(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	if err != nil || !usedRule.MatchString(s) {
		return "", false
	}
	return s, true
}
