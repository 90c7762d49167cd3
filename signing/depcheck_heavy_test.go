package signing_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/depcheck"
)

// TestNoHeavyDependencies keeps signing/... (but signing/sigstore, which
// verifies Sigstore bundles with sigstore-go) free of gRPC, OpenTelemetry
// and sigstore-go, so that an embedder that verifies Authenticode, code
// signatures or DSSE attestations does not link them. A failure names the
// chain of imports that pulls the dependency in.
func TestNoHeavyDependencies(t *testing.T) {
	t.Parallel()
	const allowed = "github.com/shipgate/shipgate/signing/sigstore"
	pkgs, err := depcheck.List("github.com/shipgate/shipgate/signing/...")
	if errors.Is(err, depcheck.ErrNoGo) {
		t.Skip("go command not on PATH; cannot list dependencies")
	}
	if err != nil {
		t.Fatal(err)
	}
	var roots []string
	for _, p := range pkgs {
		if p != allowed && !strings.HasPrefix(p, allowed+"/") {
			roots = append(roots, p)
		}
	}
	bad, err := depcheck.Forbidden(roots, depcheck.Heavy)
	if err != nil {
		t.Fatal(err)
	}
	for _, chain := range bad {
		t.Errorf("forbidden dependency: %s", chain)
	}
}

// TestNoSignerDependencies keeps signing/provenance and signing/attest/blob,
// which verify imports to describe and check a Sigstore verification, free of
// the signing libraries that signing/attest uses (sigstore's signature
// package, protobuf, in-toto, x/crypto/ssh) and of go-git.
func TestNoSignerDependencies(t *testing.T) {
	t.Parallel()
	roots := []string{
		"github.com/shipgate/shipgate/signing/provenance",
		"github.com/shipgate/shipgate/signing/attest/blob",
	}
	bad, err := depcheck.Forbidden(roots, depcheck.Signers)
	if errors.Is(err, depcheck.ErrNoGo) {
		t.Skip("go command not on PATH; cannot list dependencies")
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, chain := range bad {
		t.Errorf("forbidden dependency: %s", chain)
	}
}
