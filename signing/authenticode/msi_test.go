package authenticode

import (
	"bytes"
	"crypto"
	"encoding/hex"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// msiTree is a small MSI-like compound file: table streams with MSI's
// packed names, a cabinet-sized stream and a storage.
func msiTree(extra ...*cfb.Node) *cfb.Node {
	root := &cfb.Node{CLSID: [16]byte{0x84, 0x10, 0x0c, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46}, Children: []*cfb.Node{
		{Name: "\u4840\u3f3f\u4577\u446c\u3b6a\u45e4\u4824", Data: []byte("string pool data")},
		{Name: "\u4840\u3b3f\u43f2\u4438\u45b1", Data: bytes.Repeat([]byte{1, 0, 2, 0}, 40)},
		{Name: "\u0005SummaryInformation", Data: bytes.Repeat([]byte("summary "), 50)},
		{Name: "payload.cab", Data: bytes.Repeat([]byte("MSCF cabinet bytes "), 400)},
		{Name: "sub", CLSID: [16]byte{9, 9}, Children: []*cfb.Node{{Name: "inner", Data: []byte("hello inner stream")}}},
	}}
	root.Children = append(root.Children, extra...)
	return root
}

// msiSpec describes a Go-signed MSI fixture.
type msiSpec struct {
	// ex adds MsiDigitalSignatureEx; badEx stores a wrong one.
	ex, badEx bool
	// trailing follows the PKCS#7 in the DigitalSignature stream.
	trailing []byte
	// tree is the tree signed (nil: msiTree).
	tree func(extra ...*cfb.Node) *cfb.Node
}

// signMSI signs msiTree with the digest computed by VerifyMSI on the
// unsigned file (osslsigncode cross-checks that digest independently).
func signMSI(t testing.TB, p *fixtures.PKI, s msiSpec) []byte {
	t.Helper()
	msiTree := msiTree
	if s.tree != nil {
		msiTree = s.tree
	}
	var extra []*cfb.Node
	h := crypto.SHA256
	var pre []byte
	if s.ex || s.badEx {
		// The metadata digest does not depend on the signature streams.
		un := cfb.Build(msiTree())
		f, err := cfb.Open(bytes.NewReader(un), int64(len(un)))
		if err != nil {
			t.Fatal(err)
		}
		d := h.New()
		msiPrehash(f, f.Root(), d, true)
		pre = d.Sum(nil)
		stored := pre
		if s.badEx {
			stored = bytes.Repeat([]byte{0xee}, len(pre))
		}
		extra = append(extra, &cfb.Node{Name: msiSignatureExStream, Data: stored})
	}
	un := cfb.Build(msiTree(extra...))
	res, err := VerifyMSI(bytes.NewReader(un), int64(len(un)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	digest, _ := hex.DecodeString(res.Authentihash["sha256"])
	if s.badEx {
		// Sign what a signer that wrote the right one would have signed.
		d := h.New()
		d.Write(pre)
		f, _ := cfb.Open(bytes.NewReader(un), int64(len(un)))
		if err := msiHash(f, f.Root(), d, true); err != nil {
			t.Fatal(err)
		}
		digest = d.Sum(nil)
	}
	blob, err := pefile.SignContent(pefile.SipIndirectData(1, msiGUID, h, digest),
		pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, SigningTime: fixtures.Now.AddDate(0, -1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	extra = append(extra, &cfb.Node{Name: msiSignatureStream, Data: append(blob, s.trailing...)})
	return cfb.Build(msiTree(extra...))
}

func verifyMSI(t testing.TB, b []byte, trust *signing.TrustStore) *Result {
	t.Helper()
	res, err := VerifyMSI(bytes.NewReader(b), int64(len(b)), Options{Trust: trust, Time: fixtures.Now})
	if err != nil {
		t.Fatalf("VerifyMSI: %v", err)
	}
	return res
}

// TestMSISignedValid verifies Go-signed MSIs with and without the metadata
// digest, and the unsigned one.
func TestMSISignedValid(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	for name, s := range map[string]msiSpec{"plain": {}, "dse": {ex: true}} {
		t.Run(name, func(t *testing.T) {
			res := verifyMSI(t, signMSI(t, p, s), trust)
			if res.Status != signing.StatusValid || len(msiFindingsBeyondNote(res)) != 0 {
				t.Fatalf("status %s findings %+v, want valid", res.Status, res.Findings)
			}
		})
	}
	un := cfb.Build(msiTree())
	if res := verifyMSI(t, un, trust); res.Status != signing.StatusUnsigned || res.Authentihash["sha256"] == "" {
		t.Fatalf("unsigned: status %s digests %v", res.Status, res.Authentihash)
	}
}

// TestMSITamperedDigestMismatch changes a byte of a stream.
func TestMSITamperedDigestMismatch(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	b := signMSI(t, p, msiSpec{ex: true})
	k := bytes.Index(b, []byte("hello inner"))
	b[k] = 'j'
	res := verifyMSI(t, b, scriptTrust(t, p))
	if res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIDigestMismatch) {
		t.Fatalf("status %s findings %+v, want invalid with %s", res.Status, res.Findings, RuleMSIDigestMismatch)
	}
}

// TestMSIMetadataDigestMismatch stores a wrong MsiDigitalSignatureEx.
func TestMSIMetadataDigestMismatch(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	res := verifyMSI(t, signMSI(t, p, msiSpec{badEx: true}), scriptTrust(t, p))
	if res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIMetadataDigestMismatch) || hasRule(res, RuleMSIDigestMismatch) {
		t.Fatalf("status %s findings %+v, want invalid with %s only", res.Status, res.Findings, RuleMSIMetadataDigestMismatch)
	}
}

// TestMSIUnownedData appends a payload after the last sector and writes
// one into a stream's slack: no digest covers either.
func TestMSIUnownedData(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	b := signMSI(t, p, msiSpec{})
	cases := map[string][]byte{
		"appended": append(bytes.Clone(b), bytes.Repeat([]byte("PAYLOAD!"), 64)...),
	}
	c := bytes.Clone(b)
	k := bytes.Index(c, []byte("hello inner stream")) + len("hello inner stream")
	copy(c[k:], "payload in the mini sector's slack")
	cases["slack"] = c
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			res := verifyMSI(t, b, scriptTrust(t, p))
			if res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIUnownedData) || hasRule(res, RuleMSIDigestMismatch) {
				t.Fatalf("status %s findings %+v, want invalid with %s only", res.Status, res.Findings, RuleMSIUnownedData)
			}
		})
	}
}

