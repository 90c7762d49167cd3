// Package lzfse decodes LZFSE streams, the compression Apple uses for
// UDIF chunks of type 0x80000007 (the default of `hdiutil create -format
// ULFO`).
//
// It is our own, written from the published format of Apple's open-source
// reference (github.com/lzfse/lzfse): no Go module for LZFSE can be used here
// (the known ones need cgo or are not fetchable), and shipgate builds without
// cgo.
//
// A stream is a sequence of blocks, each starting with a 4-byte magic:
// "bvx$" ends the stream, "bvx-" holds raw bytes, "bvx1" and "bvx2" hold
// LZFSE-compressed bytes (literals and L/M/D triplets coded with finite state
// entropy, with plain or packed frequency tables), and "bvxn" holds LZVN.
//
// Limits: output is written into a buffer the caller sizes; a stream that
// would decode past it, that ends before its end-of-stream block, or that is
// malformed in any way is an error naming the byte offset in the stream
// where decoding stopped. Nothing is allocated from a size field that has
// not been checked against the caller's bound or the stream's length. The
// decoder never panics on any input (see FuzzDecode).
//
// Cross-checks: LZVN and v2 blocks written by the test encoder
// (lzfsetest) decode the same in 7-Zip 26.02 (signing/dmg
// TestCrossCheck7zADCLZMA). Raw blocks are not cross-checked: 7-Zip's
// decoder of them never counts down what it copied, so it reports a data
// error on any non-empty raw block (a 7-Zip bug; the layout, magic, size,
// bytes, leaves little room for doubt). The v2 L/M/D payload
// of Apple's encoder starts with 8 zero bytes, which 7-Zip requires and
// this decoder, like Apple's, does not. Version 1 ("bvx1")
// blocks are decoded from the layout of the reference's header structure
// but, unlike the other kinds, are not cross-checked against another
// decoder, since no encoder at hand writes them.
package lzfse
