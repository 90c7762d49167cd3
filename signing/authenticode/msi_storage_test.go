package authenticode

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/signing"
)

// storageNode returns the compound file b as a storage named name, as
// Windows Installer stores a database in another (_Storages): the root's
// streams and storages, and its class identifier.
func storageNode(t *testing.T, b []byte, name string) *cfb.Node {
	t.Helper()
	f := openMSI(t, b)
	var conv func(e *cfb.Entry) *cfb.Node
	conv = func(e *cfb.Entry) *cfb.Node {
		n := &cfb.Node{Name: e.Name, CLSID: e.CLSID}
		if e.Type == cfb.TypeStream {
			data, err := f.ReadAll(e, 1<<24)
			if err != nil {
				t.Fatal(err)
			}
			n.Data = data
			return n
		}
		n.Storage = true
		for _, k := range f.Children(e) {
			n.Children = append(n.Children, conv(k))
		}
		return n
	}
	n := conv(f.Root())
	n.Name = name
	return n
}

// outerTree is a database holding the storage nested and no stream whose
// bytes msiTree's streams hold.
func outerTree(nested *cfb.Node) *cfb.Node {
	return &cfb.Node{CLSID: msiTree().CLSID, Children: []*cfb.Node{
		{Name: "\u4840\u3f3f\u4577\u446c\u3b6a\u45e4\u4824", Data: []byte("outer pool")},
		nested,
	}}
}

// verifyStorage runs VerifyMSIStorage on b's storage at path.
func verifyStorage(t *testing.T, b []byte, trust *signing.TrustStore, path ...string) *Result {
	t.Helper()
	res, err := VerifyMSIStorage(bytes.NewReader(b), int64(len(b)), path, Options{Trust: trust, Time: fixtures.Now})
	if err != nil {
		t.Fatalf("VerifyMSIStorage: %v", err)
	}
	return res
}

// TestMSIStorageSignature: a database signed on its own (with and without
// MsiDigitalSignatureEx) keeps its signature once stored in a storage of
// another, unsigned, one: VerifyMSIStorage finds it valid with the digest
// VerifyMSI computes on the database alone, and writes FileHash what the
// digest read. A byte of the stored database changed after signing fails
// it; a storage without a signature is unsigned; a path to no storage (or
// to a stream) is ErrNoStorage.
func TestMSIStorageSignature(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	for name, spec := range map[string]msiSpec{"plain": {}, "dse": {ex: true}} {
		t.Run(name, func(t *testing.T) {
			inner := signMSI(t, p, spec)
			alone := verifyMSI(t, inner, trust)
			outer := cfb.Build(outerTree(storageNode(t, inner, "nested")))
			h := sha256.New()
			res, err := VerifyMSIStorage(bytes.NewReader(outer), int64(len(outer)), []string{"nested"}, Options{Trust: trust, Time: fixtures.Now, FileHash: h})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != signing.StatusValid || len(msiFindingsBeyondNote(res)) != 0 {
				t.Fatalf("status %s findings %+v, want valid", res.Status, res.Findings)
			}
			if got, want := res.Signatures[0].Digest.Computed, alone.Signatures[0].Digest.Computed; got != want {
				t.Errorf("stored digest %s, the database alone's %s", got, want)
			}
			if spec.ex {
				// With the metadata digest the content is not the digest's whole input.
				return
			}
			var sum [32]byte
			copy(sum[:], h.Sum(nil))
			if got := res.Authentihash["sha256"]; got != hexOf(sum[:]) {
				t.Errorf("FileHash got other bytes than the digest read: %x vs %s", sum, got)
			}
		})
	}
	inner := signMSI(t, p, msiSpec{})
	outer := cfb.Build(outerTree(storageNode(t, inner, "nested")))
	bad := bytes.Clone(outer)
	k := bytes.Index(bad, []byte("hello inner"))
	bad[k] = 'j'
	if res := verifyStorage(t, bad, trust, "nested"); res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIDigestMismatch) {
		t.Errorf("stale inner signature: status %s findings %+v", res.Status, res.Findings)
	}
	if res := verifyStorage(t, outer, trust, "nested", "sub"); res.Status != signing.StatusUnsigned {
		t.Errorf("unsigned storage: status %s", res.Status)
	}
	for _, path := range [][]string{{"gone"}, {"payload.cab"}, {"nested", "gone"}, nil} {
		if _, err := VerifyMSIStorage(bytes.NewReader(outer), int64(len(outer)), path, Options{}); !errors.Is(err, ErrNoStorage) {
			t.Errorf("%q: error %v, want ErrNoStorage", path, err)
		}
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	var s strings.Builder
	for _, c := range b {
		s.WriteByte(digits[c>>4])
		s.WriteByte(digits[c&15])
	}
	return s.String()
}

// TestOsslsigncodeNestedMSISignature cross-checks VerifyMSIStorage with
// osslsigncode: a database osslsigncode signs (with and without
// MsiDigitalSignatureEx), stored in a storage of another, is valid with
// the digest osslsigncode calculates on it alone; a byte of it changed
// once stored fails both (osslsigncode on the database taken out again).
func TestOsslsigncodeNestedMSISignature(t *testing.T) {
	t.Parallel()
	e := newOsslEnv(t)
	in := e.write("inner.msi", cfb.Build(msiTree()))
	for name, args := range map[string][]string{"plain": nil, "dse": {"-add-msi-dse"}} {
		t.Run(name, func(t *testing.T) {
			signed, out := e.sign(t, in, name+".msi", args...)
			o, err := e.verify(out)
			if err != nil {
				t.Fatalf("osslsigncode verify: %v\n%s", err, o)
			}
			var want []string
			for _, m := range msiCalculatedRE.FindAllStringSubmatch(o, -1) {
				want = append(want, strings.ToLower(m[1]))
			}
			outer := cfb.Build(outerTree(storageNode(t, signed, "nested")))
			res := verifyStorage(t, outer, e.trust, "nested")
			if res.Status != signing.StatusValid || len(msiFindingsBeyondNote(res)) != 0 {
				t.Fatalf("status %s findings %+v, want valid", res.Status, res.Findings)
			}
			if len(want) != 1 || res.Signatures[0].Digest.Computed != want[0] {
				t.Errorf("osslsigncode computes %v on the database alone, we computed %s stored", want, res.Signatures[0].Digest.Computed)
			}
			// The stored database taken out again is the one osslsigncode signed.
			tree := storageNode(t, outer, "")
			for _, k := range tree.Children {
				if k.Name == "nested" {
					k.Name = ""
					if o, err := e.verify(e.write(name+"-out.msi", cfb.Build(k))); err != nil {
						t.Errorf("osslsigncode rejects the stored database taken out: %v\n%s", err, o)
					}
				}
			}
			bad := bytes.Clone(outer)
			k := bytes.Index(bad, []byte("hello inner"))
			bad[k] = 'j'
			if res := verifyStorage(t, bad, e.trust, "nested"); res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIDigestMismatch) {
				t.Errorf("tampered: status %s findings %+v", res.Status, res.Findings)
			}
			tree = storageNode(t, bad, "")
			for _, k := range tree.Children {
				if k.Name == "nested" {
					k.Name = ""
					if o, err := e.verify(e.write(name+"-bad.msi", cfb.Build(k))); err == nil {
						t.Errorf("osslsigncode accepts the tampered database:\n%s", o)
					}
				}
			}
		})
	}
}
