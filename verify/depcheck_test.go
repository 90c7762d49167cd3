package verify_test

import (
	"errors"
	"testing"

	"github.com/shipgate/shipgate/internal/depcheck"
)

// TestNoHeavyDependencies keeps verify and its subpackages free of gRPC,
// OpenTelemetry and sigstore-go: Sigstore bundles are verified through
// Options.Sigstore, which the shipgate command fills with
// signing/sigstore.Verifier. A failure names the chain of imports.
func TestNoHeavyDependencies(t *testing.T) {
	t.Parallel()
	checkDependencies(t, depcheck.Heavy)
}

// TestNoHeavyTestDependencies keeps sigstore-go, gRPC and OpenTelemetry out of
// verify's test binary too (715 packages with them, 385 without): verify's
// tests use a stub SigstoreVerifier, and the tests that run the real one
// are in cmd/shipgate (releasesigstore_*_test.go), whose test binary links
// both anyway.
func TestNoHeavyTestDependencies(t *testing.T) {
	t.Parallel()
	bad, err := depcheck.ForbiddenInTest("github.com/shipgate/shipgate/verify", depcheck.Heavy)
	if errors.Is(err, depcheck.ErrNoGo) {
		t.Skip("go command not on PATH; cannot list dependencies")
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, chain := range bad {
		t.Errorf("forbidden dependency of verify's tests: %s", chain)
	}
}

// TestNoSignerDependencies keeps verify and its subpackages free of
// sigstore's signature package, protobuf, in-toto, x/crypto/ssh and go-git:
// verify describes a Sigstore verification with signing/attest/blob, not
// signing/attest, which signs and verifies DSSE envelopes.
func TestNoSignerDependencies(t *testing.T) {
	t.Parallel()
	checkDependencies(t, depcheck.Signers)
}

func checkDependencies(t *testing.T, banned []string) {
	t.Helper()
	roots, err := depcheck.List("github.com/shipgate/shipgate/verify/...")
	if errors.Is(err, depcheck.ErrNoGo) {
		t.Skip("go command not on PATH; cannot list dependencies")
	}
	if err != nil {
		t.Fatal(err)
	}
	bad, err := depcheck.Forbidden(roots, banned)
	if err != nil {
		t.Fatal(err)
	}
	for _, chain := range bad {
		t.Errorf("forbidden dependency: %s", chain)
	}
}
