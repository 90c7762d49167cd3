package pefile

import (
	"crypto"
	"encoding/binary"
	"errors"
)

// ImageDigest computes the Authenticode image hash of img with h: the whole
// file in order except the CheckSum field, the security directory entry and
// the certificate table. A file without a certificate table is hashed as if
// zero-padded to a multiple of 8 bytes, as a signer pads it before appending
// the table, so the digest of an unsigned image equals the one its signature
// will carry.
func ImageDigest(img []byte, h crypto.Hash) ([]byte, error) {
	in, err := Parse(img)
	if err != nil {
		return nil, err
	}
	w := h.New()
	w.Write(img[:in.ChecksumOff])
	if in.SecDirOff < 0 {
		w.Write(img[in.ChecksumOff+4:])
		w.Write(make([]byte, pad8(len(img))))
		return w.Sum(nil), nil
	}
	w.Write(img[in.ChecksumOff+4 : in.SecDirOff])
	if in.CertSize == 0 {
		w.Write(img[in.SecDirOff+8:])
		w.Write(make([]byte, pad8(len(img))))
		return w.Sum(nil), nil
	}
	end := int(in.CertOff) + int(in.CertSize)
	if int(in.CertOff) < in.SecDirOff+8 || end > len(img) {
		return nil, errors.New("pefile: certificate table outside the file")
	}
	w.Write(img[in.SecDirOff+8 : in.CertOff])
	w.Write(img[end:])
	return w.Sum(nil), nil
}

func pad8(n int) int { return (8 - n%8) % 8 }

// PageHashes computes the Authenticode page-hash table of img with h (SHA-1
// or SHA-256) the way osslsigncode does: entries of a little-endian uint32
// file offset followed by a digest. The first entry hashes the headers up to
// SizeOfHeaders without the CheckSum field and the security directory entry,
// zero-filled to one page (SectionAlignment bytes); then each page of each
// section's raw data, the last one of a section zero-filled; a final entry
// holds the end offset of the last section and an all-zero digest.
func PageHashes(img []byte, h crypto.Hash) ([]byte, error) {
	in, err := Parse(img)
	if err != nil {
		return nil, err
	}
	page := int(in.SectionAlignment)
	hdr := int(in.SizeOfHeaders)
	if page == 0 || hdr > page || hdr > len(img) || in.SecDirOff < 0 {
		return nil, errors.New("pefile: layout unsuitable for page hashes")
	}
	var out []byte
	entry := func(off int, parts ...[]byte) {
		out = binary.LittleEndian.AppendUint32(out, uint32(off))
		w := h.New()
		n := 0
		for _, p := range parts {
			w.Write(p)
			n += len(p)
		}
		if parts != nil {
			w.Write(make([]byte, page-n))
			out = w.Sum(out)
		} else {
			out = append(out, make([]byte, h.Size())...)
		}
	}
	// Header page: skipped fields are left out, and the page is zero-filled
	// by the count of header bytes, not of bytes hashed (osslsigncode).
	{
		out = binary.LittleEndian.AppendUint32(out, 0)
		w := h.New()
		w.Write(img[:in.ChecksumOff])
		w.Write(img[in.ChecksumOff+4 : in.SecDirOff])
		w.Write(img[in.SecDirOff+8 : hdr])
		w.Write(make([]byte, page-hdr))
		out = w.Sum(out)
	}
	last := 0
	for _, s := range in.Sections {
		if s.Size == 0 {
			continue
		}
		ro, rs := int(s.Offset), int(s.Size)
		if ro+rs > len(img) {
			return nil, errors.New("pefile: section outside the file")
		}
		for l := 0; l < rs; l += page {
			n := min(page, rs-l)
			entry(ro+l, img[ro+l:ro+l+n])
		}
		last = ro + rs
	}
	entry(last)
	return out, nil
}
