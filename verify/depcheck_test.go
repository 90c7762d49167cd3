package verify_test

import (
	"errors"
	"testing"

	"github.com/shipgate/shipgate/internal/depcheck"
)

// TestNoHeavyDependencies keeps verify and its subpackages free of gRPC,
// OpenTelemetry and sigstore-go: Sigstore bundles are verified through
// Options.Sigstore, which the shipgate command fills with
// signing/sigstore.Verifier. Test files may import signing/sigstore; only
// the non-test build is checked. A failure names the chain of imports.
func TestNoHeavyDependencies(t *testing.T) {
	t.Parallel()
	checkDependencies(t, depcheck.Heavy)
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
