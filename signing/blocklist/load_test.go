package blocklist

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/shipgate/shipgate/internal/strictyaml"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

func load(t *testing.T, name string, opts LoadOptions) *List {
	t.Helper()
	l, err := Load(filepath.Join("testdata", name), opts)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// kinds summarizes a list as "kind value" lines.
func kinds(l *List) []string {
	var out []string
	for _, e := range l.Entries() {
		out = append(out, e.Kind.String()+" "+e.Value)
	}
	return out
}

func findEntry(t *testing.T, l *List, k Kind, v string) Entry {
	t.Helper()
	for _, e := range l.Entries() {
		if e.Kind == k && e.Value == v {
			return e
		}
	}
	t.Fatalf("no %s entry %s in %v", k, v, kinds(l))
	return Entry{}
}

func hasWarning(l *List, s string) bool {
	for _, w := range l.Warnings() {
		if strings.Contains(w.Message, s) {
			return true
		}
	}
	return false
}

func TestDetect(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]Format{
		"sophos-3cx.csv":          FormatCSV,
		"volexity-3cx.csv":        FormatCSV,
		"sophos-maldrivers.csv":   FormatCSV,
		"hashes.txt":              FormatHashes,
		"native.json":             FormatNative,
		"native.yaml":             FormatNative,
		"loldrivers-sample.yaml":  FormatLOLDrivers,
		"loldrivers-drivers.json": FormatLOLDrivers,
		"sipolicy.xml":            FormatWDAC,
	} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if got := detect(b, name); got != want {
			t.Errorf("%s: detected %q, want %q", name, got, want)
		}
	}
	// A hash list whose first hash starts with "0" begins with byte 0x30,
	// like DER; it must still be read as text.
	if got := detect([]byte("# ours\n\nversion: 1\nentries: []\n"), "list"); got != FormatNative {
		t.Errorf("YAML after comments, no extension: %q", got)
	}
	if got := detect([]byte("0eeb1c0133eb4d571178b2d9d14ce3e9\n"), "x"); got != FormatHashes {
		t.Errorf("hash list starting with 0: %q", got)
	}
}

func TestSophosCSV(t *testing.T) {
	t.Parallel()
	l := load(t, "sophos-3cx.csv", LoadOptions{})
	if l.Len() != 6 {
		t.Fatalf("%d entries: %v", l.Len(), kinds(l))
	}
	e := findEntry(t, l, KindFileSHA256, "c485674ee63ec8d4e8fde9800788175a8b02d3f9416d0e763360fff7f8eb4e02")
	if e.Line != 5 || e.Note != "WIN: ffmpeg.dll signed by 3CX Ltd - backdoored at entry point" {
		t.Errorf("entry %+v", e)
	}
	// The Description row's URL ends with " \u200e": trimmed.
	if e.Reference != "https://news.sophos.com/en-us/2023/03/29/3cx-dll-sideloading-attack/" {
		t.Errorf("reference %q", e.Reference)
	}
	if !hasWarning(l, "url (3)") {
		t.Errorf("warnings %v", l.Warnings())
	}
	if s1, m5 := l.NeedsHashes(); s1 || m5 {
		t.Error("SHA-256-only list needs other hashes")
	}

	md := load(t, "sophos-maldrivers.csv", LoadOptions{})
	if md.Len() != 4 {
		t.Fatalf("%d entries: %v", md.Len(), kinds(md))
	}
	e = findEntry(t, md, KindFileSHA256, "00a0a09e08abca816857c446f88972ea78a3cee9833980df48b069f9612ba727")
	if !strings.Contains(e.Note, "thumbprint 8B2627FECD69A799EC949D7989D90D4B3E8801AB, compiled") {
		t.Errorf("quoted details lost: %q", e.Note)
	}
	findEntry(t, md, KindSerial, "2f038125a4b1c770011223344556677")
}

func TestVolexityCSV(t *testing.T) {
	t.Parallel()
	l := load(t, "volexity-3cx.csv", LoadOptions{})
	if l.Len() != 9 {
		t.Fatalf("%d entries: %v", l.Len(), kinds(l))
	}
	// Each packed cell is one file: SHA-1 and MD5 sit beside its SHA-256, so
	// the walker need not compute them.
	if s1, m5 := l.NeedsHashes(); s1 || m5 {
		t.Error("packed cells flagged as needing SHA-1/MD5")
	}
	hits := l.MatchFile(FileHashes{SHA1: "BF939C9C261D27EE7BB92325CC588624FCA75429", MD5: "74bc2d0b6680faa1a5a76b27e5479cbc"})
	if len(hits) != 2 || hits[0].Entry.Kind != KindFileSHA1 || hits[0].Entry.Line != 5 || hits[0].Entry.Note != "Backdoored copy of ffmpeg.dll" {
		t.Fatalf("hits %+v", hits)
	}
	if !hasWarning(l, "emailwhois (1)") || !hasWarning(l, "hostname (1)") {
		t.Errorf("warnings %v", l.Warnings())
	}
}

