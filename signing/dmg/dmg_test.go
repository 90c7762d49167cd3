package dmg

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/internal/ticketfile"
	"github.com/shipgate/shipgate/signing"
)

var checkTime = machofile.SignTime.AddDate(0, 1, 0)

var testPKI = machofile.NewPKI()

func trust(t testing.TB) *signing.TrustStore {
	ts, err := signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{testPKI.Root.PEM()}})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func signed(t testing.TB, s dmgfile.Spec, spec machofile.SignSpec, trailer []byte) ([]byte, *dmgfile.Layout) {
	img, lay := dmgfile.Build(s)
	out, l, err := dmgfile.Sign(img, lay, spec, trailer)
	if err != nil {
		t.Fatal(err)
	}
	return out, l
}

func run(t testing.TB, b []byte) *Result {
	t.Helper()
	res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{Trust: trust(t), Time: checkTime})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// rules returns the distinct rules of the findings, sorted.
func rules(res *Result) []string {
	var out []string
	for _, f := range res.Findings {
		if !slices.Contains(out, string(f.Rule)) {
			out = append(out, string(f.Rule))
		}
	}
	sort.Strings(out)
	return out
}

func dump(res *Result) string {
	var b strings.Builder
	for _, f := range res.Findings {
		b.WriteString(string(f.Rule) + " " + f.Severity.String() + ": " + f.Message + "\n")
	}
	for _, c := range res.Signature.Checks {
		b.WriteString("check " + string(c.Name) + " " + map[bool]string{true: "ok", false: "FAIL"}[c.OK] + ": " + c.Detail + "\n")
	}
	return b.String()
}

func expect(t *testing.T, res *Result, status signing.Status, want ...string) {
	t.Helper()
	want = append(want, string(RuleFilesystemNotOpened))
	sort.Strings(want)
	if got := rules(res); res.Status() != status || !slices.Equal(got, want) {
		t.Errorf("status %s rules %v, want %s %v\n%s", res.Status(), got, status, want, dump(res))
	}
}

func TestValidSigned(t *testing.T) {
	t.Parallel()
	b, _ := signed(t, dmgfile.Spec{}, dmgfile.SignSpec(testPKI, "com.example.dmg"), nil)
	res := run(t, b)
	expect(t, res, signing.StatusValid)
	if res.CodeSignature == nil || res.CodeSignature.TeamID != machofile.TeamID || len(res.CodeSignature.CDHashes) != 1 {
		t.Errorf("code signature %+v", res.CodeSignature)
	}
	if res.Signature.Signer == nil || !strings.Contains(res.Signature.Signer.Subject, "Example Corp") {
		t.Errorf("signer %+v", res.Signature.Signer)
	}
	if res.Signature.Timestamp == nil || !res.Signature.Timestamp.Verified {
		t.Errorf("timestamp %+v", res.Signature.Timestamp)
	}
	if res.FileSystems[1] != "APFS" {
		t.Errorf("file systems %v", res.FileSystems)
	}
	if len(res.Image.Partitions) != 3 {
		t.Errorf("%d partitions", len(res.Image.Partitions))
	}
}

func TestUnsigned(t *testing.T) {
	t.Parallel()
	b, _ := dmgfile.Build(dmgfile.Spec{})
	expect(t, run(t, b), signing.StatusUnsigned, string(RuleUnsigned))
}

// TestFileHash checks that FileHash receives every byte once, signed or not.
func TestFileHash(t *testing.T) {
	t.Parallel()
	u, _ := dmgfile.Build(dmgfile.Spec{})
	s, _ := signed(t, dmgfile.Spec{}, dmgfile.SignSpec(testPKI, "x"), nil)
	for _, b := range [][]byte{u, s} {
		h := sha256.New()
		if _, err := Verify(bytes.NewReader(b), int64(len(b)), Options{FileHash: h}); err != nil {
			t.Fatal(err)
		}
		if want := sha256.Sum256(b); !bytes.Equal(h.Sum(nil), want[:]) {
			t.Error("FileHash did not receive the file")
		}
	}
}

