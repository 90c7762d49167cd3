// Package lzfsetest is a small LZFSE encoder for tests and fixture
// generators: it writes raw ("bvx-"), LZVN ("bvxn") and v2 ("bvx2") blocks
// with a greedy match finder, so the decoder in internal/lzfse can be
// round-tripped and cross-checked against 7-Zip. It favours clarity over
// ratio and speed.
package lzfsetest

import "encoding/binary"

// Kind chooses the blocks Encode writes.
type Kind int

const (
	// Mixed rotates V2, LZVN and raw blocks.
	Mixed Kind = iota
	// Raw writes "bvx-" blocks.
	Raw
	// LZVN writes "bvxn" blocks.
	LZVN
	// V2 writes "bvx2" blocks.
	V2
)

// blockSize keeps a block under the decoder's literal and match limits.
const blockSize = 24000

// Encode compresses data into an LZFSE stream of the given kind.
func Encode(data []byte, kind Kind) []byte {
	var out []byte
	for i := 0; i < len(data) || (i == 0 && len(data) == 0 && false); i += blockSize {
		b := data[i:min(i+blockSize, len(data))]
		k := kind
		if kind == Mixed {
			k = []Kind{V2, LZVN, Raw}[(i/blockSize)%3]
		}
		switch k {
		case Raw:
			out = le32(out, 0x2d787662)
			out = le32(out, uint32(len(b)))
			out = append(out, b...)
		case LZVN:
			out = encodeLZVN(out, b)
		default:
			out = encodeV2(out, b)
		}
	}
	return le32(out, 0x24787662)
}

func le32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }

// seq is lit literals from the input, then a match of m bytes at distance d.
type seq struct{ lit, l, m, d int }

// matches splits b into sequences with a greedy hash-chain-free finder:
// matches of at least 4 bytes, at most maxM long and maxD back.
func matches(b []byte, maxM, maxD int) []seq {
	var out []seq
	last := map[uint32]int{}
	litStart := 0
	for i := 0; i+4 <= len(b); {
		h := binary.LittleEndian.Uint32(b[i:])
		p, ok := last[h]
		last[h] = i
		if !ok || i-p > maxD {
			i++
			continue
		}
		m := 0
		for i+m < len(b) && b[p+m] == b[i+m] && m < maxM {
			m++
		}
		out = append(out, seq{lit: litStart, l: i - litStart, m: m, d: i - p})
		for j := i + 1; j < i+m && j+4 <= len(b); j++ {
			last[binary.LittleEndian.Uint32(b[j:])] = j
		}
		i += m
		litStart = i
	}
	return append(out, seq{lit: litStart, l: len(b) - litStart})
}
