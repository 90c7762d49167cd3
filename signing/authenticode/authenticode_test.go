package authenticode

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

var update = flag.Bool("update", false, "rewrite the committed fixtures in testdata/authenticode")

const fixtureDir = "../../testdata/authenticode"

// loadFixtures reads the committed fixtures and their manifest.
func loadFixtures(t testing.TB) []fixtures.Fixture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, "fixtures.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fx []fixtures.Fixture
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatal(err)
	}
	for i := range fx {
		if fx[i].Data, err = os.ReadFile(filepath.Join(fixtureDir, fx[i].Name)); err != nil {
			t.Fatal(err)
		}
	}
	return fx
}

func fixtureTrust(t testing.TB) *signing.TrustStore {
	t.Helper()
	ts, err := signing.NewTrustStore(signing.TrustStoreOptions{PEMFiles: []string{filepath.Join(fixtureDir, "root.pem")}})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func verifyBytes(t testing.TB, b []byte, opts Options) *Result {
	t.Helper()
	res, err := Verify(bytes.NewReader(b), int64(len(b)), opts)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return res
}

// verifySigned signs the fixture base image as s says and verifies it
// against trust at the fixtures' time.
func verifySigned(t testing.TB, trust *signing.TrustStore, s pefile.SignSpec) *Result {
	t.Helper()
	b, err := pefile.SignAttach(fixtures.Base(), s)
	if err != nil {
		t.Fatal(err)
	}
	return verifyBytes(t, b, Options{Trust: trust, Time: fixtures.Now})
}

// warningChecks may fail without changing a signature's status.
var warningChecks = []string{"checksum", "unsigned-attributes", "timestamp", "indirect-data-type"}

// checkFixture compares a Result with what the fixture's manifest says.
func checkFixture(t *testing.T, f fixtures.Fixture, res *Result) {
	t.Helper()
	if got := res.Status.String(); got != f.Status {
		t.Errorf("status %s, want %s", got, f.Status)
	}
	if len(res.Signatures) != f.Signatures || len(res.Details) != f.Signatures {
		t.Errorf("%d signatures (%d details), want %d", len(res.Signatures), len(res.Details), f.Signatures)
	}
	var rules []string
	for _, fd := range res.Findings {
		rules = append(rules, string(fd.Rule))
		if fd.Offset == nil {
			t.Errorf("finding %s has no offset", fd.Rule)
		}
	}
	sort.Strings(rules)
	rules = slices.Compact(rules)
	if rules == nil {
		rules = []string{}
	}
	if !slices.Equal(rules, f.Rules) {
		t.Errorf("rules %v, want %v", rules, f.Rules)
	}
	failed := map[string]bool{}
	for i, s := range res.Signatures {
		if s.Index != i || s.Format != signing.FormatAuthenticode {
			t.Errorf("signature %d: index %d format %s", i, s.Index, s.Format)
		}
		bad := false
		for _, c := range s.Checks {
			if !c.OK {
				failed[string(c.Name)] = true
				if !slices.Contains(warningChecks, string(c.Name)) {
					bad = true
				}
			}
		}
		// Every verdict is explained by a failed check, and only by one.
		if bad != (s.Status != signing.StatusValid) {
			t.Errorf("signature %d: status %s but failed non-warning checks = %v: %+v", i, s.Status, bad, s.Checks)
		}
	}
	for _, name := range f.Failed {
		if !failed[name] {
			t.Errorf("check %q did not fail; failed: %v", name, failed)
		}
	}
	if res.Authentihash["sha256"] == "" {
		t.Error("no sha256 authentihash")
	}
}

func TestFixtures(t *testing.T) {
	t.Parallel()
	trust := fixtureTrust(t)
	for _, f := range loadFixtures(t) {
		t.Run(f.Name, func(t *testing.T) {
			res := verifyBytes(t, f.Data, Options{Trust: trust, Time: fixtures.Now})
			checkFixture(t, f, res)
			// The one finding order of every report.
			if !slices.IsSortedFunc(res.Findings, signing.CompareFindings) {
				t.Errorf("findings not in signing.CompareFindings order: %v", res.Findings)
			}
		})
	}
}

// TestFixturesUpToDate regenerates the committed fixtures and compares them
// byte for byte; -update rewrites them.
func TestFixturesUpToDate(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	fx, err := fixtures.All(p, fixtures.Base())
	if err != nil {
		t.Fatal(err)
	}
	sp, err := fixtures.Specials(p)
	if err != nil {
		t.Fatal(err)
	}
	fx = append(fx, sp...)
	manifest, err := json.MarshalIndent(fx, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	manifest = append(manifest, '\n')
	if *update {
		for _, f := range fx {
			if err := os.WriteFile(filepath.Join(fixtureDir, f.Name), f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(fixtureDir, "fixtures.json"), manifest, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(fixtureDir, "root.pem"), p.Root.PEM(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	committed := loadFixtures(t)
	if len(committed) != len(fx) {
		t.Fatalf("%d committed fixtures, generator makes %d: run go generate ./testdata/authenticode", len(committed), len(fx))
	}
	for i, f := range fx {
		if committed[i].Name != f.Name || !bytes.Equal(committed[i].Data, f.Data) {
			t.Errorf("%s is stale: run go generate ./testdata/authenticode", f.Name)
		}
	}
	b, _ := os.ReadFile(filepath.Join(fixtureDir, "fixtures.json"))
	if !bytes.Equal(b, manifest) {
		t.Error("fixtures.json is stale: run go generate ./testdata/authenticode")
	}
}

// TestAuthentihash compares the streamed image hash with pefile's in-memory
// implementation, including the 8-byte padding of unsigned files.
func TestAuthentihash(t *testing.T) {
	t.Parallel()
	for _, f := range loadFixtures(t) {
		if f.Status == "malformed" || f.Name == "data-after-cert-table.exe" || f.Name == "cert-table-size.exe" {
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			res := verifyBytes(t, f.Data, Options{Authentihashes: []crypto.Hash{crypto.SHA1, crypto.MD5}})
			for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA1, crypto.MD5} {
				want, err := pefile.ImageDigest(f.Data, h)
				if err != nil {
					t.Fatal(err)
				}
				name := map[crypto.Hash]string{crypto.SHA256: "sha256", crypto.SHA1: "sha1", crypto.MD5: "md5"}[h]
				if got := res.Authentihash[name]; got != hex.EncodeToString(want) {
					t.Errorf("%s authentihash %s, want %s", name, got, hex.EncodeToString(want))
				}
			}
			if res.Checksum.Computed != pefile.Checksum(f.Data, checksumOffset(t, f.Data)) {
				t.Errorf("checksum 0x%x, pefile says 0x%x", res.Checksum.Computed, pefile.Checksum(f.Data, checksumOffset(t, f.Data)))
			}
		})
	}
	// The unsigned odd-sized image hashes to what its signature records once signed.
	var odd, oddSigned []byte
	for _, f := range loadFixtures(t) {
		switch f.Name {
		case "odd-unsigned.exe":
			odd = f.Data
		case "odd-signed.exe":
			oddSigned = f.Data
		}
	}
	if len(odd)%8 == 0 {
		t.Fatal("odd fixture is 8-byte aligned")
	}
	a := verifyBytes(t, odd, Options{})
	b := verifyBytes(t, oddSigned, Options{})
	if a.Authentihash["sha256"] != b.Signatures[0].Digest.Signed {
		t.Errorf("unsigned odd image hashes to %s, its signature records %s", a.Authentihash["sha256"], b.Signatures[0].Digest.Signed)
	}
}

func checksumOffset(t *testing.T, b []byte) int {
	in, err := pefile.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return in.ChecksumOff
}

func TestChecksumEngine(t *testing.T) {
	t.Parallel()
	r := bytes.NewReader(nil)
	_ = r
	for _, n := range []int{0, 1, 2, 3, 7, 8, 9, 31, 32, 33, 63, 64, 65, 96, 127, 129, 1000, 4097} {
		for _, fill := range []byte{0x00, 0xff, 0x5a} {
			b := bytes.Repeat([]byte{fill}, n)
			for i := range b {
				if fill == 0x5a {
					b[i] = byte(i*7 + i>>3)
				}
			}
			var c checksummer
			c.write(b)
			if got, want := c.result(int64(n)), pefile.Checksum(b, -8); got != want {
				t.Errorf("n=%d fill=%#x: checksum 0x%x, want 0x%x", n, fill, got, want)
			}
		}
	}
}

func TestFileHashAndSingleRead(t *testing.T) {
	t.Parallel()
	f := loadFixtures(t)[1] // sha256.exe
	cr := &countingReader{r: bytes.NewReader(f.Data)}
	h := sha256.New()
	// Every authentihash a blocklist can name comes from the same read.
	res, err := Verify(cr, int64(len(f.Data)), Options{FileHash: h, Authentihashes: []crypto.Hash{crypto.MD5, crypto.SHA1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"md5", "sha1", "sha256"} {
		if res.Authentihash[a] == "" {
			t.Errorf("no %s authentihash", a)
		}
	}
	want := sha256.Sum256(f.Data)
	if !bytes.Equal(h.Sum(nil), want[:]) {
		t.Error("FileHash did not receive the file")
	}
	if res.Status != signing.StatusUntrusted {
		t.Errorf("status %s with no trust, want untrusted", res.Status)
	}
	// The file is read once; headers and the table are read again, briefly.
	if limit := int64(len(f.Data)) + 2*res.CertTable.Size + 4096; cr.n > limit {
		t.Errorf("read %d bytes of a %d-byte file", cr.n, len(f.Data))
	}
}

type countingReader struct {
	r interface {
		ReadAt([]byte, int64) (int, error)
	}
	n int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n += int64(n)
	return n, err
}

func TestNotPE(t *testing.T) {
	t.Parallel()
	base := fixtures.Base()
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrNotPE},
		{"elf", append([]byte("\x7fELF"), make([]byte, 200)...), ErrNotPE},
		{"mz only", append([]byte("MZ"), make([]byte, 200)...), ErrNotPE},
		{"no PE signature", func() []byte { b := bytes.Clone(base); copy(b[0x80:], "XX"); return b }(), ErrNotPE},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Verify(bytes.NewReader(c.data), int64(len(c.data)), Options{})
			if !errors.Is(err, c.want) {
				t.Errorf("err %v, want %v", err, c.want)
			}
		})
	}
}

func TestFormatError(t *testing.T) {
	t.Parallel()
	base := fixtures.Base()
	cases := map[string][]byte{
		"truncated section table": base[:0x80+24+240+20],
		"bad magic":               func() []byte { b := bytes.Clone(base); b[0x80+24] = 0x77; return b }(),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Verify(bytes.NewReader(b), int64(len(b)), Options{})
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("err %v, want a FormatError", err)
			}
			if fe.Error() == "" || fe.Reason == "" {
				t.Error("empty message")
			}
		})
	}
}