// TestMSISignatureTrailingData stuffs bytes after the PKCS#7 in the
// DigitalSignature stream.
func TestMSISignatureTrailingData(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	res := verifyMSI(t, signMSI(t, p, msiSpec{trailing: bytes.Repeat([]byte{0xaa}, 100)}), scriptTrust(t, p))
	if res.Status != signing.StatusInvalid || !hasRule(res, RuleMSISignatureTrailingData) {
		t.Fatalf("status %s findings %+v, want invalid with %s", res.Status, res.Findings, RuleMSISignatureTrailingData)
	}
}

// TestMSINotCompoundFile returns ErrNotMSI for other data.
func TestMSINotCompoundFile(t *testing.T) {
	t.Parallel()
	b := []byte("MZ not an msi at all, padded to be long enough to hold a compound file header .....")
	b = append(b, make([]byte, 600)...)
	if _, err := VerifyMSI(bytes.NewReader(b), int64(len(b)), Options{}); err != ErrNotMSI {
		t.Fatalf("err %v, want ErrNotMSI", err)
	}
}

var msiCalculatedRE = regexp.MustCompile(`(?m)^Calculated DigitalSignature\s*:\s*([0-9A-Fa-f]+)`)

// TestOsslsigncodeMSI has osslsigncode sign our compound file, with and
// without MsiDigitalSignatureEx: we accept both and compute its digest;
// osslsigncode accepts our Go-signed file; a tampered copy fails for both.
func TestOsslsigncodeMSI(t *testing.T) {
	t.Parallel()
	e := newOsslEnv(t)
	in := e.write("in.msi", cfb.Build(msiTree()))
	for name, args := range map[string][]string{"plain": nil, "dse": {"-add-msi-dse"}} {
		t.Run(name, func(t *testing.T) {
			signed, out := e.sign(t, in, name+".msi", args...)
			res := verifyMSI(t, signed, e.trust)
			if res.Status != signing.StatusValid || len(msiFindingsBeyondNote(res)) != 0 {
				t.Fatalf("status %s, want valid without findings; findings %+v", res.Status, res.Findings)
			}
			// For an MSI osslsigncode prints the file's digest as
			// "Calculated DigitalSignature" ("Calculated message digest" is
			// the SpcIndirectDataContent's).
			o, _ := exec.Command(e.tool, "verify", "-ignore-cdp", "-in", out).CombinedOutput()
			var want []string
			for _, m := range msiCalculatedRE.FindAllStringSubmatch(string(o), -1) {
				want = append(want, strings.ToLower(m[1]))
			}
			if len(want) != 1 || res.Signatures[0].Digest.Computed != want[0] {
				t.Errorf("osslsigncode computes %v, we computed %s", want, res.Signatures[0].Digest.Computed)
			}
			bad := bytes.Clone(signed)
			k := bytes.Index(bad, []byte("hello inner"))
			bad[k] = 'j'
			if o, err := e.verify(e.write(name+"-bad.msi", bad)); err == nil {
				t.Errorf("osslsigncode accepts the tampered MSI:\n%s", o)
			}
			if res := verifyMSI(t, bad, e.trust); res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIDigestMismatch) {
				t.Errorf("tampered: status %s findings %+v", res.Status, res.Findings)
			}
		})
	}
	for name, s := range map[string]msiSpec{"go-plain": {}, "go-dse": {ex: true}} {
		if o, err := e.verify(e.write(name+".msi", signMSI(t, e.p, s))); err != nil {
			t.Errorf("%s: osslsigncode rejects our signed MSI: %v\n%s", name, err, o)
		}
	}
}

