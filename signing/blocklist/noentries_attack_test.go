package blocklist

import (
	"bytes"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAttackEmptyBlocklist: a blocklist that parses to no entries (a
// download cut short after a CSV header, a native list whose generator
// wrote "entries": [] and failed, a LOLDrivers list of drivers without
// samples) loaded silently, and verify then matched against nothing: every
// revoked certificate and known-bad file it should have listed passed.
// Load and Parse now refuse it, naming the file; a CRL that revokes
// nothing is an issuer's ordinary answer and still loads.
func TestAttackEmptyBlocklist(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, src := range map[string]string{
		"native.json":     `{"version":1,"entries":[]}`,
		"bare.json":       `[]`,
		"native.yaml":     "version: 1\nentries: []\n",
		"header-only.csv": "indicator_type,data\n",
		"loldrivers.json": `[{"Id":"x","KnownVulnerableSamples":[]}]`,
	} {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(f, LoadOptions{})
		if !errors.Is(err, ErrNoEntries) || !strings.Contains(err.Error(), f) {
			t.Errorf("%s: err %v, want ErrNoEntries naming the file", name, err)
		}
	}
	f := filepath.Join(dir, "one.json")
	one := `{"version":1,"entries":[{"kind":"file-sha256","value":"` + strings.Repeat("ab", 32) + `"}]}`
	if err := os.WriteFile(f, []byte(one), 0o644); err != nil {
		t.Fatal(err)
	}
	if l, err := Load(f, LoadOptions{}); err != nil || l.Len() != 1 {
		t.Errorf("a list of one entry: %v", err)
	}
	pki := newTestPKI(t, "Signer", big.NewInt(7))
	crl := makeCRL(t, pki.root, nil, time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC))
	now := time.Date(2024, 6, 15, 0, 0, 0, 0, time.UTC)
	if _, err := Parse(bytes.NewReader(crl), "root.crl", LoadOptions{CRLIssuer: pki.root.Cert, Now: now}); err != nil {
		t.Errorf("a CRL that revokes nothing: %v", err)
	}
}
