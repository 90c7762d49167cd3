package verify

import (
	"archive/zip"
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// fixtures are generated once per test binary: a test PKI for Windows
// signing, Apple's stand-in PKI, and files signed with them.
type fixtures struct {
	winRoot, winLeaf, otherLeaf *testpki.Cert
	apple                       *machofile.PKI

	peValid, peUnsigned, peTampered, peUntrusted []byte
	machoValid, machoAdhoc, machoUnsigned        []byte
	fat                                          []byte
	trust                                        *signing.TrustStore
}

var (
	fixOnce sync.Once
	fix     *fixtures
	fixErr  error
)

func getFixtures(t testing.TB) *fixtures {
	t.Helper()
	fixOnce.Do(func() { fix, fixErr = makeFixtures() })
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	return fix
}

// checkTime is the fixed time tests verify at.
var checkTime = testpki.Epoch.Add(24 * time.Hour)

func makeFixtures() (*fixtures, error) {
	f := &fixtures{}
	f.winRoot = testpki.NewRoot(testpki.Spec{CommonName: "Shipgate Test Root", CA: true, MaxPathLen: -1})
	f.winLeaf = f.winRoot.Issue(testpki.Spec{CommonName: "Example Vendor Ltd", Organization: "Example Vendor Ltd", KeyN: 1})
	otherRoot := testpki.NewRoot(testpki.Spec{CommonName: "Nobody Trusts Me Root", CA: true, MaxPathLen: -1, KeyN: 2})
	f.otherLeaf = otherRoot.Issue(testpki.Spec{CommonName: "Someone Else", KeyN: 3})
	f.apple = machofile.NewPKI()

	img, err := pefile.Build(pefile.Spec{})
	if err != nil {
		return nil, err
	}
	f.peUnsigned = img
	if f.peValid, err = pefile.SignAttach(img, pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot}}); err != nil {
		return nil, err
	}
	if f.peUntrusted, err = pefile.SignAttach(img, pefile.SignSpec{Signer: f.otherLeaf}); err != nil {
		return nil, err
	}
	f.peTampered = append([]byte(nil), f.peValid...)
	f.peTampered[0x400+10] ^= 0xff // a byte of the code section

	thin := machofile.Build(machofile.Spec{})
	f.machoUnsigned = thin
	if f.machoValid, _, err = machofile.Sign(thin, f.apple.DeveloperIDSpec("com.example.app")); err != nil {
		return nil, err
	}
	if f.machoAdhoc, _, err = machofile.Sign(thin, machofile.SignSpec{Identifier: "com.example.helper", Flags: machofile.FlagAdhoc}); err != nil {
		return nil, err
	}
	x86 := machofile.Build(machofile.Spec{CPU: machofile.CPUX86_64, Seed: 2})
	x86Signed, _, err := machofile.Sign(x86, f.apple.DeveloperIDSpec("com.example.app"))
	if err != nil {
		return nil, err
	}
	f.fat = machofile.Fat([]machofile.Arch{{Data: f.machoValid}, {Data: x86Signed}}, false)

	var pem bytes.Buffer
	pem.Write(f.winRoot.PEM())
	pem.Write(f.apple.Root.PEM())
	f.trust, err = signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{pem.Bytes()}})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// writeTree writes files (report path -> bytes) under dir.
func writeTree(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// zipEntry is one entry for makeZip.
type zipEntry struct {
	name   string
	data   []byte
	store  bool
	mode   os.FileMode
	rawHdr bool // write the name as is (no validation by archive/zip)
}

func makeZip(t testing.TB, entries []zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: testpki.Epoch}
		if e.store {
			h.Method = zip.Store
		}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// packAsar packs files into an asar archive.
func packAsar(files []electronfix.AsarFile) []byte {
	a, _ := electronfix.PackAsar(files)
	return a
}

// The verify tests' stand-in Apple root (machofile.NewPKI's, the same key
// and name in every PKI it makes) counts as Apple's, so that team IDs under
// it match as under Apple's own roots.
func init() {
	stand := machofile.NewPKI().Root.Cert
	appleAnchor = func(c *x509.Certificate) bool {
		return signing.IsAppleRoot(c) || bytes.Equal(c.RawSubjectPublicKeyInfo, stand.RawSubjectPublicKeyInfo) && bytes.Equal(c.RawSubject, stand.RawSubject)
	}
}
