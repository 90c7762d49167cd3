package signing_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestSystemRootFileChangeIsReread checks that the process-wide cache of
// parsed system root files reads a bundle again once its size or
// modification time changes, so a store never trusts a stale bundle.
func TestSystemRootFileChangeIsReread(t *testing.T) {
	t.Parallel()
	a := testpki.NewRoot(testpki.Spec{CommonName: "Cache Root A", KeyN: 30})
	b := testpki.NewRoot(testpki.Spec{CommonName: "Cache Root B", KeyN: 31})
	bundle := filepath.Join(t.TempDir(), "roots.pem")
	write := func(pem []byte, mtime time.Time) {
		t.Helper()
		if err := os.WriteFile(bundle, pem, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(bundle, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	build := func() *signing.TrustStore {
		t.Helper()
		ts, err := signing.NewTrustStore(signing.TrustStoreOptions{System: true, SystemFiles: []string{bundle}})
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	write(a.PEM(), testpki.Epoch)
	if ts := build(); !ts.IsRoot(a.Cert) || ts.IsRoot(b.Cert) {
		t.Fatalf("first bundle: A=%v B=%v", ts.IsRoot(a.Cert), ts.IsRoot(b.Cert))
	}
	_ = build() // served from the cache
	// Same size (both keys are KeyN-sized), later time: read again.
	write(b.PEM(), testpki.Epoch.Add(time.Hour))
	if ts := build(); ts.IsRoot(a.Cert) || !ts.IsRoot(b.Cert) {
		t.Errorf("after the bundle changed: A=%v B=%v, want the new root only", ts.IsRoot(a.Cert), ts.IsRoot(b.Cert))
	}
	// A changed size with the same time is read again too.
	write(append(b.PEM(), a.PEM()...), testpki.Epoch.Add(time.Hour))
	if ts := build(); !ts.IsRoot(a.Cert) || !ts.IsRoot(b.Cert) || ts.Len() != 2 {
		t.Errorf("after the bundle grew: A=%v B=%v len=%d", ts.IsRoot(a.Cert), ts.IsRoot(b.Cert), ts.Len())
	}
	// A bundle that no longer parses fails, not served from the cache.
	write([]byte("not a bundle\n"), testpki.Epoch.Add(2*time.Hour))
	if _, err := signing.NewTrustStore(signing.TrustStoreOptions{System: true, SystemFiles: []string{bundle}}); err == nil {
		t.Error("a bundle without certificates was accepted")
	}
}

// TestSystemRootStoresDoNotShareMutations checks that stores built from the
// same cached system bundle are independent: a root added to one is not a
// root of another, nor of a store built afterwards.
func TestSystemRootStoresDoNotShareMutations(t *testing.T) {
	t.Parallel()
	a := testpki.NewRoot(testpki.Spec{CommonName: "Shared Root", KeyN: 32})
	extra := testpki.NewRoot(testpki.Spec{CommonName: "Added Root", KeyN: 33})
	bundle := filepath.Join(t.TempDir(), "roots.pem")
	if err := os.WriteFile(bundle, a.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := signing.TrustStoreOptions{System: true, SystemFiles: []string{bundle}}
	one, err := signing.NewTrustStore(opts)
	if err != nil {
		t.Fatal(err)
	}
	two, err := signing.NewTrustStore(opts)
	if err != nil {
		t.Fatal(err)
	}
	one.AddCertificate(extra.Cert)
	if err := one.AddPEM(extra.PEM()); err != nil {
		t.Fatal(err)
	}
	three, err := signing.NewTrustStore(opts)
	if err != nil {
		t.Fatal(err)
	}
	if !one.IsRoot(extra.Cert) || one.Len() != 2 {
		t.Fatalf("store one: added=%v len=%d", one.IsRoot(extra.Cert), one.Len())
	}
	for name, ts := range map[string]*signing.TrustStore{"two": two, "three": three} {
		if ts.IsRoot(extra.Cert) || ts.Len() != 1 || len(ts.Roots()) != 1 || !ts.IsRoot(a.Cert) {
			t.Errorf("store %s sees another store's root: added=%v len=%d", name, ts.IsRoot(extra.Cert), ts.Len())
		}
	}
}
