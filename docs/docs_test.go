package docs

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// usedRule matches a string literal that is a rule ID of a known family.
var usedRule = regexp.MustCompile(`^(authenticode|codesign|signer|file|asar|electron|diff|git|policy|script|msi|cab|pkg|dmg)/[a-z0-9-]+$`)

// TestEveryRuleDocumented fails when a rule ID used as a string literal in
// the module's non-test Go code has no section in docs/rules.md.
func TestEveryRuleDocumented(t *testing.T) {
	root := ".."
	used := map[string][]string{}
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
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err == nil && usedRule.MatchString(s) {
				used[s] = append(used[s], p)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for id, files := range used {
		if _, ok := Lookup(id); !ok {
			missing = append(missing, id+" (used in "+strings.Join(files, ", ")+")")
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("rule %s is not documented in docs/rules.md", m)
	}
}

// TestRuleIDsDeclaredInRulesFiles fails when a rule ID is spelled as a
// string literal in the module's non-test Go code anywhere but in a constant
// declaration of type signing.Rule in a package's rules.go: other code
// refers to those constants, so that a rule ID, a public contract, has one
// spelling. internal/ holds fixture generators whose manifests name the
// rules a fixture must produce; they cannot import the verifiers they test.
func TestRuleIDsDeclaredInRulesFiles(t *testing.T) {
	root := ".."
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, root+string(filepath.Separator)))
		if d.IsDir() {
			if n := d.Name(); p != root && (strings.HasPrefix(n, ".") || n == "testdata" || n == "node_modules" || rel == "internal") {
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
		// The literals declared properly: a const spec of type signing.Rule
		// (or Rule, in package signing) in rules.go.
		declared := map[*ast.BasicLit]bool{}
		if d.Name() == "rules.go" {
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
						if lit, ok := v.(*ast.BasicLit); ok {
							declared[lit] = true
						}
					}
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING || declared[lit] {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && usedRule.MatchString(s) {
				t.Errorf("%s: rule ID %q spelled as a literal; declare it as a signing.Rule constant in the package's rules.go and use that", fset.Position(lit.Pos()), s)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// isRuleType reports whether a const spec's type is signing.Rule.
func isRuleType(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		return ok && x.Name == "signing" && e.Sel.Name == "Rule"
	case *ast.Ident:
		return e.Name == "Rule"
	}
	return false
}

func TestParse(t *testing.T) {
	md := "# Rules\n\nintro\n\n## file/one\n\nFirst sentence. Second.\n\nMore.\n\n## `policy/two`\nLine one\ncontinued.\n\n## Not a rule\n\nignored\n\n## file/one\n\nduplicate\n"
	got := parse(md)
	if len(got) != 2 {
		t.Fatalf("got %d rules, want 2: %+v", len(got), got)
	}
	if got[0].ID != "file/one" || got[0].Summary != "First sentence." || got[0].Text != "First sentence. Second.\n\nMore." {
		t.Errorf("file/one = %+v", got[0])
	}
	if got[1].ID != "policy/two" || got[1].Summary != "Line one continued." {
		t.Errorf("policy/two = %+v", got[1])
	}
}

// TestFragmentsAssembled checks that every rule of every fragment in
// docs/rules/ is in the embedded rules.md (run `go generate ./docs`).
func TestFragmentsAssembled(t *testing.T) {
	names, _ := filepath.Glob(filepath.Join("rules", "*.md"))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range parse(string(b)) {
			if _, ok := Lookup(r.ID); !ok {
				t.Errorf("%s: rule %s is missing from rules.md; run go generate ./docs", n, r.ID)
			}
		}
	}
}