func TestHashList(t *testing.T) {
	t.Parallel()
	l := load(t, "hashes.txt", LoadOptions{})
	want := []string{
		"file-sha256 c485674ee63ec8d4e8fde9800788175a8b02d3f9416d0e763360fff7f8eb4e02",
		"file-sha256 7986bbaee8940da11ce089383521ab420c443ab7b15ed42aed91fd31ce833896",
		"file-sha1 bfecb8ce89a312d2ef4afc64a63847ae11c6f69e",
		"file-md5 0eeb1c0133eb4d571178b2d9d14ce3e9",
	}
	if got := kinds(l); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
	lines := []int{}
	for _, e := range l.Entries() {
		lines = append(lines, e.Line)
	}
	if !reflect.DeepEqual(lines, []int{2, 4, 5, 6}) {
		t.Errorf("lines %v", lines)
	}
	if e := l.Entries()[1]; e.Note != "ffmpeg.dll" {
		t.Errorf("sha256sum binary-mode name: %q", e.Note)
	}
	if s1, m5 := l.NeedsHashes(); !s1 || !m5 {
		t.Errorf("NeedsHashes = %v, %v", s1, m5)
	}
	a, err := Parse(strings.NewReader("77cb09dc2fc3c56f3b12ad03a85cedbe3a8e0bb876dadfd76a1fb6c57602817b\n"), "authentihash_samples_malicious.sha256", LoadOptions{})
	if err != nil || a.Entries()[0].Kind != KindAuthentihash {
		t.Fatalf("LOLDrivers authentihash list: %v %v", err, kinds(a))
	}
}

func TestNative(t *testing.T) {
	t.Parallel()
	j := load(t, "native.json", LoadOptions{})
	want := []string{
		"cert-sha1 451b7f8a4c0e669189e9382a09e423c2b875ad42",
		"issuer-serial c21d9e",
		"subject CAPCOM Co.,Ltd.",
		"cdhash 0123456789abcdef0123456789abcdef01234567",
		"authentihash 77cb09dc2fc3c56f3b12ad03a85cedbe3a8e0bb876dadfd76a1fb6c57602817b",
	}
	if got := kinds(j); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
	e := j.Entries()[1]
	if e.Line != 7 || e.Reason != ReasonSuperseded || !e.RevokedAt.Equal(time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("entry %+v", e)
	}
	y := load(t, "native.yaml", LoadOptions{})
	e = y.Entries()[0]
	if e.Value != "1b6611df9c9a4d6ecc8ed50c9b917873" || e.Line != 4 || e.Reason != ReasonKeyCompromise {
		t.Errorf("yaml entry %+v", e)
	}
	if !e.NotAfter.Equal(time.Date(2023, 3, 29, 23, 59, 59, 999999999, time.UTC)) {
		t.Errorf("date-only notAfter = %v, want the end of that day", e.NotAfter)
	}
	if e := y.Entries()[1]; e.Reason != ReasonKeyCompromise || e.Value != "33CF4654HL" {
		t.Errorf("numeric reason: %+v", e)
	}
}

func TestNativeRoundTrip(t *testing.T) {
	t.Parallel()
	// The default list is native JSON: it must load the same through auto
	// detection, and through a bare array.
	a := Default()
	b, err := Parse(bytes.NewReader(defaultJSON), DefaultSource, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Entries(), b.Entries()) {
		t.Error("auto-detected default list differs")
	}
	bare, err := Parse(strings.NewReader(`[{"kind":"file-md5","value":"0eeb1c0133eb4d571178b2d9d14ce3e9"}]`), "bare.json", LoadOptions{})
	if err != nil || bare.Len() != 1 {
		t.Fatalf("bare array: %v", err)
	}
	esc, err := Parse(strings.NewReader(`{"version":1,"entries":[{"kind":"file-md5","value":"0eeb1c0133eb4d571178b2d9d14ce3e9","note":"tab\there \u00e9"}]}`), "esc.json", LoadOptions{})
	if err != nil || esc.Entries()[0].Note != "tab\there é" {
		t.Fatalf("escapes: %v %+v", err, esc)
	}
}

