// Package dmg verifies macOS disk images (UDIF, .dmg): their structure,
// checksums and embedded code signature.
//
// [NewReader] parses an image through an [io.ReaderAt]: the 512-byte koly
// trailer at its end (big-endian: version 4, data fork, resource fork, XML
// plist and code signature locations, checksums, sector count), the XML
// plist it locates (howett.net/plist) and every resource-fork/blkx entry's
// block table (mish: a 204-byte header and 40-byte chunk entries). Every
// count and offset is checked against the file and against caps before
// anything is allocated, and problems are findings, not errors. The reader
// is our own: no maintained Go module reads UDIF.
//
// [Verify] then checks that every byte of the file belongs to one
// structure (a chunk of the data fork, the plist, the resource fork, the
// code signature or the trailer), decodes raw, zlib, bzip2, ADC and LZMA
// chunks (compress/zlib, compress/bzip2, our own ADC decoder: adc.go,
// github.com/ulikunitz/xz for LZMA's xz streams: lzma.go) within an expansion limit to check each
// partition's CRC-32 and the data fork's, and verifies the embedded code
// signature with package codesign ([codesign.VerifyEmbedded]): a SuperBlob
// whose CodeDirectory hashes [0, signature offset) and binds the koly
// trailer, with its code signature length zeroed, in special slot 6; the
// CMS signature, chain, Developer ID markers, team ID and timestamp are
// checked exactly as for a Mach-O. Findings about the image carry the
// dmg/ rules documented in docs/rules/dmg.md; those about the signature
// keep their codesign/ rules.
//
// LZFSE chunks are decoded by internal/lzfse (our own decoder: no Go
// module for it is usable); a chunk that does not decode is dmg/malformed.
// Not checked: the file system inside (APFS, HFS+) is not opened by Verify
// (dmg/filesystem-not-opened), but [Image.OpenPartition] reads a
// partition's decoded sectors, through which package verify opens HFS+
// volumes and verifies the .app inside; segmented and encrypted images, old
// images whose block tables live in a resource fork, and Apple's signature
// on a stapled notarization ticket. The ticket stapler adds to the
// SuperBlob's ticket slot after signing is parsed by package notary and
// bound to the image's cdhashes (Result.Signature.Notarization); it is
// reported as codesign/notarization-ticket-unverified, a note, and data
// there that is not a ticket as codesign/notarization-ticket-malformed, an
// error.
package dmg