func TestOpen(t *testing.T) {
	t.Parallel()
	res, err := Open(filepath.Join(fixtureDir, "sha256.exe"), Options{Trust: fixtureTrust(t), Time: fixtures.Now})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != signing.StatusValid {
		t.Errorf("status %s", res.Status)
	}
	if _, err := Open(filepath.Join(fixtureDir, "missing.exe"), Options{}); err == nil {
		t.Error("no error for a missing file")
	}
}

// TestDeterministic verifies that the same input gives the same JSON.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	trust := fixtureTrust(t)
	for _, f := range loadFixtures(t) {
		a, _ := json.Marshal(verifyBytes(t, f.Data, Options{Trust: trust, Time: fixtures.Now}))
		b, _ := json.Marshal(verifyBytes(t, f.Data, Options{Trust: trust, Time: fixtures.Now}))
		if !bytes.Equal(a, b) {
			t.Errorf("%s: output differs between runs", f.Name)
		}
	}
}

// TestChecksumMasked splits data into chunks at multiples of 8 and masks a
// CheckSum field at every alignment, including across a chunk boundary.
func TestChecksumMasked(t *testing.T) {
	t.Parallel()
	b := make([]byte, 301)
	for i := range b {
		b[i] = byte(i*37 + 11)
	}
	for ckOff := 0; ckOff < len(b)-4; ckOff += 3 {
		for _, chunk := range []int{8, 16, 64, 1024} {
			var c checksummer
			for off := 0; off < len(b); off += chunk {
				c.writeMasked(int64(off), b[off:min(off+chunk, len(b))], span{int64(ckOff), int64(ckOff) + 4})
			}
			if got, want := c.result(int64(len(b))), pefile.Checksum(b, ckOff); got != want {
				t.Fatalf("ckOff=%d chunk=%d: 0x%x, want 0x%x", ckOff, chunk, got, want)
			}
		}
	}
}