func TestLOLDrivers(t *testing.T) {
	t.Parallel()
	l := load(t, "loldrivers-sample.yaml", LoadOptions{})
	want := []string{
		"file-sha256 090d409f86430e078694e621ad0bd5e458d32aa727f0eb99bda3961577df8d49",
		"file-sha1 e9bca8f4b8c60688eacc7d18c6ba7777c181bb84",
		"file-md5 41046ce853788277da0d7e8c4e0a3123",
		"authentihash 77cb09dc2fc3c56f3b12ad03a85cedbe3a8e0bb876dadfd76a1fb6c57602817b",
		"authentihash f27d87a335c87654ebbbde16d41645be85f0424a",
		"authentihash 7ca020674114f5f8aad94c9cc61dccb4",
		// Only the leaf certificate: TBS hashes and serial; never the CAs,
		// never subject strings.
		"tbs b9bd052aada420cdf0f6f5e50aa80cd8a38d94c7091bea582cbed83d7d5c632a",
		"tbs db9237e8f298effd7cdd1ca7f804ee2330b0112c",
		"tbs 5e1b3f4283ef844866a8ec5ade611af3",
		"tbs 3239cb107de6796fd1765919f9443a75640e71e12864b6c0879d2a61bf68952a300820eb331592a061b665ee5ad61ff9",
		"serial 67ec2f35e172353a55ccff3e52540492",
	}
	if got := kinds(l); !reflect.DeepEqual(got, want) {
		t.Fatalf("got\n%s", strings.Join(got, "\n"))
	}
	e := l.Entries()[0]
	if e.Line != 26 || e.Note != "malicious RWTKrl.sys" || e.Reference != "LOLDrivers 00561455-9da1-4f0c-8564-e4c99b716a74" {
		t.Errorf("entry %+v", e)
	}
	if s1, m5 := l.NeedsHashes(); s1 || m5 {
		t.Error("sample hashes grouped with their SHA-256 flagged as needed")
	}
	if s1, m5 := l.NeedsAuthentihashes(); s1 || m5 {
		t.Error("image hashes grouped with their SHA-256 flagged as needed")
	}

	j := load(t, "loldrivers-drivers.json", LoadOptions{})
	if j.Len() != 8 {
		t.Fatalf("%d entries:\n%s", j.Len(), strings.Join(kinds(j), "\n"))
	}
	for _, e := range j.Entries() {
		if e.Kind == KindTBS || e.Kind == KindSerial {
			t.Errorf("Microsoft WHCP certificate blocked: %v", e)
		}
	}
	if !hasWarning(j, "Microsoft") {
		t.Errorf("warnings %v", j.Warnings())
	}
	if _, m5 := j.NeedsHashes(); !m5 {
		t.Error("an MD5-only sample must ask for MD5")
	}
}

// TestLOLDriversMatchesLeaf writes a LOLDrivers record for a test leaf and
// checks the leaf is blocked by its TBS hash though the record's subject
// string is mangled as the extractor does.
func TestLOLDriversMatchesLeaf(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t, "Pinchins-Test Co\\Ltd", nil)
	leaf := signing.NewIdentity(pki.leaf.Cert)
	rec := `Id: 0a0a0a0a-0000-4000-8000-000000000001
Category: malicious
KnownVulnerableSamples:
- Filename: drv.sys
  SHA256: 090d409f86430e078694e621ad0bd5e458d32aa727f0eb99bda3961577df8d49
  Signature: ['Pinchins,Test Co', 'Blocklist Test Root']
  Signatures:
  - Certificates:
    - Subject: CN=Pinchins,Test CoLtd
      IsCertificateAuthority: false
      SerialNumber: 00` + leaf.Serial + `
      TBS:
        SHA1: ` + strings.ToUpper(leaf.TBS.SHA1) + `
`
	l, err := Parse(strings.NewReader(rec), "drv.yaml", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hits := l.MatchChain([]signing.Identity{leaf}, testpki.Epoch, false, PolicyStrict)
	if len(hits) != 2 || hits[0].Entry.Kind != KindSerial || hits[1].Entry.Kind != KindTBS {
		t.Fatalf("hits %+v", hits)
	}
}

func TestWDAC(t *testing.T) {
	t.Parallel()
	l := load(t, "sipolicy.xml", LoadOptions{})
	want := []string{
		"authentihash 94f7575a6bb378d0cf85b3dc65941c95415e7a80",
		"authentihash 77cb09dc2fc3c56f3b12ad03a85cedbe3a8e0bb876dadfd76a1fb6c57602817b",
		"subject CAPCOM Co.,Ltd.",
		"tbs 4843a82ed3b1f2bfbee9671960e1940c942f688d",
	}
	if got := kinds(l); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
	if e := l.Entries()[2]; e.ChainTBS != "a08e79c386083d875014c409c13d144e0a24386132980df11ff59737c8489eb1" || e.Line != 19 {
		t.Errorf("signer entry %+v", e)
	}
	if s1, m5 := l.NeedsAuthentihashes(); !s1 || m5 {
		t.Errorf("NeedsAuthentihashes = %v, %v; the policy has a SHA-1 image hash", s1, m5)
	}
	if !hasWarning(l, "ID_SIGNER_WINRING0") || !hasWarning(l, "1 page-hash") {
		t.Errorf("warnings %v", l.Warnings())
	}
	hits := l.MatchFile(FileHashes{Authentihash: map[string]string{"sha256": "77CB09DC2FC3C56F3B12AD03A85CEDBE3A8E0BB876DADFD76A1FB6C57602817B", "sha1": "00"}})
	if len(hits) != 1 || hits[0].Finding().Rule != RuleFileKnownBad {
		t.Errorf("authentihash hits %v", hits)
	}
}

