// Package depcheck finds forbidden dependencies of packages with `go list`,
// for tests that keep heavy modules out of shipgate's library packages.
package depcheck

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// Heavy are the module paths that must not be linked into a program for
// importing shipgate's verification packages: sigstore-go and the gRPC and
// OpenTelemetry stacks it brings. Only signing/sigstore, which verifies
// Sigstore bundles, and the shipgate command may depend on them.
var Heavy = []string{"google.golang.org/grpc", "go.opentelemetry.io", "github.com/sigstore/sigstore-go"}

// Signers are the module paths and package trees that signing and verifying
// DSSE envelopes and auditing git history need, and that gating, inventorying
// or diffing a release does not: sigstore's signature and key packages,
// protobuf and in-toto's protobuf statements, x/crypto/ssh, and go-git.
// verify, sbom, signing/provenance, signing/attest/blob and the demo's
// generator must not depend on them, so that their test binaries and the
// programs that embed them do not compile them.
var Signers = []string{
	"github.com/sigstore/sigstore",
	"google.golang.org/protobuf",
	"github.com/in-toto",
	"golang.org/x/crypto/ssh",
	"github.com/go-git",
}

// ErrNoGo results when the go command is not on PATH.
var ErrNoGo = errors.New("depcheck: go command not on PATH")

// List returns the import paths of the packages patterns name (`go list`
// patterns such as "github.com/shipgate/shipgate/signing/...").
func List(patterns ...string) ([]string, error) {
	out, err := goList(append([]string{"-f", "{{.ImportPath}}"}, patterns...))
	if err != nil {
		return nil, err
	}
	return strings.Fields(out), nil
}

// Forbidden returns, for the non-test builds of roots, each package that
// belongs to one of the modules or package trees in banned, as the shortest
// import chain from a root ("a -> b -> google.golang.org/grpc"), one per
// place the chain enters a banned tree.
func Forbidden(roots, banned []string) ([]string, error) {
	out, err := goList(append([]string{"-deps", "-f", listFormat}, roots...))
	if err != nil {
		return nil, err
	}
	return chains(parseImports(out), roots, banned), nil
}

// ForbiddenInTest is [Forbidden] for the test binary of the package pkg (the
// program `go test pkg` links: its test files, internal and external, and
// what they import). Packages compiled for the test alone are named as go
// list -test names them ("p [pkg.test]").
func ForbiddenInTest(pkg string, banned []string) ([]string, error) {
	out, err := goList([]string{"-test", "-deps", "-f", listFormat, pkg})
	if err != nil {
		return nil, err
	}
	return chains(parseImports(out), []string{pkg + ".test"}, banned), nil
}

// listFormat prints a package's import path and its imports, separated by
// tabs.
const listFormat = "{{.ImportPath}}{{range .Imports}}\t{{.}}{{end}}"

// parseImports reads go list lines of an import path and its imports,
// separated by tabs (a test variant's path holds a space).
func parseImports(out string) map[string][]string {
	imports := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if f := strings.Split(line, "\t"); f[0] != "" {
			imports[f[0]] = f[1:]
		}
	}
	return imports
}

// chains walks imports breadth-first from roots and returns the shortest
// chain to each place it enters a banned tree.
func chains(imports map[string][]string, roots, banned []string) []string {
	isBanned := func(p string) bool {
		if i := strings.Index(p, " ["); i >= 0 {
			p = p[:i] // a test variant: "p [pkg.test]"
		}
		for _, b := range banned {
			if p == b || strings.HasPrefix(p, b+"/") {
				return true
			}
		}
		return false
	}
	parent := map[string]string{}
	queue := append([]string(nil), roots...)
	for _, r := range roots {
		parent[r] = ""
	}
	var found []string
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if isBanned(p) {
			chain := []string{p}
			for q := parent[p]; q != ""; q = parent[q] {
				chain = append([]string{q}, chain...)
			}
			found = append(found, strings.Join(chain, " -> "))
			continue
		}
		for _, q := range imports[p] {
			if _, seen := parent[q]; !seen {
				parent[q] = p
				queue = append(queue, q)
			}
		}
	}
	return found
}

func goList(args []string) (string, error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", ErrNoGo
	}
	out, err := exec.Command(goTool, append([]string{"list"}, args...)...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("depcheck: go list: %w\n%s", err, out)
	}
	return string(out), nil
}