func TestTamperedDataByte(t *testing.T) {
	t.Parallel()
	b, lay := signed(t, dmgfile.Spec{}, dmgfile.SignSpec(testPKI, "x"), nil)
	raw := lay.Chunk(dmgfile.ChunkRaw)
	// The MBR chunk is the first raw one; flip a byte of the APFS raw chunk.
	for _, c := range lay.Chunks {
		if c.Type == dmgfile.ChunkRaw && c.Partition == 1 {
			raw = c
		}
	}
	b[raw.Off+100] ^= 1
	expect(t, run(t, b), signing.StatusInvalid, string(RuleChecksumMismatch), "codesign/page-hash-mismatch")
}

// TestTamperedDataByteUnsigned: without a signature the CRC-32s still
// catch the change.
func TestTamperedDataByteUnsigned(t *testing.T) {
	t.Parallel()
	b, lay := dmgfile.Build(dmgfile.Spec{})
	z := lay.Chunk(dmgfile.ChunkZlib)
	b[z.Off+z.Len/2] ^= 0x20
	res := run(t, b)
	if !slices.Contains(rules(res), string(RuleChecksumMismatch)) {
		t.Errorf("rules %v", rules(res))
	}
}

func TestTamperedPlist(t *testing.T) {
	t.Parallel()
	b, lay := signed(t, dmgfile.Spec{}, dmgfile.SignSpec(testPKI, "x"), nil)
	i := bytes.Index(b[lay.XMLOff:], []byte("Apple_APFS"))
	copy(b[lay.XMLOff+i:], "Apple_HFSX")
	expect(t, run(t, b), signing.StatusInvalid, "codesign/page-hash-mismatch")
}

func TestTamperedKoly(t *testing.T) {
	t.Parallel()
	b, _ := signed(t, dmgfile.Spec{}, dmgfile.SignSpec(testPKI, "x"), nil)
	b[len(b)-512+488] ^= 3 // image variant: bound by special slot 6
	expect(t, run(t, b), signing.StatusInvalid, "codesign/special-slot-mismatch")
}

func TestSignedByAnotherTeam(t *testing.T) {
	t.Parallel()
	other := testPKI.CA.Issue(testpki.Spec{
		CommonName: "Developer ID Application: Other Corp (OTHER98765)", Organization: "Other Corp", OrganizationalUnit: "OTHER98765",
		KeyN: 21, ExtraExtensions: machofile.DeveloperIDLeafExtensions(),
	})
	spec := dmgfile.SignSpec(testPKI, "x")
	spec.TeamID = "OTHER98765"
	s := testPKI.Signer()
	s.Leaf = other
	spec.CMS = s.CMS
	b, _ := signed(t, dmgfile.Spec{}, spec, nil)
	res := run(t, b)
	// Intact and trusted: telling teams apart is the policy's job.
	expect(t, res, signing.StatusValid)
	if res.CodeSignature.TeamID != "OTHER98765" || !strings.Contains(res.Signature.Signer.Subject, "OTHER98765") {
		t.Errorf("team %q signer %q", res.CodeSignature.TeamID, res.Signature.Signer.Subject)
	}
	// The team in the CodeDirectory must be the certificate's.
	spec.TeamID = machofile.TeamID
	b, _ = signed(t, dmgfile.Spec{}, spec, nil)
	expect(t, run(t, b), signing.StatusInvalid, "codesign/team-id-mismatch")
}

func TestUntrustedSigner(t *testing.T) {
	t.Parallel()
	spec := dmgfile.SignSpec(testPKI, "x")
	spec.CMS = machofile.Signer{Leaf: testPKI.Other, SigningTime: machofile.SignTime}.CMS
	b, _ := signed(t, dmgfile.Spec{}, spec, nil)
	expect(t, run(t, b), signing.StatusUntrusted, "codesign/untrusted-chain")
}

