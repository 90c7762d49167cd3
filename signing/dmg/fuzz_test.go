package dmg

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"testing"

	"howett.net/plist"

	"github.com/shipgate/shipgate/internal/dmgfile"
)

// FuzzVerify runs the koly, plist and block table parsers, the chunk
// decoders and the signature check on arbitrary input: no panic, a Result
// or ErrNotDMG / *FormatError, and FileHash fed every byte of a result.
//
// The seeds' bzip2 chunk declares bzip2 -1's block size: Go's decoder
// allocates and clears 4 bytes per byte of it for every bzip2 chunk, 3.6 MB
// at -9, which made each run cost milliseconds and each minimization of a
// new input the whole of -fuzzminimizetime (8 executions in 100 s). The
// expansion budget charges that buffer (chunkCost), so a mutated header
// declaring -9 stops at dmg/expansion-limit instead.
func FuzzVerify(f *testing.F) {
	u, lay := dmgfile.Build(dmgfile.Spec{LZFSEChunks: true, Bzip2Level: 1})
	img, l := dmgfile.Build(dmgfile.Spec{Bzip2Level: 1})
	sig, _, err := dmgfile.Sign(img, l, dmgfile.SignSpec(testPKI, "fuzz"), nil)
	if err != nil {
		f.Fatal(err)
	}
	adc, _ := dmgfile.Build(dmgfile.Spec{ADC: true, Bzip2Level: 1})
	lzma, _ := dmgfile.Build(dmgfile.Spec{LZMA: true, LZMADict: 64 << 10, Bzip2Level: 1})
	for _, b := range [][]byte{u, sig, adc, lzma} {
		// Every chunk of a seed decodes within the fuzz budget and its
		// checksums hold, so mutations start from the deepest path.
		res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{MaxExpanded: fuzzExpanded})
		if err != nil {
			f.Fatal(err)
		}
		for _, x := range res.Findings {
			if x.Rule == RuleExpansionLimit || x.Rule == RuleChecksumMismatch || x.Rule == RuleMalformed {
				f.Fatalf("seed of %d bytes: %s: %s", len(b), x.Rule, x.Message)
			}
		}
		f.Add(b)
	}
	// Hostile shapes: a signature pointing at the plist, a data fork
	// length past the file, a plist cut short.
	sk := bytes.Clone(sig)
	binary.BigEndian.PutUint64(sk[len(sk)-512+296:], uint64(l.XMLOff))
	f.Add(sk)
	df := bytes.Clone(u)
	binary.BigEndian.PutUint64(df[len(df)-512+32:], 1<<60)
	f.Add(df)
	short := bytes.Clone(u)
	binary.BigEndian.PutUint64(short[len(short)-512+224:], uint64(lay.XMLLen/2))
	f.Add(short)
	f.Fuzz(func(t *testing.T, b []byte) {
		h := sha256.New()
		res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{FileHash: h, MaxExpanded: fuzzExpanded})
		var fe *FormatError
		switch {
		case errors.Is(err, ErrNotDMG), errors.As(err, &fe):
			return
		case err != nil:
			t.Fatalf("unexpected error %v", err)
		case res == nil:
			t.Fatal("nil result")
		}
		if want := sha256.Sum256(b); !bytes.Equal(h.Sum(nil), want[:]) {
			t.Error("FileHash did not receive the file")
		}
	})
}

// fuzzExpanded is FuzzVerify's expansion budget: the seeds' sectors and
// one bzip2 -1 block buffer, not a bzip2 -9 one.
const fuzzExpanded = 1 << 20

// FuzzParseMish runs the block table parser alone.
func FuzzParseMish(f *testing.F) {
	u, lay := dmgfile.Build(dmgfile.Spec{})
	var doc struct {
		RF map[string][]struct {
			Data []byte `plist:"Data"`
		} `plist:"resource-fork"`
	}
	if _, err := plist.Unmarshal(u[lay.XMLOff:lay.XMLOff+lay.XMLLen], &doc); err != nil {
		f.Fatal(err)
	}
	for _, e := range doc.RF["blkx"] {
		f.Add(e.Data)
		// The same table claiming 2^32-1 chunks.
		hostile := bytes.Clone(e.Data)
		binary.BigEndian.PutUint32(hostile[200:], 0xffffffff)
		f.Add(hostile)
	}
	f.Add(make([]byte, 204))
	f.Add(append([]byte("mish\x00\x00\x00\x01"), make([]byte, 196)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parseMish(b, 0, 1<<10)
		if err == nil && uint64(len(b)) != 204+40*uint64(len(p.Chunks)) {
			t.Fatalf("%d chunks from %d bytes", len(p.Chunks), len(b))
		}
	})
}
