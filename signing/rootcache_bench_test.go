package signing_test

import (
	"testing"

	"github.com/shipgate/shipgate/signing"
)

// BenchmarkNewTrustStore measures building a store with the operating
// system's roots, as every verify.Release call does.
func BenchmarkNewTrustStore(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := signing.NewTrustStore(signing.TrustStoreOptions{System: true, Embedded: signing.EmbeddedAll}); err != nil {
			b.Fatal(err)
		}
	}
}