func TestTrailingBytes(t *testing.T) {
	t.Parallel()
	t.Run("after the signature", func(t *testing.T) {
		b, _ := signed(t, dmgfile.Spec{}, dmgfile.SignSpec(testPKI, "x"), []byte("stage2 payload between the signature and the koly trailer"))
		expect(t, run(t, b), signing.StatusInvalid, string(RuleUnownedData))
	})
	t.Run("zero padding after the signature", func(t *testing.T) {
		b, _ := signed(t, dmgfile.Spec{}, dmgfile.SignSpec(testPKI, "x"), make([]byte, 64))
		res := run(t, b)
		expect(t, res, signing.StatusValid, string(RuleUnownedData))
	})
	t.Run("unsigned, after the plist", func(t *testing.T) {
		b, _ := dmgfile.Build(dmgfile.Spec{Trailer: []byte("payload")})
		expect(t, run(t, b), signing.StatusInvalid, string(RuleUnownedData), string(RuleUnsigned))
	})
	t.Run("after the koly trailer", func(t *testing.T) {
		b, _ := signed(t, dmgfile.Spec{}, dmgfile.SignSpec(testPKI, "x"), nil)
		b = append(b, "appended"...)
		if _, err := Verify(bytes.NewReader(b), int64(len(b)), Options{}); !errors.Is(err, ErrNotDMG) {
			t.Errorf("err %v, want ErrNotDMG", err)
		}
	})
}

func putKoly(b []byte, field int, v uint64) {
	binary.BigEndian.PutUint64(b[len(b)-512+field:], v)
}

func TestKolyOutOfRange(t *testing.T) {
	t.Parallel()
	base, lay := signed(t, dmgfile.Spec{}, dmgfile.SignSpec(testPKI, "x"), nil)
	cases := []struct {
		name   string
		edit   func(b []byte)
		status signing.Status
		rules  []string
	}{
		{"signature past the end", func(b []byte) { putKoly(b, kolySigLength, 1<<40) }, signing.StatusMalformed, []string{string(RuleSignatureOutOfRange)}},
		{"signature offset wraps", func(b []byte) { putKoly(b, kolySigOffset, ^uint64(0)-4) }, signing.StatusMalformed, []string{string(RuleSignatureOutOfRange)}},
		{"signature over the data fork", func(b []byte) { putKoly(b, kolySigOffset, 16) }, signing.StatusMalformed, []string{string(RuleSignatureOutOfRange)}},
		{"data fork past the end", func(b []byte) { putKoly(b, kolyDataForkOffset+8, 1<<50) }, signing.StatusInvalid, nil},
		{"plist past the end", func(b []byte) { putKoly(b, kolyXMLOffset+8, 1<<50) }, signing.StatusInvalid, nil},
		{"sector count huge", func(b []byte) { putKoly(b, kolySectorCount, 1<<62) }, signing.StatusInvalid, nil},
		{"plist length short", func(b []byte) { putKoly(b, kolyXMLOffset+8, uint64(lay.XMLLen-10)) }, signing.StatusInvalid, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := bytes.Clone(base)
			c.edit(b)
			res := run(t, b)
			if res.Status() != c.status {
				t.Errorf("status %s, want %s\n%s", res.Status(), c.status, dump(res))
			}
			for _, r := range c.rules {
				if !slices.Contains(rules(res), r) {
					t.Errorf("no %s in %v", r, rules(res))
				}
			}
		})
	}
}

func TestNotDMG(t *testing.T) {
	t.Parallel()
	for _, b := range [][]byte{nil, make([]byte, 511), make([]byte, 4096)} {
		if _, err := Verify(bytes.NewReader(b), int64(len(b)), Options{}); !errors.Is(err, ErrNotDMG) {
			t.Errorf("%d bytes: err %v", len(b), err)
		}
	}
	b, _ := dmgfile.Build(dmgfile.Spec{})
	binary.BigEndian.PutUint32(b[len(b)-512+4:], 3)
	var fe *FormatError
	if _, err := Verify(bytes.NewReader(b), int64(len(b)), Options{}); !errors.As(err, &fe) {
		t.Errorf("version 3: err %v", err)
	}
}

