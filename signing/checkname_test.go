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

// TestCheckNamesAreConstants keeps check names contracts (see
// [signing.CheckName]): no non-test file of the module spells one as a
// string literal, either as the Name of a Check literal or as the argument
// of a function that takes a CheckName (AddCheck, Failed, a verifier's own
// helpers). The policy layer matches check names; a literal that drifts from
// the constant would silently stop matching.
func TestCheckNamesAreConstants(t *testing.T) {
	t.Parallel()
	checkNoLiterals(t, "CheckName", "Check", "Name")
}

// TestRuleIDsAreConstants does the same for rule IDs ([signing.Rule]):
// arguments of type Rule and the Rule of a Finding literal.
func TestRuleIDsAreConstants(t *testing.T) {
	t.Parallel()
	checkNoLiterals(t, "Rule", "Finding", "Rule")
}

// checkNoLiterals reports string literals passed where a parameter has the
// type named typ (in package signing), and string literals given as field
// of a composite literal of type lit.
func checkNoLiterals(t *testing.T, typ, lit, field string) {
	t.Helper()
	root := filepath.Join("..")
	fset := token.NewFileSet()
	var files []*ast.File
	var dirs []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files = append(files, f)
		dirs = append(dirs, filepath.Dir(p))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// takes maps a function name (qualified by its directory when
	// unexported) to the indexes of its CheckName parameters.
	takes := map[string][]int{}
	key := func(dir, name string) string {
		if ast.IsExported(name) {
			return name
		}
		return dir + "." + name
	}
	for i, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			n := 0
			for _, field := range fd.Type.Params.List {
				k := max(len(field.Names), 1)
				if isTypeName(field.Type, typ) {
					for j := range k {
						takes[key(dirs[i], fd.Name.Name)] = append(takes[key(dirs[i], fd.Name.Name)], n+j)
					}
				}
				n += k
			}
		}
	}
	if len(takes) < 3 {
		t.Fatalf("found only %d functions taking a %s: %v", len(takes), typ, takes)
	}

	for i, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				var name string
				switch fn := n.Fun.(type) {
				case *ast.Ident:
					name = fn.Name
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				default:
					return true
				}
				for _, j := range takes[key(dirs[i], name)] {
					if j < len(n.Args) && isStringLit(n.Args[j]) {
						t.Errorf("%s: %s(%s, …): spelled as a literal; use its %s constant", fset.Position(n.Pos()), name, quoted(n.Args[j]), typ)
					}
				}
			case *ast.CompositeLit:
				if !isTypeName(n.Type, lit) {
					return true
				}
				for _, e := range n.Elts {
					if kv, ok := e.(*ast.KeyValueExpr); ok && isIdent(kv.Key, field) && isStringLit(kv.Value) {
						t.Errorf("%s: %s{%s: %s}: spelled as a literal; use its %s constant", fset.Position(n.Pos()), lit, field, quoted(kv.Value), typ)
					}
				}
			}
			return true
		})
	}
}

// isTypeName reports whether e is the type name, or signing.name.
func isTypeName(e ast.Expr, name string) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name == name
	case *ast.SelectorExpr:
		return e.Sel.Name == name && isIdent(e.X, "signing")
	}
	return false
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// isStringLit reports whether e is a non-empty string literal (the empty
// name means "any check" to helpers such as verify's failedDetail).
func isStringLit(e ast.Expr) bool {
	b, ok := e.(*ast.BasicLit)
	return ok && b.Kind == token.STRING && b.Value != `""` && b.Value != "``"
}

func quoted(e ast.Expr) string {
	s, _ := strconv.Unquote(e.(*ast.BasicLit).Value)
	return strconv.Quote(s)
}