// TestPageHashesUnverifiable signs an image whose headers are larger than a
// page (SectionAlignment 0x200): the table cannot be recomputed the way
// signers do, so the check fails as "not verified" without changing the
// status, since the image digest covers the same bytes.
func TestPageHashesUnverifiable(t *testing.T) {
	t.Parallel()
	var secs []pefile.Section
	for i := 0; i < 6; i++ {
		secs = append(secs, pefile.Section{Name: fmt.Sprintf(".s%d", i), Data: bytes.Repeat([]byte{byte(i + 1)}, 0x300)})
	}
	img, err := pefile.Build(pefile.Spec{Sections: secs, SectionAlignment: 0x200, FileAlignment: 0x200})
	if err != nil {
		t.Fatal(err)
	}
	p := fixtures.NewPKI()
	signed, err := pefile.SignAttach(img, pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, PageHashes: crypto.SHA256, PageTable: make([]byte, 3*36)})
	if err != nil {
		t.Fatal(err)
	}
	trust, _ := signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{p.Root.PEM()}})
	res := verifyBytes(t, signed, Options{Trust: trust, Time: fixtures.Now})
	if res.Status != signing.StatusValid {
		t.Fatalf("status %s: %+v", res.Status, res.Signatures[0].Checks)
	}
	ph := res.Details[0].PageHashes
	if ph == nil || ph.Match || ph.Pages != 3 || !res.Signatures[0].Failed("page-hashes") {
		t.Errorf("page hashes %+v, checks %+v", ph, res.Signatures[0].Checks)
	}
}

