package blocklist

import (
	"bytes"
	"crypto/x509"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// fuzzLoader runs Parse with a fixed format (or detection) over arbitrary
// input: it must never panic, must fail only with a *ParseError, and a list
// it returns must hold only well-formed entries that matching can use.
func fuzzLoader(f *testing.F, format Format, seedFiles []string, seeds ...[]byte) {
	for _, name := range seedFiles {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range seeds {
		f.Add(s)
	}
	root := testpki.NewRoot(testpki.Spec{CommonName: "Fuzz Root"})
	leaf := root.Issue(testpki.Spec{CommonName: "Fuzz Leaf", KeyN: 1})
	chain := []signing.Identity{signing.NewIdentity(leaf.Cert), signing.NewIdentity(root.Cert)}
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := Parse(bytes.NewReader(b), "fuzz", LoadOptions{Format: format, MaxSize: 1 << 20, Now: testpki.Epoch})
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is %T, not *ParseError", err, err)
			}
			return
		}
		for _, e := range l.Entries() {
			again := e
			if err := normalize(&again); err != nil || again.Value != e.Value {
				t.Fatalf("entry %+v not in normal form: %v", e, err)
			}
		}
		for _, p := range []Policy{PolicyStrict, PolicyWindows, PolicyAny} {
			for _, h := range l.MatchChain(chain, testpki.Epoch, true, p) {
				_ = h.Finding()
			}
		}
		for _, e := range l.Entries() {
			if e.Kind.IsFile() {
				h := FileHashes{Authentihash: map[string]string{"sha256": e.Value}, CDHashes: []string{e.Value}}
				switch e.Kind {
				case KindFileSHA256:
					h.SHA256 = e.Value
				case KindFileSHA1:
					h.SHA1 = e.Value
				case KindFileMD5:
					h.MD5 = e.Value
				}
				if len(l.MatchFile(h)) == 0 {
					t.Fatalf("entry %+v does not match its own hash", e)
				}
			}
		}
		l.NeedsHashes()
	})
}

func FuzzParse(f *testing.F) {
	fuzzLoader(f, FormatAuto, []string{"sophos-3cx.csv", "hashes.txt", "native.json", "native.yaml", "sipolicy.xml"})
}

func FuzzNative(f *testing.F) {
	fuzzLoader(f, FormatNative, []string{"native.json", "native.yaml"}, defaultJSON,
		[]byte(`[{"kind":"serial","value":"01","notBefore":"2023-01-01","notAfter":"2023-02-01"}]`),
		[]byte("version: 1\nentries:\n  - kind: team-id\n    value: ABCDE12345\n"))
}

func FuzzCSV(f *testing.F) {
	fuzzLoader(f, FormatCSV, []string{"sophos-3cx.csv", "volexity-3cx.csv", "sophos-maldrivers.csv"},
		[]byte("type,value\ncertificate_serial,\"00 e4 e7\"\n"))
}

func FuzzHashes(f *testing.F) {
	fuzzLoader(f, FormatHashes, []string{"hashes.txt"})
}

func FuzzCertificates(f *testing.F) {
	root := testpki.NewRoot(testpki.Spec{CommonName: "Seed Root"})
	fuzzLoader(f, FormatCertificates, nil, root.PEM(), root.Cert.Raw)
}

func FuzzCRL(f *testing.F) {
	root := testpki.NewRoot(testpki.Spec{CommonName: "Seed Root"})
	der, err := x509.CreateRevocationList(testpki.NewRand(1), &x509.RevocationList{
		Number: big.NewInt(1), ThisUpdate: testpki.Epoch, NextUpdate: testpki.Epoch.AddDate(0, 1, 0),
		RevokedCertificateEntries: []x509.RevocationListEntry{
			{SerialNumber: big.NewInt(5), RevocationTime: testpki.Epoch, ReasonCode: 1},
			{SerialNumber: big.NewInt(6), RevocationTime: testpki.Epoch},
		},
	}, root.Cert, root.Key)
	if err != nil {
		f.Fatal(err)
	}
	fuzzLoader(f, FormatCRL, nil, der)
}

func FuzzCTL(f *testing.F) {
	root := testpki.NewRoot(testpki.Spec{CommonName: "Seed Root"})
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	fuzzLoader(f, FormatCTL, nil,
		makeCTL(f, root, oidDisallowedList, oidSHA1, []ctlSubject{{id: make([]byte, 20), fileTime: &at, name: "x"}, {id: bytes.Repeat([]byte{1}, 20)}}),
		makeCTL(f, root, oidDisallowedList, oidCertSignatureHash, []ctlSubject{{id: make([]byte, 16)}}))
}

func FuzzLOLDrivers(f *testing.F) {
	fuzzLoader(f, FormatLOLDrivers, []string{"loldrivers-sample.yaml", "loldrivers-drivers.json"})
}

func FuzzWDAC(f *testing.F) {
	fuzzLoader(f, FormatWDAC, []string{"sipolicy.xml"})
}