// TestWDACSignerMatch: a denied signer with CertRoot (the issuing CA's TBS
// hash) and CertPublisher blocks that publisher's leaf only.
func TestWDACSignerMatch(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t, "CAPCOM Co.,Ltd.", nil)
	root := signing.NewIdentity(pki.root.Cert)
	xml := `<SiPolicy xmlns="urn:schemas-microsoft-com:sipolicy">
<Signers><Signer ID="S1" Name="Test"><CertRoot Type="TBS" Value="` + root.TBS.SHA256 + `"/><CertPublisher Value="CAPCOM Co.,Ltd."/></Signer></Signers>
<SigningScenarios><SigningScenario Value="131" ID="X"><ProductSigners><DeniedSigners><DeniedSigner SignerId="S1"/></DeniedSigners></ProductSigners></SigningScenario></SigningScenarios>
</SiPolicy>`
	l, err := Parse(strings.NewReader(xml), "p.xml", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	chain := []signing.Identity{signing.NewIdentity(pki.leaf.Cert), root}
	if hits := l.MatchChain(chain, testpki.Epoch, true, PolicyWindows); len(hits) != 1 {
		t.Fatalf("publisher under CA: %v", hits)
	}
	other := pki.root.Issue(testpki.Spec{CommonName: "Other Vendor", KeyN: 4})
	if hits := l.MatchChain([]signing.Identity{signing.NewIdentity(other.Cert), root}, testpki.Epoch, true, PolicyAny); len(hits) != 0 {
		t.Fatalf("other publisher blocked: %v", hits)
	}
}

func TestCertificates(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t, "Blocked Signer", nil)
	var b bytes.Buffer
	b.WriteString("# certificates to block\n")
	b.Write(pki.leaf.PEM())
	b.Write(pki.leaf.KeyPEM()) // a stray key is skipped, not blocked
	b.Write(pki.tsa.PEM())
	l, err := Parse(&b, "certs.pem", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != 2 || l.Entries()[0].Line != 2 || !hasWarning(l, "PRIVATE KEY") {
		t.Fatalf("entries %v warnings %v", kinds(l), l.Warnings())
	}
	der, err := Parse(bytes.NewReader(pki.leaf.Cert.Raw), "leaf.cer", LoadOptions{})
	if err != nil || der.Len() != 1 {
		t.Fatalf("DER: %v", err)
	}
	leaf := signing.NewIdentity(pki.leaf.Cert)
	if hits := der.MatchChain([]signing.Identity{leaf}, testpki.Epoch, true, PolicyWindows); len(hits) != 1 {
		t.Fatalf("hits %v", hits)
	}
}

