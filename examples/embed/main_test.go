package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

func TestDescribe(t *testing.T) {
	root := testpki.NewRoot(testpki.Spec{CommonName: "Embed Test Root", CA: true, MaxPathLen: -1})
	leaf := root.Issue(testpki.Spec{CommonName: "Embed Vendor", KeyN: 1})
	img, err := pefile.Build(pefile.Spec{})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := pefile.SignAttach(img, pefile.SignSpec{Signer: leaf, Certs: []*testpki.Cert{root}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// The kind comes from the bytes, not the name.
	p := filepath.Join(dir, "renamed.bin")
	os.WriteFile(p, signed, 0o644)
	trust, err := signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{root.PEM()}})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := describe(&out, p, trust, testpki.Epoch); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{": pe, ", "signature 0 authenticode : valid", "digest sha256 intact=true", "signer CN=Embed Vendor"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}

	// Tampering shows in the facts.
	signed[0x400+3] ^= 1
	os.WriteFile(p, signed, 0o644)
	out.Reset()
	if err := describe(&out, p, trust, testpki.Epoch); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), ": invalid") || !strings.Contains(out.String(), "intact=false") {
		t.Errorf("tampered file:\n%s", out.String())
	}
}