// fuzzMSITree is msiTree made small, for fuzzing seeds: a few short
// streams and a storage, all in the mini stream, with a nested database
// if nested.
func fuzzMSITree(nested bool) func(extra ...*cfb.Node) *cfb.Node {
	return func(extra ...*cfb.Node) *cfb.Node {
		root := &cfb.Node{CLSID: msiTree().CLSID, Children: []*cfb.Node{
			{Name: "\u4840\u3f3f\u4577\u446c\u3b6a\u45e4\u4824", Data: []byte("pool")},
			{Name: "\u0005SummaryInformation", Data: []byte("summary")},
			{Name: "sub", CLSID: [16]byte{9, 9}, Children: []*cfb.Node{{Name: "inner", Data: []byte("inner")}}},
		}}
		if nested {
			root.Children = append(root.Children, &cfb.Node{Name: "nested", CLSID: root.CLSID, Children: []*cfb.Node{
				{Name: "Zz", Data: []byte("nested")},
				{Name: "\x05DigitalSignature", Data: []byte("0")},
			}})
		}
		root.Children = append(root.Children, extra...)
		return root
	}
}

// FuzzVerifyMSI feeds mutated compound files to VerifyMSI and
// VerifyMSIStorage: they must not panic. Nearly every mutation of a
// compound file reaches new code early on, and the fuzzer minimizes each
// such input (a run per byte, then per pair of bytes removed) for up to
// -fuzzminimizetime, not counting those runs as executions: under the
// default 60 s, or .ci/fuzz's 3 s, it reports a handful of executions and
// finds ~5 inputs in 20 s; -fuzzminimizetime=0 finds ~390 (~6,000
// executions a second), 200x ~100. The seeds are small (fuzzMSITree).
func FuzzVerifyMSI(f *testing.F) {
	p := fixtures.NewPKI()
	f.Add(cfb.Build(fuzzMSITree(false)()))
	f.Add(signMSI(f, p, msiSpec{tree: fuzzMSITree(false)}))
	f.Add(signMSI(f, p, msiSpec{ex: true, tree: fuzzMSITree(true)}))
	f.Add(cfb.Build(fuzzMSITree(true)()))
	f.Fuzz(func(t *testing.T, b []byte) {
		VerifyMSIStorage(bytes.NewReader(b), int64(len(b)), []string{"nested"}, Options{})
		res, err := VerifyMSI(bytes.NewReader(b), int64(len(b)), Options{})
		if err == nil && res.Authentihash["sha256"] == "" {
			t.Fatal("no sha256 digest")
		}
	})
}

