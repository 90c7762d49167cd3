package cms

import (
	"bytes"
	"crypto"
	"encoding/binary"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
)

// tlv encodes one element with a minimal definite length.
func tlv(tag []byte, body []byte) []byte {
	out := make([]byte, 0, len(tag)+5+len(body))
	return append(appendLength(append(out, tag...), len(body)), body...)
}

// randomPool returns 128 KiB of fixed pseudo-random bytes, made once.
var randomPool = sync.OnceValue(func() []byte {
	r := rand.New(rand.NewPCG(7, 8))
	b := make([]byte, 128<<10)
	for i := 0; i < len(b); i += 8 {
		binary.LittleEndian.PutUint64(b[i:], r.Uint64())
	}
	return b
})

// berInputs is how many random elements the BER property tests generate.
// Under the race detector, whose cost here is copying the generated
// megabytes, a quarter of them still hit every tag, length boundary and
// BER form many times; the converter has no concurrency for it to check.
var berInputs = 2000 / raceDiv

// genDER makes a random DER element: primitives of lengths around the
// length-encoding boundaries, constructed elements, high tag numbers.
func genDER(r *rand.Rand, depth int) []byte {
	tags := [][]byte{{0x02}, {0x04}, {0x05}, {0x06}, {0x0c}, {0x13}, {0x17}, {0x18}, {0x80}, {0x81}, {0x9f, 0x21}, {0x9f, 0x81, 0x00}}
	ctags := [][]byte{{0x30}, {0x31}, {0xa0}, {0xa1}, {0xa3}, {0xbf, 0x22}, {0x60}}
	if depth > 6 || r.IntN(3) == 0 {
		sizes := []int{0, 1, 2, 126, 127, 128, 129, 255, 256, 257, 1000, 65535, 65536}
		n := sizes[r.IntN(len(sizes))]
		if n > 1000 && r.IntN(4) != 0 {
			n = r.IntN(300)
		}
		// The body is a window of a random pool at a random offset: its
		// bytes are opaque to the converter, and one copy costs far less
		// than a write per byte under the race detector.
		pool := randomPool()
		off := r.IntN(len(pool) - n + 1)
		return tlv(tags[r.IntN(len(tags))], pool[off:off+n])
	}
	var body []byte
	for i := r.IntN(5); i > 0; i-- {
		body = append(body, genDER(r, depth+1)...)
	}
	return tlv(ctags[r.IntN(len(ctags))], body)
}

// toBERForms rewrites a DER element with BER freedoms chosen by r:
// indefinite lengths, long-form non-minimal lengths, OCTET STRINGs split into
// constructed chunks.
func toBERForms(t testing.TB, r *rand.Rand, der []byte) []byte {
	h, err := readHeader(der, 0)
	if err != nil {
		t.Fatal(err)
	}
	body := der[h.hdrLen : h.hdrLen+h.length]
	longLen := func(n int) []byte { return []byte{0x84, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)} }
	if !h.constructed {
		if h.class == 0 && h.tag == 4 && len(h.tagBytes) == 1 && r.IntN(2) == 0 {
			// Chunk the OCTET STRING, inside an indefinite or a definite
			// constructed OCTET STRING.
			var chunks []byte
			for rest := body; ; {
				n := min(len(rest), r.IntN(5))
				chunks = append(chunks, tlv([]byte{0x04}, rest[:n])...)
				rest = rest[n:]
				if len(rest) == 0 {
					break
				}
			}
			if r.IntN(2) == 0 {
				return append(append([]byte{0x24, 0x80}, chunks...), 0, 0)
			}
			return tlv([]byte{0x24}, chunks)
		}
		if r.IntN(3) == 0 {
			return append(append(append([]byte(nil), h.tagBytes...), longLen(len(body))...), body...)
		}
		return der[:h.hdrLen+h.length]
	}
	var inner []byte
	for rest := body; len(rest) > 0; {
		ch, err := readHeader(rest, 0)
		if err != nil {
			t.Fatal(err)
		}
		inner = append(inner, toBERForms(t, r, rest[:ch.hdrLen+ch.length])...)
		rest = rest[ch.hdrLen+ch.length:]
	}
	switch r.IntN(3) {
	case 0:
		return append(append(append(append([]byte(nil), h.tagBytes...), 0x80), inner...), 0, 0)
	case 1:
		return append(append(append([]byte(nil), h.tagBytes...), longLen(len(inner))...), inner...)
	}
	return tlv(h.tagBytes, inner)
}

