package dmg

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/signing"
)

// adcSample holds literals, short near repeats, long far ones and runs, so
// that its ADC stream uses every phrase kind.
func adcSample() []byte {
	var b []byte
	for i := range 3000 {
		b = append(b, byte(i*7+i/13))
	}
	b = append(b, bytes.Repeat([]byte("abcabcabcd"), 40)...)
	b = append(b, make([]byte, 700)...)
	b = append(b, b[100:2100]...)
	return append(b, "the end"...)
}

// TestADCRoundTrip: what the fixture encoder writes decodes to the same
// bytes, and its stream holds all three phrase kinds.
func TestADCRoundTrip(t *testing.T) {
	t.Parallel()
	for _, plain := range [][]byte{adcSample(), {}, {1}, bytes.Repeat([]byte{9}, 5000)} {
		enc := dmgfile.ADC(plain)
		got, err := decodeADC(enc, int64(len(plain)))
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("%d bytes: err %v, equal %v", len(plain), err, bytes.Equal(got, plain))
		}
	}
	kinds := map[string]bool{}
	enc := dmgfile.ADC(adcSample())
	for i := 0; i < len(enc); {
		switch tag := enc[i]; {
		case tag&0x80 != 0:
			kinds["literal"], i = true, i+2+int(tag&0x7f)
		case tag&0x40 != 0:
			kinds["3-byte"], i = true, i+3
		default:
			kinds["2-byte"], i = true, i+2
		}
	}
	if len(kinds) != 3 {
		t.Errorf("phrase kinds %v", kinds)
	}
}

// TestADCLimits: a stream that decodes past the chunk's sectors, short of
// them, copies from before its start or ends inside a phrase is an error,
// as is more data than the sectors can take; nothing is written past want.
func TestADCLimits(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		in   []byte
		want int64
		err  string
	}{
		{"past the sectors", []byte{0x81, 'a', 'b', 0x3c, 0x01}, 8, "decodes past"},
		{"short", []byte{0x81, 'a', 'b'}, 8, "decodes to 2 bytes, want 8"},
		{"before the start", []byte{0x80, 'a', 0x00, 0x05}, 8, "before the start"},
		{"cut literal", []byte{0x85, 'a'}, 8, "runs past"},
		{"cut copy", []byte{0x80, 'a', 0x40, 0x00}, 8, "runs past"},
		{"bomb", append([]byte{0x80, 0}, bytes.Repeat([]byte{0x7f, 0x00, 0x00}, 1000)...), 512, "decodes past"},
	} {
		_, err := decodeADC(c.in, c.want)
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: %v, want %q", c.name, err, c.err)
		}
	}
	if _, err := readADC(bytes.NewReader(make([]byte, 600)), 600, 512); err == nil || !strings.Contains(err.Error(), "more than 512 decoded bytes can take") {
		t.Errorf("oversized chunk: %v", err)
	}
}

// TestADCImage: a signed image whose file system partition is stored in
// ADC chunks (UDCO) verifies: its checksums are checked, no chunk is left
// unopened; a byte changed in an ADC chunk breaks its checksum.
func TestADCImage(t *testing.T) {
	t.Parallel()
	b, lay := signed(t, dmgfile.Spec{ADC: true}, dmgfile.SignSpec(testPKI, "com.example.dmg"), nil)
	expect(t, run(t, b), signing.StatusValid)
	c := lay.Chunk(dmgfile.ChunkADC)
	if c.Len == 0 {
		t.Fatal("no ADC chunk")
	}
	b[c.Off+adcLiteral(t, b[c.Off:c.Off+c.Len])] ^= 1
	expect(t, run(t, b), signing.StatusInvalid, string(RuleChecksumMismatch), "codesign/page-hash-mismatch")
}

// adcLiteral returns the offset in the ADC stream enc of a literal byte.
func adcLiteral(t *testing.T, enc []byte) int {
	t.Helper()
	for i := 0; i < len(enc); {
		switch tag := enc[i]; {
		case tag&0x80 != 0:
			return i + 1
		case tag&0x40 != 0:
			i += 3
		default:
			i += 2
		}
	}
	t.Fatal("no literal")
	return 0
}

// wantReadsBack fails t unless the first partition of img opens and
// reads back as vol.
func wantReadsBack(t *testing.T, img, vol []byte) {
	t.Helper()
	pr, err := openFS(t, img, PartitionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(vol))
	if n, err := pr.ReadAt(got, 0); n != len(vol) || err != nil || !bytes.Equal(got, vol) {
		t.Fatalf("read %d, %v, equal %v", n, err, bytes.Equal(got, vol))
	}
}

// TestPartitionADC: a volume stored in ADC chunks reads back, and a chunk
// whose stream decodes past its sectors does not open.
func TestPartitionADC(t *testing.T) {
	t.Parallel()
	vol := volume(3*1024*1024 + 4096)
	img, lay := dmgfile.Build(dmgfile.Spec{HFS: vol, ADC: true})
	wantReadsBack(t, img, vol)
	c := lay.Chunk(dmgfile.ChunkADC)
	bad := bytes.Clone(img)
	copy(bad[c.Off:], []byte{0x80, 0, 0x7f, 0, 0}) // 68 bytes where 1 literal was
	pr, err := openFS(t, bad, PartitionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var fe *FormatError
	if _, err := pr.ReadAt(make([]byte, len(vol)), 0); !errors.As(err, &fe) || !strings.Contains(fe.Reason, "ADC") {
		t.Errorf("got %v", err)
	}
}

// FuzzADC decodes arbitrary streams: no panic, and never more than want
// bytes.
func FuzzADC(f *testing.F) {
	f.Add(dmgfile.ADC(adcSample()), uint16(len(adcSample())))
	f.Add([]byte{0x80, 'a', 0x7f, 0, 0}, uint16(68))
	f.Fuzz(func(t *testing.T, in []byte, want uint16) {
		out, err := decodeADC(in, int64(want))
		if err == nil && len(out) != int(want) {
			t.Fatalf("decoded %d bytes, want %d", len(out), want)
		}
	})
}