// TestLZFSEChunks: an image whose file system partition is stored in
// LZFSE chunks (v2, LZVN and raw blocks) decodes and its checksums match.
func TestLZFSEChunks(t *testing.T) {
	t.Parallel()
	b, _ := dmgfile.Build(dmgfile.Spec{LZFSEChunks: true})
	res := run(t, b)
	expect(t, res, signing.StatusUnsigned, string(RuleUnsigned))
	for _, c := range res.Signature.Checks {
		if strings.Contains(c.Detail, "not fully decoded") {
			t.Errorf("check %s: %s", c.Name, c.Detail)
		}
	}
}

// TestLZFSECorrupt: an LZFSE chunk whose bytes are not an LZFSE stream is
// malformed, and the message names the chunk and the stream's offset.
func TestLZFSECorrupt(t *testing.T) {
	t.Parallel()
	b, _ := dmgfile.Build(dmgfile.Spec{LZFSE: true})
	res := run(t, b)
	expect(t, res, signing.StatusInvalid, string(RuleUnsigned), string(RuleMalformed))
	for _, f := range res.Findings {
		if f.Rule == RuleMalformed && !strings.Contains(f.Message, "LZFSE, sectors") || f.Rule == RuleMalformed && !strings.Contains(f.Message, "lzfse: at byte 0") {
			t.Errorf("message %q does not name the codec and offset", f.Message)
		}
	}
}

// TestUnknownChunkType: a chunk of a type no codec has is malformed.
func TestUnknownChunkType(t *testing.T) {
	t.Parallel()
	b, _ := dmgfile.Build(dmgfile.Spec{LZFSE: true, UnknownChunk: true})
	res := run(t, b)
	expect(t, res, signing.StatusInvalid, string(RuleUnsigned), string(RuleMalformed), string(RuleUnownedData))
}