// TestMSISignatureNamedStorageHashed puts a storage named like the
// signature stream in the root: it is hashed, not skipped, so a payload in
// it breaks the digest.
func TestMSISignatureNamedStorageHashed(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	b := signMSI(t, p, msiSpec{})
	f, err := cfb.Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var sig []byte
	for _, e := range f.Children(f.Root()) {
		if e.Name == msiSignatureStream {
			sig, _ = f.ReadAll(e, 1<<20)
		}
	}
	hidden := &cfb.Node{Name: msiSignatureExStream, Storage: true, Children: []*cfb.Node{{Name: "payload", Data: []byte("hidden payload")}}}
	b = cfb.Build(msiTree(hidden, &cfb.Node{Name: msiSignatureStream, Data: sig}))
	res := verifyMSI(t, b, scriptTrust(t, p))
	if res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIDigestMismatch) {
		t.Fatalf("status %s findings %+v, want invalid with %s", res.Status, res.Findings, RuleMSIDigestMismatch)
	}
}

// BenchmarkVerifyMSI verifies a signed 6 MB MSI held in memory, with the
// whole-file SHA-256 a release check asks for; compare with
// BenchmarkSHA256MSI, one SHA-256 pass over the same bytes.
func BenchmarkVerifyMSI(b *testing.B) {
	p := fixtures.NewPKI()
	trust := scriptTrust(b, p)
	big := &cfb.Node{Name: "big.cab", Data: bytes.Repeat([]byte("cabinet bytes 0123456789abcdef\n"), 200000)}
	un := cfb.Build(msiTree(big))
	res, err := VerifyMSI(bytes.NewReader(un), int64(len(un)), Options{})
	if err != nil {
		b.Fatal(err)
	}
	digest, _ := hex.DecodeString(res.Authentihash["sha256"])
	blob, err := pefile.SignContent(pefile.SipIndirectData(1, msiGUID, crypto.SHA256, digest), pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}})
	if err != nil {
		b.Fatal(err)
	}
	msi := cfb.Build(msiTree(big, &cfb.Node{Name: msiSignatureStream, Data: blob}))
	b.SetBytes(int64(len(msi)))
	b.ResetTimer()
	for range b.N {
		res, err := VerifyMSI(bytes.NewReader(msi), int64(len(msi)), Options{Trust: trust, Time: fixtures.Now, FileHash: crypto.SHA256.New()})
		if err != nil || res.Status != signing.StatusValid {
			b.Fatalf("%v %v", err, res.Status)
		}
	}
}

// BenchmarkSHA256MSI is one SHA-256 pass over the MSI of BenchmarkVerifyMSI.
func BenchmarkSHA256MSI(b *testing.B) {
	big := &cfb.Node{Name: "big.cab", Data: bytes.Repeat([]byte("cabinet bytes 0123456789abcdef\n"), 200000)}
	msi := cfb.Build(msiTree(big))
	b.SetBytes(int64(len(msi)))
	for range b.N {
		h := crypto.SHA256.New()
		h.Write(msi)
		h.Sum(nil)
	}
}

// nestedMSITree is msiTree with a nested database whose children's
// UTF-16LE order (the digest's) differs from the compound file's own
// (shorter names first, then upper case); deeper adds a storage inside it.
func nestedMSITree(deeper bool, extra ...*cfb.Node) *cfb.Node {
	nested := &cfb.Node{Name: "nested", CLSID: msiTree().CLSID, Children: []*cfb.Node{
		{Name: "\u0100x", Data: []byte("low byte zero first")},
		{Name: "Zz", Data: []byte("nested stream bytes")},
		{Name: "aa", Data: bytes.Repeat([]byte("nested big stream "), 300)},
		{Name: "\x05SummaryInformation", Data: []byte("nested summary")},
	}}
	if deeper {
		nested.Children = append(nested.Children, &cfb.Node{Name: "deeper", CLSID: [16]byte{7}, Children: []*cfb.Node{
			{Name: "b", Data: []byte("deeper stream b")},
			{Name: "A", Data: bytes.Repeat([]byte("deeper stream A "), 300)},
		}})
	}
	return msiTree(append([]*cfb.Node{nested}, extra...)...)
}

