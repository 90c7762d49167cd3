package dmg

import (
	"fmt"
	"io"
)

// Apple Data Compression (ADC), the codec of UDCO images' chunks (type
// 0x80000004), is a byte-oriented LZ77 format. Each phrase starts with a
// tag byte:
//
//   - 1xxxxxxx: a literal run of (x+1) bytes, which follow the tag;
//   - 01xxxxxx dd dd: a copy of (x+4) bytes from d+1 bytes back (d a
//     big-endian 16-bit number);
//   - 00xxxxdd dd: a copy of (x+3) bytes from d+1 bytes back (d the tag's
//     low two bits, then the next byte: 10 bits).
//
// A copy may overlap what it writes (a run). Each chunk is a stream of its
// own: copies never reach into another chunk.

// maxADCLength is the longest a chunk of want decoded bytes can be: all
// literal runs of 128 bytes, each behind its tag.
func maxADCLength(want int64) int64 { return want + (want+127)/128 }

// readADC reads chunk c's n bytes of ADC data from r and decodes them to
// exactly want bytes (see decodeADC). The data is read only when n is no
// more than a stream of want bytes can be.
func readADC(r io.Reader, n, want int64) ([]byte, error) {
	in, err := readChunkData(r, "ADC", n, maxADCLength(want), want)
	if err != nil {
		return nil, err
	}
	return decodeADC(in, want)
}

// decodeADC decodes the ADC stream in to exactly want bytes: output never
// grows past want (a phrase that would write past it is an error, as is a
// stream that ends short of it), and a copy never reaches before the
// start of the output.
func decodeADC(in []byte, want int64) ([]byte, error) {
	out := make([]byte, 0, want)
	for i := 0; i < len(in); {
		tag := in[i]
		var n, back, size int
		switch {
		case tag&0x80 != 0:
			n, size = int(tag&0x7f)+1, 1
		case tag&0x40 != 0:
			n, size = int(tag&0x3f)+4, 3
		default:
			n, size = int(tag>>2&0x0f)+3, 2
		}
		if tag&0x80 != 0 && i+1+n > len(in) || i+size > len(in) {
			return nil, fmt.Errorf("ADC phrase at byte %d runs past the chunk's %d bytes", i, len(in))
		}
		if int64(len(out)+n) > want {
			return nil, fmt.Errorf("ADC phrase at byte %d decodes past the chunk's %d bytes", i, want)
		}
		switch size {
		case 1:
			out = append(out, in[i+1:i+1+n]...)
			i += 1 + n
			continue
		case 3:
			back = int(in[i+1])<<8 | int(in[i+2]) + 1
		default:
			back = int(tag&0x03)<<8 | int(in[i+1]) + 1
		}
		if back > len(out) {
			return nil, fmt.Errorf("ADC phrase at byte %d copies from %d bytes back, before the start of the chunk (%d bytes decoded)", i, back, len(out))
		}
		for k := 0; k < n; k++ {
			out = append(out, out[len(out)-back])
		}
		i += size
	}
	if int64(len(out)) != want {
		return nil, fmt.Errorf("it decodes to %d bytes, want %d", len(out), want)
	}
	return out, nil
}