// makeCRL issues a CRL from issuer revoking the given entries.
func makeCRL(t testing.TB, issuer *testpki.Cert, entries []x509.RevocationListEntry, next time.Time) []byte {
	t.Helper()
	der, err := x509.CreateRevocationList(testpki.NewRand(7), &x509.RevocationList{
		Number: big.NewInt(42), ThisUpdate: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), NextUpdate: next,
		RevokedCertificateEntries: entries,
	}, issuer.Cert, issuer.Key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestCRL(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t, "Revoked Signer", big.NewInt(0x0a0b0c))
	revokedAt := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	der := makeCRL(t, pki.root, []x509.RevocationListEntry{
		{SerialNumber: big.NewInt(0x0a0b0c), RevocationTime: revokedAt, ReasonCode: int(ReasonSuperseded)},
		{SerialNumber: big.NewInt(0x77), RevocationTime: revokedAt, ReasonCode: int(ReasonKeyCompromise)},
		{SerialNumber: big.NewInt(0x78), RevocationTime: revokedAt, ReasonCode: int(ReasonRemoveFromCRL)},
	}, time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC))
	now := time.Date(2024, 6, 15, 0, 0, 0, 0, time.UTC)

	l, err := Parse(bytes.NewReader(der), "root.crl", LoadOptions{CRLIssuer: pki.root.Cert, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(l); !reflect.DeepEqual(got, []string{"issuer-serial a0b0c", "issuer-serial 77"}) {
		t.Fatalf("entries %v", got)
	}
	e := l.Entries()[0]
	if !bytes.Equal(e.IssuerDER, pki.root.Cert.RawSubject) || !e.RevokedAt.Equal(revokedAt) || e.Reason != ReasonSuperseded || e.Offset == 0 {
		t.Errorf("entry %+v", e)
	}
	if hasWarning(l, "not verified") || !hasWarning(l, "removeFromCRL") {
		t.Errorf("warnings %v", l.Warnings())
	}
	chain := []signing.Identity{signing.NewIdentity(pki.leaf.Cert), signing.NewIdentity(pki.root.Cert)}
	if hits := l.MatchChain(chain, revokedAt.AddDate(0, 0, -1), true, PolicyWindows); len(hits) != 0 {
		t.Errorf("signed before revocation: %v", hits)
	}
	if hits := l.MatchChain(chain, revokedAt.AddDate(0, 0, 1), true, PolicyWindows); len(hits) != 1 {
		t.Errorf("signed after revocation: %v", hits)
	}
	// Same serial from another CA: not this CRL's certificate.
	otherRoot := testpki.NewRoot(testpki.Spec{CommonName: "Other Root", KeyN: 3})
	other := otherRoot.Issue(testpki.Spec{CommonName: "Other", Serial: big.NewInt(0x0a0b0c), KeyN: 1})
	if hits := l.MatchChain([]signing.Identity{signing.NewIdentity(other.Cert)}, now, false, PolicyAny); len(hits) != 0 {
		t.Errorf("serial from another issuer matched: %v", hits)
	}

	t.Run("pem without issuer", func(t *testing.T) {
		p := pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})
		l, err := Parse(bytes.NewReader(p), "root.crl.pem", LoadOptions{Now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		if l.Len() != 2 || !hasWarning(l, "signature not verified") || !hasWarning(l, "stale") {
			t.Errorf("entries %v warnings %v", kinds(l), l.Warnings())
		}
	})
	t.Run("wrong issuer", func(t *testing.T) {
		_, err := Parse(bytes.NewReader(der), "root.crl", LoadOptions{CRLIssuer: otherRoot.Cert})
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), "not the given issuer") {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("forged signature", func(t *testing.T) {
		// Same issuer name, another key: the name matches, the signature not.
		impostor := testpki.NewRoot(testpki.Spec{CommonName: "Blocklist Test Root", NotBefore: pkiFrom, NotAfter: pkiTo, KeyN: 5})
		forged := makeCRL(t, impostor, []x509.RevocationListEntry{{SerialNumber: big.NewInt(1), RevocationTime: revokedAt}}, pkiTo)
		_, err := Parse(bytes.NewReader(forged), "forged.crl", LoadOptions{CRLIssuer: pki.root.Cert})
		if err == nil || !strings.Contains(err.Error(), "signature does not verify") {
			t.Fatalf("err %v", err)
		}
	})
}

// ctlSpec describes a disallowed CTL to build.
type ctlSubject struct {
	id       []byte
	fileTime *time.Time
	name     string
}

// makeCTL builds a signed Microsoft CTL as disallowedcert.stl is laid out.
func makeCTL(t testing.TB, signer *testpki.Cert, usage, alg asn1.ObjectIdentifier, subjects []ctlSubject) []byte {
	t.Helper()
	mustDER := func(v any) []byte {
		b, err := asn1.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var subs []byte
	for _, s := range subjects {
		var attrs []byte
		if s.fileTime != nil {
			ft := make([]byte, 8)
			binary.LittleEndian.PutUint64(ft, uint64(s.fileTime.UnixNano()/100)+116444736000000000)
			attrs = append(attrs, testpki.TLV(0x30, mustDER(oidDisallowedFileTime), testpki.TLV(0x31, testpki.TLV(0x04, ft)))...)
		}
		if s.name != "" {
			var u []byte
			for _, c := range utf16.Encode([]rune(s.name + "\x00")) {
				u = binary.LittleEndian.AppendUint16(u, c)
			}
			attrs = append(attrs, testpki.TLV(0x30, mustDER(oidFriendlyName), testpki.TLV(0x31, testpki.TLV(0x04, u)))...)
		}
		sub := testpki.TLV(0x04, s.id)
		if attrs != nil {
			sub = append(sub, testpki.TLV(0x31, attrs)...)
		}
		subs = append(subs, testpki.TLV(0x30, sub)...)
	}
	ctl := testpki.TLV(0x30,
		testpki.TLV(0x30, mustDER(usage)),
		mustDER(big.NewInt(0x1d2c3b)), // sequenceNumber
		mustDER(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)),
		testpki.TLV(0x30, mustDER(alg), []byte{0x05, 0x00}),
		testpki.TLV(0x30, subs),
	)
	return testpki.SignCMS(testpki.CMSSpec{ContentType: oidCTL, Content: ctl, Signer: signer, Certs: []*testpki.Cert{signer}})
}

func TestCTL(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t, "Disallowed Signer", nil)
	leaf := signing.NewIdentity(pki.leaf.Cert)
	from := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	sha1ID := func(h string) []byte { b, _ := hexDecode(h); return b }
	stl := makeCTL(t, pki.root, oidDisallowedList, oidSHA1, []ctlSubject{
		{id: sha1ID(leaf.SHA1), fileTime: &from, name: "Disallowed Signer (test)"},
		{id: sha1ID(signing.NewIdentity(pki.tsa.Cert).SHA1)},
	})
	l, err := Parse(bytes.NewReader(stl), "disallowedcert.stl", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != 2 || !hasWarning(l, "CTL signature verifies") {
		t.Fatalf("entries %v warnings %v", kinds(l), l.Warnings())
	}
	e := l.Entries()[0]
	if e.Kind != KindCertSHA1 || e.NotBefore == nil || !e.NotBefore.Equal(from) || e.Note != "Disallowed Signer (test)" || e.Offset == 0 {
		t.Fatalf("entry %+v", e)
	}
	chain := []signing.Identity{leaf}
	// DisallowedFileTime: earlier timestamps still validate, under any policy.
	if hits := l.MatchChain(chain, from.AddDate(0, 0, -1), true, PolicyAny); len(hits) != 0 {
		t.Errorf("timestamped before DisallowedFileTime: %v", hits)
	}
	if hits := l.MatchChain(chain, from.AddDate(0, 0, 1), true, PolicyStrict); len(hits) != 1 {
		t.Errorf("timestamped after DisallowedFileTime: %v", hits)
	}

	t.Run("TBS signature hash", func(t *testing.T) {
		stl := makeCTL(t, pki.root, oidDisallowedList, oidCertSignatureHash, []ctlSubject{{id: sha1ID(leaf.TBS.MD5)}, {id: sha1ID(leaf.TBS.SHA256)}})
		l, err := Parse(bytes.NewReader(stl), "tbs.stl", LoadOptions{Format: FormatCTL})
		if err != nil {
			t.Fatal(err)
		}
		if hits := l.MatchChain(chain, from, false, PolicyWindows); len(hits) != 2 {
			t.Errorf("hits %v", hits)
		}
	})
	for _, c := range []struct {
		name string
		stl  []byte
		want string
	}{
		{"authroot is not a blocklist", makeCTL(t, pki.root, asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 10, 3, 9}, oidSHA1, []ctlSubject{{id: sha1ID(leaf.SHA1)}}), "not the disallowed list"},
		{"unknown algorithm", makeCTL(t, pki.root, oidDisallowedList, asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 5}, []ctlSubject{{id: make([]byte, 16)}}), "unsupported CTL subjectAlgorithm"},
		{"identifier length", makeCTL(t, pki.root, oidDisallowedList, oidSHA256, []ctlSubject{{id: make([]byte, 20)}}), "does not fit"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(bytes.NewReader(c.stl), "bad.stl", LoadOptions{})
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Offset < 0 || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v", err)
			}
		})
	}
}