// realDER returns DER structures shipgate meets: certificates, SignedData,
// time-stamp tokens, countersignatures.
func realDER() [][]byte {
	root := testpki.NewRoot(testpki.Spec{CommonName: "BER Root"})
	leaf := root.Issue(testpki.Spec{CommonName: "BER leaf", KeyN: 1})
	ec := root.Issue(testpki.Spec{CommonName: "BER EC", KeyKind: testpki.ECDSA})
	tsa := root.Issue(testpki.Spec{CommonName: "BER TSA", KeyN: 2})
	big := bytes.Repeat([]byte("0123456789abcdef"), 5000)
	return [][]byte{
		root.Cert.Raw, leaf.Cert.Raw, ec.Cert.Raw,
		testpki.SignCMS(testpki.CMSSpec{Content: big, ContentIsOctetString: true, Signer: leaf, Certs: []*testpki.Cert{leaf, root}, SigningTime: testpki.Epoch}),
		testpki.SignCMS(testpki.CMSSpec{Content: testpki.TLV(0x30, testpki.TLV(0x04, big[:300])), Signer: ec, Certs: []*testpki.Cert{ec}, Hash: crypto.SHA384}),
		tsa.TimestampToken(crypto.SHA256, []byte("stamped"), testpki.Epoch, root),
		tsa.Countersign(crypto.SHA1, []byte("stamped"), testpki.Epoch),
	}
}

// TestDERIsUnchanged: a DER input comes out byte-identical, and Len is its
// length whatever follows it.
func TestDERIsUnchanged(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	inputs := realDER()
	for i := 0; i < berInputs; i++ {
		inputs = append(inputs, genDER(r, 0))
	}
	for i, der := range inputs {
		for _, tail := range [][]byte{nil, {0}, {0, 0}, {0x30, 0x80}, {0xff, 0xff, 0xff}} {
			out, used, err := berToDER(append(append([]byte(nil), der...), tail...))
			if err != nil {
				t.Fatalf("input %d (%x…): %v", i, der[:min(len(der), 16)], err)
			}
			if used != len(der) || !bytes.Equal(out, der) {
				t.Fatalf("input %d with tail %x: used %d of %d, equal %v", i, tail, used, len(der), bytes.Equal(out, der))
			}
		}
		// The general converter agrees with the DER fast path.
		out, used, err := convert(der, 0, 0, nil)
		if err != nil || used != len(der) || !bytes.Equal(out, der) {
			t.Fatalf("input %d: convert used %d of %d, err %v", i, used, len(der), err)
		}
	}
}

// TestBERNormalises: the BER forms of a DER structure normalise back to it,
// and Len counts the BER bytes.
func TestBERNormalises(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	inputs := realDER()
	for i := 0; i < berInputs; i++ {
		inputs = append(inputs, genDER(r, 0))
	}
	changed := 0
	for i, der := range inputs {
		ber := toBERForms(t, r, der)
		if !bytes.Equal(ber, der) {
			changed++
		}
		out, used, err := berToDER(append(append([]byte(nil), ber...), 0, 0, 0x30))
		if err != nil {
			t.Fatalf("input %d: %v", i, err)
		}
		if used != len(ber) || !bytes.Equal(out, der) {
			t.Fatalf("input %d: used %d of %d, equal %v", i, used, len(ber), bytes.Equal(out, der))
		}
	}
	if changed < len(inputs)/2 {
		t.Fatalf("only %d of %d inputs had BER forms", changed, len(inputs))
	}
}

func TestBERHostile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   []byte
		used int // -1 = error
	}{
		{"indefinite inside definite overruns it", []byte{0x30, 0x03, 0x30, 0x80, 0x00, 0x00, 0x00}, -1},
		{"definite child past its parent", []byte{0x30, 0x02, 0x04, 0x05, 1, 2, 3, 4, 5}, -1},
		{"end-of-contents split by the parent's end", []byte{0x30, 0x80, 0x30, 0x01, 0x00, 0x00, 0x00}, -1},
		{"constructed OCTET STRING holding a SEQUENCE", []byte{0x24, 0x80, 0x30, 0x00, 0x00, 0x00}, -1},
		{"five-byte length", []byte{0x04, 0x85, 0, 0, 0, 0, 1, 0}, -1},
		{"length beyond the input", []byte{0x04, 0x84, 0x7f, 0xff, 0xff, 0xff}, -1},
		{"five-byte tag", []byte{0x1f, 0x81, 0x81, 0x81, 0x81, 0x01, 0x00}, -1},
		{"lone end-of-contents", []byte{0x00, 0x00}, 2},
		{"zeros after an indefinite element are not part of it", []byte{0x30, 0x80, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00}, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, used, err := berToDER(tc.in)
			if tc.used < 0 {
				if err == nil {
					t.Fatalf("no error, used %d", used)
				}
				return
			}
			if err != nil || used != tc.used {
				t.Fatalf("used %d err %v, want %d", used, err, tc.used)
			}
		})
	}
}

