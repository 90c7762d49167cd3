package depcheck

import (
	"errors"
	"strings"
	"testing"
)

// TestForbiddenCatchesSigners makes sure the guard can fail: signing/attest
// does import the signing libraries that verify, sbom and signing/provenance
// must not, and each chain Forbidden reports starts at the root and ends in a
// banned package.
func TestForbiddenCatchesSigners(t *testing.T) {
	const root = "github.com/shipgate/shipgate/signing/attest"
	bad, err := Forbidden([]string{root}, Signers)
	if errors.Is(err, ErrNoGo) {
		t.Skip("go command not on PATH; cannot list dependencies")
	}
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"golang.org/x/crypto/ssh": false, "google.golang.org/protobuf": false, "github.com/sigstore/sigstore": false}
	for _, chain := range bad {
		if !strings.HasPrefix(chain, root+" -> ") {
			t.Errorf("chain %q does not start at %s", chain, root)
		}
		last := chain[strings.LastIndex(chain, " -> ")+4:]
		for w := range want {
			if last == w || strings.HasPrefix(last, w+"/") {
				want[w] = true
			}
		}
	}
	for w, seen := range want {
		if !seen {
			t.Errorf("no chain into %s reported; got %q", w, bad)
		}
	}
}

// TestForbiddenCleanRoot is the passing case: signing/attest/blob imports
// only the standard library.
func TestForbiddenCleanRoot(t *testing.T) {
	bad, err := Forbidden([]string{"github.com/shipgate/shipgate/signing/attest/blob"}, append(append([]string(nil), Heavy...), Signers...))
	if errors.Is(err, ErrNoGo) {
		t.Skip("go command not on PATH; cannot list dependencies")
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) != 0 {
		t.Errorf("forbidden dependencies of a standard-library-only package: %q", bad)
	}
}

// TestForbiddenInTestCatchesTestImports makes sure the test-binary guard can
// fail: signing/sigstore's tests make their bundles with sigstore-go's
// testing/ca, which only its test binary links, and a chain reported for it
// starts at the test binary and runs through the test variant.
func TestForbiddenInTestCatchesTestImports(t *testing.T) {
	const pkg = "github.com/shipgate/shipgate/signing/sigstore"
	bad, err := ForbiddenInTest(pkg, []string{"github.com/sigstore/sigstore-go/pkg/testing"})
	if errors.Is(err, ErrNoGo) {
		t.Skip("go command not on PATH; cannot list dependencies")
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) == 0 {
		t.Fatal("no chain into sigstore-go's testing packages reported for signing/sigstore's tests")
	}
	for _, chain := range bad {
		if !strings.HasPrefix(chain, pkg+".test -> "+pkg+" [") {
			t.Errorf("chain %q does not start at the test binary and its test variant", chain)
		}
	}
	// The non-test build of the same package does not link them.
	if bad, err := Forbidden([]string{pkg}, []string{"github.com/sigstore/sigstore-go/pkg/testing"}); err != nil || len(bad) != 0 {
		t.Errorf("non-test build: %q, %v", bad, err)
	}
}

// TestForbiddenInTestCleanPackage is the passing case: signing/attest/blob's
// tests link nothing heavy.
func TestForbiddenInTestCleanPackage(t *testing.T) {
	bad, err := ForbiddenInTest("github.com/shipgate/shipgate/signing/attest/blob", Heavy)
	if errors.Is(err, ErrNoGo) {
		t.Skip("go command not on PATH; cannot list dependencies")
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) != 0 {
		t.Errorf("forbidden dependencies of signing/attest/blob's tests: %q", bad)
	}
}