func hexDecode(s string) ([]byte, error) {
	b := make([]byte, len(s)/2)
	for i := range b {
		var v byte
		for _, c := range []byte(s[2*i : 2*i+2]) {
			switch {
			case c >= '0' && c <= '9':
				v = v<<4 | (c - '0')
			case c >= 'a' && c <= 'f':
				v = v<<4 | (c - 'a' + 10)
			}
		}
		b[i] = v
	}
	return b, nil
}

// TestYAMLStrict checks each rejection of the strict YAML reader through the
// native YAML and LOLDrivers loaders: a *ParseError naming the source and
// the line, matching the reader's error kind.
func TestYAMLStrict(t *testing.T) {
	t.Parallel()
	const entry = "  - kind: serial\n    value: '01'\n"
	const lol = "Id: x\nKnownVulnerableSamples:\n  - SHA256: 0000000000000000000000000000000000000000000000000000000000000000\n"
	for _, c := range []struct {
		name   string
		format Format
		input  string
		line   int
		kind   error
	}{
		{"native duplicate entry field", FormatNative, "version: 1\nentries:\n  - kind: serial\n    value: '01'\n    value: '02'\n", 5, strictyaml.ErrDuplicateKey},
		{"native duplicate entries", FormatNative, "version: 1\nentries:\n" + entry + "entries: []\n", 5, strictyaml.ErrDuplicateKey},
		{"native second document", FormatNative, "version: 1\nentries:\n" + entry + "---\nversion: 1\nentries: []\n", 5, strictyaml.ErrMultipleDocuments},
		{"native anchor and alias", FormatNative, "version: 1\nentries:\n  - &e\n    kind: serial\n    value: '01'\n  - *e\n", 3, strictyaml.ErrAlias},
		{"native merge key", FormatNative, "version: 1\nentries:\n  - <<: {kind: serial}\n    value: '01'\n", 3, strictyaml.ErrAlias},
		{"native syntax", FormatNative, "version: 1\nentries: [\n", 0, strictyaml.ErrSyntax},
		{"loldrivers duplicate key", FormatLOLDrivers, lol + "Id: y\n", 4, strictyaml.ErrDuplicateKey},
		{"loldrivers second document", FormatLOLDrivers, lol + "---\n" + lol, 4, strictyaml.ErrMultipleDocuments},
		{"loldrivers alias", FormatLOLDrivers, "Id: &i x\nKnownVulnerableSamples: []\nTags: [*i]\n", 1, strictyaml.ErrAlias},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(c.input), "list.yaml", LoadOptions{Format: c.format})
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, c.kind) {
				t.Fatalf("err = %v, want a *ParseError for %v", err, c.kind)
			}
			if c.line > 0 && (pe.Line != c.line || !strings.Contains(err.Error(), "list.yaml:"+strconv.Itoa(c.line)+": ")) {
				t.Errorf("err %q at line %d, want %d", err, pe.Line, c.line)
			}
			if strings.Count(err.Error(), "list.yaml") != 1 {
				t.Errorf("err %q names the source more than once", err)
			}
		})
	}
	// The size cap is checked before the YAML is parsed.
	big := "version: 1\nentries:\n" + strings.Repeat(entry, 100)
	if _, err := Parse(strings.NewReader(big), "list.yaml", LoadOptions{MaxSize: int64(len(big) - 1)}); err == nil || !strings.Contains(err.Error(), "cap") {
		t.Errorf("over the cap: %v", err)
	}
	if _, err := Parse(strings.NewReader(big), "list.yaml", LoadOptions{MaxSize: int64(len(big))}); err != nil {
		t.Errorf("at the cap: %v", err)
	}
}