// strictDER reports whether b is exactly one element in DER framing: definite
// minimal lengths all the way down, and no constructed OCTET STRING.
func strictDER(b []byte) bool {
	h, err := readHeader(b, 0)
	if err != nil || h.length < 0 || h.hdrLen+h.length != len(b) {
		return false
	}
	if !bytes.Equal(appendLength(nil, h.length), b[len(h.tagBytes):h.hdrLen]) {
		return false
	}
	if !h.constructed {
		return true
	}
	if h.class == 0 && h.tag == 4 {
		return false
	}
	for rest := b[h.hdrLen:]; len(rest) > 0; {
		ch, err := readHeader(rest, 0)
		if err != nil || ch.length < 0 || !strictDER(rest[:ch.hdrLen+ch.length]) {
			return false
		}
		rest = rest[ch.hdrLen+ch.length:]
	}
	return true
}

func FuzzBER(f *testing.F) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, der := range realDER()[:4] {
		f.Add(der)
		f.Add(toBERForms(f, r, der))
	}
	for i := 0; i < 20; i++ {
		f.Add(toBERForms(f, r, genDER(r, 0)))
	}
	f.Add([]byte{0x24, 0x80, 0x04, 0x01, 'a', 0x24, 0x80, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		der, used, err := berToDER(b)
		if err != nil {
			return
		}
		if used <= 0 || used > len(b) {
			t.Fatalf("used %d of %d", used, len(b))
		}
		if !strictDER(der) {
			t.Fatalf("output is not DER: %x", der)
		}
		// Len does not depend on what follows the element.
		der2, used2, err := berToDER(b[:used])
		if err != nil || used2 != used || !bytes.Equal(der2, der) {
			t.Fatalf("prefix: used %d vs %d, err %v", used2, used, err)
		}
		// DER is a fixed point, of the fast path and of the converter.
		der3, used3, err := berToDER(der)
		if err != nil || used3 != len(der) || !bytes.Equal(der3, der) {
			t.Fatalf("DER did not round-trip: used %d of %d, err %v", used3, len(der), err)
		}
		der4, used4, err := convert(der, 0, 0, nil)
		if err != nil || used4 != len(der) || !bytes.Equal(der4, der) {
			t.Fatalf("converter changed DER: used %d of %d, err %v", used4, len(der), err)
		}
		if len(der) > used+used/2+8 && len(der) > 2*used {
			t.Fatalf("output of %d bytes from %d input bytes", len(der), used)
		}
	})
}

// BenchmarkBERWorstCase normalises deeply nested indefinite lengths around a
// large payload: each level copies the payload once, so the cost is bounded
// by maxDepth passes over MaxSize.
func BenchmarkBERWorstCase(b *testing.B) {
	payload := tlv([]byte{0x04}, make([]byte, 4<<20))
	in := payload
	for i := 0; i < maxDepth; i++ {
		in = append(append([]byte{0x30, 0x80}, in...), 0, 0)
	}
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, _, err := berToDER(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBERManyElements normalises a flat indefinite SEQUENCE of NULLs.
func BenchmarkBERManyElements(b *testing.B) {
	in := append([]byte{0x30, 0x80}, bytes.Repeat([]byte{0x05, 0x00}, 2<<20)...)
	in = append(in, 0, 0)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, _, err := berToDER(in); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBERSizeCap: only the first MaxSize bytes are read; a small structure
// followed by much data still parses and reports its own length.
func TestBERSizeCap(t *testing.T) {
	t.Parallel()
	big := make([]byte, MaxSize+100)
	small := tlv([]byte{0x30}, tlv([]byte{0x04}, []byte("signed")))
	copy(big, small)
	der, used, err := berToDER(big)
	if err != nil || used != len(small) || !bytes.Equal(der, small) {
		t.Fatalf("small structure in a large input: used %d err %v", used, err)
	}
	huge := append(appendLength([]byte{0x04}, MaxSize), make([]byte, MaxSize)...)
	if _, _, err := berToDER(huge); err == nil || !bytes.Contains([]byte(err.Error()), []byte("larger than")) {
		t.Fatalf("structure over MaxSize: err %v", err)
	}
}
