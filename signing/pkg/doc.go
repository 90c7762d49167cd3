// Package pkg reads and verifies macOS flat installer packages (.pkg): xar
// archives whose table of contents is signed, holding a Distribution and
// component packages with a Payload and Scripts (compressed cpio archives).
//
// [NewReader] reads a xar archive over an [io.ReaderAt]: the 28-byte
// big-endian header ("xar!", header size, version 1, the compressed and
// decompressed lengths of the table of contents, the checksum algorithm:
// 0 none, 1 SHA-1, 2 MD5, 3 SHA-256 or, with a name after the fixed header
// as mackyle's xar writes, "other", 4 SHA-512), the zlib-compressed XML
// table of contents (at most [MaxTOC] bytes either way, its length exact),
// and the heap after it. The table's <checksum> names where in the heap
// the hash of the compressed table is stored; each <file>'s <data> names
// its heap offset, archived length, decoded size, encoding (none, zlib as
// "application/x-gzip", bzip2) and archived and extracted checksums.
// Elements that must occur once are refused when repeated (a second
// <checksum> or <size> another reader might take instead), names that are
// not single path elements are reported and not opened, and every heap
// byte must be owned by the checksum, a signature or a file's data: gaps,
// overlaps and bytes after the heap are reported with their offsets.
//
// [Verify] checks a package as pkgutil --check-signature and Installer do,
// offline: the table checksum against the table, every file's archived
// checksum against its heap bytes and extracted checksum against its
// decoded bytes (MD5 is not accepted as binding), the RSA <signature>
// (PKCS#1 v1.5 over the checksum, with the header's hash, by the first
// KeyInfo certificate) and each CMS <x-signature> (detached id-data over
// the checksum bytes, via internal/cms), one signer for all of them, the
// chain to the caller's [signing.TrustStore] at the CMS timestamp's time
// when it verifies, and an installer certificate: the Developer ID
// Installer (1.2.840.113635.100.4.13) or Mac installer
// (1.2.840.113635.100.4.9) extended key usage, and a Developer ID leaf
// under a CA with the Developer ID marker. Each signature is one
// [signing.Signature] (formats apple-pkg and apple-pkg-cms); problems are
// [signing.Finding] values with the rule IDs listed as Rule* constants and
// documented in docs/rules/pkg.md.
//
// [OpenFS] exposes the package as an [io/fs.FS] whose components' Payload
// and Scripts (gzip, pbzx or bzip2 compressed cpio archives in the odc
// format Apple writes, or in newc, read with the same checks) are
// directories, decompressed in memory within a limit, so that
// the .app a package installs is verified like a folder; install scripts
// are listed.
//
// A product archive's Distribution (Apple's "Distribution XML Reference")
// is read by [ParseDistribution], strictly (a size limit; no document type
// declaration, namespaces, repeated attributes or options elements, or
// pkg-ref text split by comments or CDATA, which XML readers read
// differently). Verify reports every pkg-ref that does not name a
// component package of the archive ("#name.pkg"), every component package
// no pkg-ref names (OpenFS still walks it), allow-external-scripts and the
// system.run and system.runOnce calls of its JavaScript, and lists its
// scripts. The JavaScript is scanned, not run.
//
// A stapled package ends in "t8lr" trailers and a notarization ticket
// after the archive: the archive is read up to them, and the ticket is
// parsed by package notary and searched for the table of contents checksum
// (Result.Notarization).
//
// Not checked: certificate revocation (OCSP), Apple's signature on
// stapled notarization tickets (undocumented), what the Distribution's JavaScript computes (it is scanned for
// system.run calls, not run), whether Installer itself accepts a newc
// payload (it is opened and checked as GNU cpio and libarchive read it),
// and symlinks or hard links in the table of contents
// (reported, not followed).
//
// The reader is ours because no well-kept Go xar reader exists: none is
// among the modules this project may use, and the public ones are
// unmaintained and trust the table's sizes and repeated elements. Reading
// hostile input safely is the point here, so every size is checked against
// the file and the limits before anything is allocated, and XML is read
// with encoding/xml (no external entities, bounded nesting).
package pkg
