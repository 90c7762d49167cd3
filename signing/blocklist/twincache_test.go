package blocklist

import (
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/memo"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestTwinCacheComputesOnce checks that a certificate's ECDSA twin
// thumbprints are computed once however often it is matched, and that
// the remembered ones are those computed.
func TestTwinCacheComputesOnce(t *testing.T) {
	t.Parallel()
	root := testpki.NewRoot(testpki.Spec{CommonName: "ECDSA Root", KeyKind: testpki.ECDSA, KeyN: 5})
	leaf := root.Issue(testpki.Spec{CommonName: "ECDSA Signer", KeyKind: testpki.ECDSA, KeyN: 6})
	id := signing.NewIdentity(leaf.Cert)
	want1, want256 := twinThumbprints(&id)
	if len(want1) == 0 {
		t.Fatal("an ECDSA-signed certificate has no twins")
	}
	tc := twinCache{m: memo.Bounded[string, twinPrints]{Max: 4}}
	for range 3 {
		got1, got256 := tc.thumbprints(&id)
		if !slices.Equal(got1, want1) || !slices.Equal(got256, want256) {
			t.Fatalf("thumbprints = %v %v, want %v %v", got1, got256, want1, want256)
		}
	}
	if n := tc.computed.Load(); n != 1 {
		t.Errorf("computed %d times, want 1", n)
	}
}