// TestMalformed checks that garbage is rejected with a ParseError locating
// the problem.
func TestMalformed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		format Format
		input  string
		line   int   // want this line, or
		offset int64 // this offset when line is 0
		msg    string
	}{
		{"json bad hash", "", "{\"version\": 1, \"entries\": [\n{\"kind\":\"file-sha256\",\"value\":\"00\"},\n{\"kind\":\"file-sha256\",\"value\":\"xyz\"}]}", 2, 0, "want 64 hex digits"},
		{"json unknown field", "", "{\"version\": 1,\n \"entries\": [\n {\"kind\":\"serial\",\"value\":\"01\",\"revoked\":\"2020-01-01\"}]}", 3, 0, "unknown field \"revoked\""},
		{"json version", "", `{"version": 2, "entries": []}`, 1, 0, "unsupported version"},
		{"json no entries", "", `{"version": 1}`, 1, 0, "missing \"entries\""},
		{"json trailing", "", `{"version": 1, "entries": []} []`, 1, 0, "data after"},
		{"json truncated", "", "{\"version\": 1, \"entries\": [\n{\"kind\":\"serial\"", 2, 0, "offset"},
		{"json window inverted", "", `{"version":1,"entries":[{"kind":"serial","value":"01","notBefore":"2023-02-01","notAfter":"2023-01-01"}]}`, 1, 0, "before notBefore"},
		{"json window on file", "", `{"version":1,"entries":[{"kind":"file-md5","value":"0eeb1c0133eb4d571178b2d9d14ce3e9","revokedAt":"2023-01-01"}]}`, 1, 0, "certificate entries only"},
		{"json bad time", "", `{"version":1,"entries":[{"kind":"serial","value":"01","revokedAt":"yesterday"}]}`, 1, 0, "RFC 3339"},
		{"json bad reason", "", `{"version":1,"entries":[{"kind":"serial","value":"01","reason":"bored"}]}`, 1, 0, "unknown revocation reason"},
		{"json bad kind", "", `{"version":1,"entries":[{"kind":"domain","value":"x"}]}`, 1, 0, "unknown entry kind"},
		{"yaml bad kind", "", "version: 1\nentries:\n  - kind: serial\n    value: '01'\n  - kind: url\n    value: x\n", 5, 0, "unknown entry kind"},
		{"yaml nested", "", "version: 1\nentries:\n  - kind: serial\n    value: [1]\n", 4, 0, "scalar"},
		{"yaml syntax", FormatNative, "version: 1\nentries:\n  - kind: serial\n   value: x: y\n", 2, 0, "yaml"},
		{"csv no columns", "", "foo,bar\n1,2\n", 1, 0, "names no indicator type column"},
		{"csv bad sha256", "", "\ufeffIndicator,Data,Note\r\nSHA256,aa124a4b,x\r\n", 2, 0, "64 hex digits"},
		{"csv bad packed cell", "", "value,entity_type,description\n\"abc,def\",file,x\n", 2, 0, "not an MD5"},
		{"hashes bad line", FormatHashes, "0eeb1c0133eb4d571178b2d9d14ce3e9\nnot-a-hash\n", 2, 0, "not an MD5"},
		{"pem bad certificate", FormatCertificates, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 1, 0, "certificate"},
		{"der garbage", FormatCRL, "\x30\x03\x02\x01\x01", 0, 0, "crl"},
		{"ctl garbage", FormatCTL, "\x30\x03\x02\x01\x01", 0, 0, "PKCS#7"},
		{"loldrivers no id", FormatLOLDrivers, "Category: malicious\nKnownVulnerableSamples: []\n", 1, 0, "without Id"},
		{"loldrivers samples not list", FormatLOLDrivers, "Id: x\nKnownVulnerableSamples:\n  a: b\n", 3, 0, "must be a list"},
		{"wdac syntax", FormatWDAC, "<SiPolicy>\n<Signers>\n<Signer ID='a'>\n</SiPolicy>", 4, 0, "element"},
		{"wdac bad hash", FormatWDAC, "<SiPolicy>\n<FileRules>\n<Deny ID='x' Hash='XYZ'/>\n</FileRules>\n</SiPolicy>", 3, 0, "hex digits"},
		{"wdac other root", FormatWDAC, "<Policy/>", 1, 0, "not <SiPolicy>"},
		{"unknown", "", "\x00\x01\x02binary", 0, 0, "unrecognized"},
		{"empty", "", "", 0, 0, "holds no entries"},
		{"comments only", "", "# none yet\n", 0, 0, "holds no entries"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(c.input), "bad-input", LoadOptions{Format: c.format})
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err %v (%T), want *ParseError", err, err)
			}
			if !strings.Contains(err.Error(), "bad-input") || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q lacks the source or %q", err, c.msg)
			}
			if c.line > 0 && pe.Line != c.line {
				t.Errorf("line %d, want %d (%v)", pe.Line, c.line, err)
			}
			if c.line == 0 && pe.Offset != c.offset {
				t.Errorf("offset %d, want %d (%v)", pe.Offset, c.offset, err)
			}
		})
	}
}