// TestExpansionLimit: a zero-fill chunk claiming a huge run of sectors is
// not expanded past the limit.
func TestExpansionLimit(t *testing.T) {
	t.Parallel()
	b, _ := dmgfile.Build(dmgfile.Spec{})
	res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{MaxExpanded: 8 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(rules(res), string(RuleExpansionLimit)) {
		t.Errorf("rules %v", rules(res))
	}
}

// TestBuiltChecksums pins the generator's checksums to this package's
// reading of them.
func TestBuiltChecksums(t *testing.T) {
	t.Parallel()
	b, lay := dmgfile.Build(dmgfile.Spec{})
	k, err := ParseKoly(b[len(b)-512:])
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := k.DataChecksum.CRC32(); !ok || c != crc32.ChecksumIEEE(b[:lay.DataFork[1]]) {
		t.Errorf("data fork checksum %08x", c)
	}
}

func ticketSpec(n int) machofile.SignSpec {
	spec := dmgfile.SignSpec(testPKI, "x")
	spec.ExtraBlobs = []machofile.ExtraBlob{{Slot: 0x10002, Data: machofile.Blob(0xfade0b01, bytes.Repeat([]byte{0x73}, n))}}
	return spec
}

// stapled returns a signed image with ticket(cdhashes of its signature)
// stapled into the ticket slot, as stapler does after signing. The koly is
// bound with a zero signature length, so stapling keeps the cdhashes.
func stapled(t *testing.T, ticket func(cdhashes ...[]byte) []byte) ([]byte, *dmgfile.Layout) {
	_, lay := signed(t, dmgfile.Spec{}, dmgfile.SignSpec(testPKI, "x"), nil)
	var hs [][]byte
	for _, cd := range lay.Sign.CDs {
		hs = append(hs, cd.CDHash())
	}
	spec := dmgfile.SignSpec(testPKI, "x")
	spec.ExtraBlobs = []machofile.ExtraBlob{{Slot: 0x10002, Data: ticketfile.BlobWrapper(ticket(hs...))}}
	return signed(t, dmgfile.Spec{}, spec, nil)
}

// TestStapledTicket: stapler adds the notarization ticket to the
// SuperBlob after signing; it is parsed and bound to the image's cdhash,
// reported as unverified, and not mistaken for tampering.
func TestStapledTicket(t *testing.T) {
	t.Parallel()
	b, _ := stapled(t, ticketfile.Ticket)
	res := run(t, b)
	expect(t, res, signing.StatusValid, "codesign/notarization-ticket-unverified")
	n := res.Signature.Notarization
	if n == nil || n.Status != signing.NotarizationStapledUnverified || !n.Bound() || n.TicketSigner != "Software Ticket Signing" {
		t.Errorf("notarization %+v", n)
	}
}

// TestStapledTicketOtherCode: a ticket for other code (naming another
// cdhash) is parsed but not bound: a warning.
func TestStapledTicketOtherCode(t *testing.T) {
	t.Parallel()
	b, _ := stapled(t, func(...[]byte) []byte { return ticketfile.Ticket(bytes.Repeat([]byte{9}, 20)) })
	res := run(t, b)
	expect(t, res, signing.StatusValid, "codesign/notarization-ticket-mismatch", "codesign/notarization-ticket-unverified")
	if n := res.Signature.Notarization; n == nil || n.Bound() || n.Status != signing.NotarizationStapledUnverified {
		t.Errorf("notarization %+v", n)
	}
}

// TestStapledTicketMalformed: garbage, a truncated ticket, trailing bytes
// after one, and a ticket not in a blob wrapper are unsealed bytes in the
// signature: errors.
func TestStapledTicketMalformed(t *testing.T) {
	t.Parallel()
	for name, data := range map[string][]byte{
		"garbage":       ticketfile.BlobWrapper([]byte("stage2 payload, not a ticket")),
		"truncated":     ticketfile.BlobWrapper(ticketfile.Ticket(bytes.Repeat([]byte{1}, 20))[:300]),
		"raw s8ch blob": machofile.Blob(0x73386368, ticketfile.Ticket(bytes.Repeat([]byte{1}, 20))[8:]),
	} {
		t.Run(name, func(t *testing.T) {
			spec := dmgfile.SignSpec(testPKI, "x")
			spec.ExtraBlobs = []machofile.ExtraBlob{{Slot: 0x10002, Data: data}}
			b, _ := signed(t, dmgfile.Spec{}, spec, nil)
			res := run(t, b)
			expect(t, res, signing.StatusInvalid, "codesign/notarization-ticket-malformed")
			if n := res.Signature.Notarization; n == nil || n.Status != signing.NotarizationMalformed {
				t.Errorf("notarization %+v", n)
			}
		})
	}
}

// TestStapledTicketLayout: bytes after the content a ticket's header
// declares are reported (codesign/notarization-ticket-layout, a warning, as
// shipgate's reading of that length is unconfirmed) and said in the facts.
func TestStapledTicketLayout(t *testing.T) {
	t.Parallel()
	spec := dmgfile.SignSpec(testPKI, "x")
	spec.ExtraBlobs = []machofile.ExtraBlob{{Slot: 0x10002, Data: ticketfile.BlobWrapper(append(ticketfile.Ticket(bytes.Repeat([]byte{1}, 20)), "stage2"...))}}
	b, _ := signed(t, dmgfile.Spec{}, spec, nil)
	res := run(t, b)
	expect(t, res, signing.StatusValid, "codesign/notarization-ticket-layout", "codesign/notarization-ticket-mismatch", "codesign/notarization-ticket-unverified")
	if n := res.Signature.Notarization; n == nil || n.Status != signing.NotarizationStapledUnverified || !strings.Contains(n.Detail, "6 bytes follow") {
		t.Errorf("notarization %+v", n)
	}
}

// TestNotStapled: a signed image without a ticket says so.
func TestNotStapled(t *testing.T) {
	t.Parallel()
	b, _ := signed(t, dmgfile.Spec{}, dmgfile.SignSpec(testPKI, "x"), nil)
	if n := run(t, b).Signature.Notarization; n == nil || n.Status != signing.NotarizationNotStapled || len(n.CDHashes) != 1 {
		t.Errorf("notarization %+v", n)
	}
}

// TestStapledTicketOversized: the ticket slot is no place for a payload.
func TestStapledTicketOversized(t *testing.T) {
	t.Parallel()
	b, _ := signed(t, dmgfile.Spec{}, ticketSpec(100<<10), nil)
	expect(t, run(t, b), signing.StatusInvalid, "codesign/notarization-ticket-unverified")
}

// TestSignatureLengthOverPayload: the koly's code signature length is not
// signed; growing it over a payload put after the SuperBlob leaves no
// unowned gap, but the bytes after the SuperBlob are still reported.
func TestSignatureLengthOverPayload(t *testing.T) {
	t.Parallel()
	payload := []byte("stage2 payload hidden inside the signature area")
	b, lay := signed(t, dmgfile.Spec{}, dmgfile.SignSpec(testPKI, "x"), payload)
	putKoly(b, kolySigLength, uint64(lay.SigLen+len(payload)))
	expect(t, run(t, b), signing.StatusInvalid, "codesign/unowned-signature-data")
}

// TestPlistMovedBySignedKoly: the koly trailer is signed (slot 6), so
// pointing it at another plist breaks the signature.
func TestPlistMovedBySignedKoly(t *testing.T) {
	t.Parallel()
	b, lay := signed(t, dmgfile.Spec{}, dmgfile.SignSpec(testPKI, "x"), nil)
	putKoly(b, kolyXMLOffset+8, uint64(lay.XMLLen-1))
	res := run(t, b)
	if res.Status() != signing.StatusInvalid || !slices.Contains(rules(res), "codesign/special-slot-mismatch") {
		t.Errorf("status %s rules %v", res.Status(), rules(res))
	}
}

// TestCorruptZlibChunk: a chunk that does not decode is malformed, not
// skipped.
func TestCorruptZlibChunk(t *testing.T) {
	t.Parallel()
	b, lay := dmgfile.Build(dmgfile.Spec{})
	z := lay.Chunk(dmgfile.ChunkZlib)
	copy(b[z.Off+2:], bytes.Repeat([]byte{0xff}, 16))
	res := run(t, b)
	if !slices.Contains(rules(res), string(RuleMalformed)) {
		t.Errorf("rules %v\n%s", rules(res), dump(res))
	}
}

// TestHugeZeroFill: a zero-fill chunk claiming 2^36 sectors (32 TiB) stops
// at the default expansion limit instead of hashing terabytes of zeros:
// the decoded bytes Verify checksums are counted (through an unexported
// Options field), not timed, and stay within the default limit of 1 GiB
// plus 64 times the file's size; the test stops as soon as they pass it.
// BenchmarkHugeZeroFill measures the cost.
func TestHugeZeroFill(t *testing.T) {
	t.Parallel()
	b, _ := dmgfile.Build(dmgfile.Spec{ZeroSectors: 1 << 36})
	limit := int64(1<<30 + 64*len(b))
	var decoded int64
	count := func(n int) {
		if decoded += int64(n); decoded > limit {
			t.Fatalf("%d bytes decoded and checksummed, over the default expansion limit of %d", decoded, limit)
		}
	}
	res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{Trust: trust(t), Time: checkTime, decoded: count})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(rules(res), string(RuleExpansionLimit)) {
		t.Errorf("rules %v", rules(res))
	}
}

// BenchmarkHugeZeroFill measures refusing a 32 TiB zero-fill chunk.
func BenchmarkHugeZeroFill(b *testing.B) {
	img, _ := dmgfile.Build(dmgfile.Spec{ZeroSectors: 1 << 36})
	for b.Loop() {
		run(b, img)
	}
}

// TestDeterministic: the same image gives byte-identical JSON.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	b, _ := signed(t, dmgfile.Spec{LZFSE: true}, ticketSpec(100), []byte("x"))
	var out [][]byte
	for range 2 {
		j, err := json.Marshal(run(t, b))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, j)
	}
	if !bytes.Equal(out[0], out[1]) {
		t.Error("two runs differ")
	}
}
