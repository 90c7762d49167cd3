package sbom_test

import (
	"errors"
	"testing"

	"github.com/shipgate/shipgate/internal/depcheck"
)

// TestNoHeavyDependencies keeps sbom and its subpackages, and the demo's
// release generator, free of gRPC, OpenTelemetry and sigstore-go, and of
// the signing libraries (sigstore's signature package, protobuf, in-toto,
// x/crypto/ssh, go-git): inventorying and diffing a release needs none of
// them, and every test binary that imports these packages would compile
// them. Only the non-test build is checked. A failure names the chain of
// imports.
func TestNoHeavyDependencies(t *testing.T) {
	t.Parallel()
	roots, err := depcheck.List("github.com/shipgate/shipgate/sbom/...", "github.com/shipgate/shipgate/internal/demo")
	if errors.Is(err, depcheck.ErrNoGo) {
		t.Skip("go command not on PATH; cannot list dependencies")
	}
	if err != nil {
		t.Fatal(err)
	}
	bad, err := depcheck.Forbidden(roots, append(append([]string(nil), depcheck.Heavy...), depcheck.Signers...))
	if err != nil {
		t.Fatal(err)
	}
	for _, chain := range bad {
		t.Errorf("forbidden dependency: %s", chain)
	}
}