func TestDeterministicAndMerge(t *testing.T) {
	t.Parallel()
	a := load(t, "volexity-3cx.csv", LoadOptions{})
	b := load(t, "volexity-3cx.csv", LoadOptions{})
	if !reflect.DeepEqual(a.Entries(), b.Entries()) {
		t.Fatal("same input, different entries")
	}
	m := Default()
	m.Merge(a)
	m.Merge(load(t, "sophos-3cx.csv", LoadOptions{}))
	if m.Len() != Default().Len()+9+6 {
		t.Fatalf("merged Len %d", m.Len())
	}
	// ffmpeg.dll is listed by the default list, Volexity and Sophos: hits in
	// merge order, each naming its own source and line.
	hits := m.MatchFile(FileHashes{SHA256: "7986bbaee8940da11ce089383521ab420c443ab7b15ed42aed91fd31ce833896", SHA1: "bf939c9c261d27ee7bb92325cc588624fca75429"})
	var where []string
	for _, h := range hits {
		where = append(where, h.Entry.Where())
	}
	def := findEntry(t, Default(), KindFileSHA256, "7986bbaee8940da11ce089383521ab420c443ab7b15ed42aed91fd31ce833896")
	want := []string{def.Where(), "testdata/volexity-3cx.csv:5", "testdata/sophos-3cx.csv:6", "testdata/volexity-3cx.csv:5"}
	if !reflect.DeepEqual(where, want) {
		t.Fatalf("hits at %v, want %v", where, want)
	}
	f := hits[1].Finding()
	if f.Rule != RuleFileKnownBad || !strings.Contains(f.Message, "testdata/volexity-3cx.csv:5") || !strings.Contains(f.Message, "Backdoored copy of ffmpeg.dll") {
		t.Errorf("finding %+v", f)
	}
	// Volexity's packed cell stays one object after merging.
	if s1, m5 := m.NeedsHashes(); s1 || m5 {
		t.Error("merge lost the grouping of packed cells")
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	for _, p := range []Policy{PolicyStrict, PolicyWindows, PolicyAny} {
		q, err := ParsePolicy(p.String())
		if err != nil || q != p {
			t.Errorf("policy %v round trip: %v %v", p, q, err)
		}
	}
	if p, _ := ParsePolicy(""); p != PolicyStrict {
		t.Error("empty policy is not strict")
	}
	if _, err := ParsePolicy("ignore-timestamp"); err == nil {
		t.Error("unknown policy accepted")
	}
	for k := KindCertSHA1; k < numKinds; k++ {
		if j, err := ParseKind(k.String()); err != nil || j != k {
			t.Errorf("kind %v round trip", k)
		}
	}
	for r := range reasonNames {
		if q, err := ParseReason(r.String()); err != nil || q != r {
			t.Errorf("reason %v round trip", r)
		}
	}
	for _, f := range formats {
		if g, err := ParseFormat(string(f)); err != nil || g != f {
			t.Errorf("format %v round trip", f)
		}
	}
	for _, s := range []string{"1B:66:11:DF", " 0x00ab ", "00 F0 38", "0", "000", "a-b-c", "xyz", "", "0x"} {
		w, wok := signing.NormalizeSerial(s)
		g, gok := normalizeSerial(s)
		if w != g || wok != gok {
			t.Errorf("normalizeSerial(%q) = %q %v, signing says %q %v", s, g, gok, w, wok)
		}
	}
}

// TestDuplicateKeys: a key listed many times loads in linear time and
// matches every entry in load order.
func TestDuplicateKeys(t *testing.T) {
	t.Parallel()
	const n = 50_000
	var b strings.Builder
	b.WriteString("# the same hash, again and again\n")
	for i := 0; i < n; i++ {
		b.WriteString("0eeb1c0133eb4d571178b2d9d14ce3e9\n")
	}
	l, err := Parse(strings.NewReader(b.String()), "dups.txt", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hits := l.MatchFile(FileHashes{MD5: "0eeb1c0133eb4d571178b2d9d14ce3e9"})
	if len(hits) != n || hits[0].Entry.Line != 2 || hits[n-1].Entry.Line != n+1 {
		t.Fatalf("%d hits, first line %d", len(hits), hits[0].Entry.Line)
	}
	// Linear time, checked by structure rather than by the clock: the key's
	// tail is remembered, so each duplicate is linked in one step instead
	// of walking the chain of all the earlier ones.
	e := &l.entries[0]
	if tail := l.tails[e.Kind][indexKey(e)]; tail != int32(len(l.entries)) {
		t.Fatalf("tail of the duplicated key is %d, want %d: duplicates walk the chain", tail, len(l.entries))
	}
}