// signTree signs the tree build returns with the digest VerifyMSI
// computes on it unsigned.
func signTree(t *testing.T, p *fixtures.PKI, build func(extra ...*cfb.Node) *cfb.Node) []byte {
	t.Helper()
	un := cfb.Build(build())
	res, err := VerifyMSI(bytes.NewReader(un), int64(len(un)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	digest, _ := hex.DecodeString(res.Authentihash["sha256"])
	blob, err := pefile.SignContent(pefile.SipIndirectData(1, msiGUID, crypto.SHA256, digest),
		pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, SigningTime: fixtures.Now.AddDate(0, -1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	return cfb.Build(build(&cfb.Node{Name: msiSignatureStream, Data: blob}))
}

// TestOsslsigncodeNestedStorages cross-checks the digest of an MSI holding
// a nested database: osslsigncode signs one whose storage holds streams,
// with and without MsiDigitalSignatureEx, and both accept it with one
// digest; osslsigncode accepts our signature on one whose nested database
// holds a storage too (osslsigncode 2.9 cannot sign that one: it links the
// nested storage's right sibling to an entry inside the storage below,
// a directory entry reached twice, which cfb refuses). A byte changed
// inside a nested storage fails both.
func TestOsslsigncodeNestedStorages(t *testing.T) {
	t.Parallel()
	e := newOsslEnv(t)
	tamper := func(t *testing.T, name string, signed []byte, marker string) {
		bad := bytes.Clone(signed)
		k := bytes.Index(bad, []byte(marker))
		bad[k] ^= 0x20
		if o, err := e.verify(e.write(name+"-bad.msi", bad)); err == nil {
			t.Errorf("osslsigncode accepts the tampered MSI:\n%s", o)
		}
		if res := verifyMSI(t, bad, e.trust); res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIDigestMismatch) {
			t.Errorf("tampered: status %s findings %+v", res.Status, res.Findings)
		}
	}
	in := e.write("nested.msi", cfb.Build(nestedMSITree(false)))
	for name, args := range map[string][]string{"plain": nil, "dse": {"-add-msi-dse"}} {
		t.Run(name, func(t *testing.T) {
			signed, _ := e.sign(t, in, name+"-signed.msi", args...)
			res := verifyMSI(t, signed, e.trust)
			if res.Status != signing.StatusValid || len(msiFindingsBeyondNote(res)) != 0 {
				t.Fatalf("status %s, want valid without findings; findings %+v", res.Status, res.Findings)
			}
			o, err := e.verify(e.write(name+"-check.msi", signed))
			if err != nil {
				t.Fatalf("osslsigncode verify: %v\n%s", err, o)
			}
			var want []string
			for _, m := range msiCalculatedRE.FindAllStringSubmatch(o, -1) {
				want = append(want, strings.ToLower(m[1]))
			}
			if len(want) != 1 || res.Signatures[0].Digest.Computed != want[0] {
				t.Errorf("osslsigncode computes %v, we computed %s", want, res.Signatures[0].Digest.Computed)
			}
			tamper(t, name, signed, "low byte zero")
		})
	}
	t.Run("go-signed-deeper", func(t *testing.T) {
		signed := signTree(t, e.p, func(extra ...*cfb.Node) *cfb.Node { return nestedMSITree(true, extra...) })
		if res := verifyMSI(t, signed, e.trust); res.Status != signing.StatusValid {
			t.Fatalf("status %s findings %+v", res.Status, res.Findings)
		}
		if o, err := e.verify(e.write("deeper.msi", signed)); err != nil {
			t.Fatalf("osslsigncode rejects our signature over two nested storages: %v\n%s", err, o)
		}
		tamper(t, "deeper", signed, "deeper stream b")
	})
}