// TestNestedRecursive checks index order and parentage: each entry, then its
// nested signatures depth first.
func TestNestedRecursive(t *testing.T) {
	t.Parallel()
	res := verifyBytes(t, fixtureNamed(t, "nested-recursive.exe"), Options{Trust: fixtureTrust(t), Time: fixtures.Now})
	var shape []string
	for i, d := range res.Details {
		shape = append(shape, fmt.Sprintf("%d:p%d:d%d:%s", i, d.Parent, d.Depth, res.Signatures[i].Digest.Algorithm))
		if d.Offset <= res.CertTable.Offset {
			t.Errorf("signature %d offset 0x%x outside the table", i, d.Offset)
		}
	}
	// The two nested attributes are DER-sorted; the SHA-256 one carries the SHA-512.
	want := []string{"0:p-1:d0:sha256", "1:p0:d1:sha256", "2:p1:d2:sha512", "3:p0:d1:sha384"}
	want2 := []string{"0:p-1:d0:sha256", "1:p0:d1:sha384", "2:p0:d1:sha256", "3:p2:d2:sha512"}
	if !slices.Equal(shape, want) && !slices.Equal(shape, want2) {
		t.Errorf("shape %v", shape)
	}
}

// TestLargeFile verifies a signed, page-hashed file of several buffers with a
// FileHash, once with the consumers on parallel goroutines and once on one
// CPU: both must agree with each other and with the in-memory digests.
func TestLargeFile(t *testing.T) {
	data := make([]byte, 3<<20+0x321)
	testpki.NewRand(5).Read(data)
	img, err := pefile.Build(pefile.Spec{Sections: []pefile.Section{{Name: ".text", Data: data, Characteristics: pefile.SectionCode}}})
	if err != nil {
		t.Fatal(err)
	}
	p := fixtures.NewPKI()
	signed, err := fixtures.Sign(p, img, true, fixtures.Now)
	if err != nil {
		t.Fatal(err)
	}
	trust, _ := signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{p.Root.PEM()}})
	run := func() ([]byte, []byte) {
		h := sha256.New()
		res := verifyBytes(t, signed, Options{Trust: trust, Time: fixtures.Now, FileHash: h})
		if res.Status != signing.StatusValid || res.Details[0].PageHashes == nil || !res.Details[0].PageHashes.Match {
			t.Fatalf("status %s, checks %+v", res.Status, res.Signatures[0].Checks)
		}
		b, _ := json.Marshal(res)
		return b, h.Sum(nil)
	}
	a, ha := run()
	old := runtime.GOMAXPROCS(1)
	b, hb := run()
	runtime.GOMAXPROCS(old)
	want := sha256.Sum256(signed)
	if !bytes.Equal(a, b) || !bytes.Equal(ha, want[:]) || !bytes.Equal(hb, want[:]) {
		t.Error("parallel and sequential passes disagree")
	}
	if c := pefile.Checksum(signed, checksumOffset(t, signed)); c != binary.LittleEndian.Uint32(signed[checksumOffset(t, signed):]) {
		t.Error("fixture checksum wrong")
	}
}
