// Package authenticode verifies Windows Authenticode signatures of PE files
// and of the other formats Windows signs: scripts ([VerifyScript]), MSI
// databases ([VerifyMSI], and [VerifyMSIStorage] for one nested in a
// storage of another, over the compound-file reader internal/cfb),
// cabinets ([VerifyCAB]), security catalogs ([VerifyCatalog], whose
// certificate trust list internal/ctl reads; [ParseCatalog] lists the
// members, and the caller decides which files they vouch for) and MSIX/APPX
// packages and bundles ([VerifyAPPX]).
//
// [Verify] reads a PE file through an [io.ReaderAt] in one sequential pass and
// reports, for every signature (each WIN_CERTIFICATE entry of the certificate
// table, then every nested signature), the facts and the verdict: the image
// digest recomputed with the signed algorithm, page hashes, messageDigest and
// the signer's signature, RFC 3161 and legacy timestamps, the signer's
// extended key usage and its chain to a caller-supplied [signing.TrustStore].
// It also reports the tricks that keep a signature "valid" while a file
// carries extra data: bytes after the PKCS#7 blob inside its WIN_CERTIFICATE
// (CVE-2013-3900, as in 3CX's d3dcompiler_47.dll), data after the table,
// sections the loader would map over the table or over the two header
// fields the digest skips (CheckSum and the security directory entry), a
// low-alignment image whose one-to-one mapping reaches the table,
// overlapping sections, unknown unsigned attributes carrying data, bytes
// inside the PKCS#7 that no verified field owns (crls, non-certificate
// entries, odd algorithm parameters, in timestamps too), certificates no
// verified chain uses, copies of a signature (nested or in another entry)
// or of a timestamp, a wrong checksum, and weak algorithms. A file cut
// short inside or before its declared table is malformed, never unsigned.
//
// Headers are parsed with github.com/saferwall/pe, used as a parser only: it
// is given the header bytes alone, with every data directory parser off. The
// certificate table, the signatures and all verification are done here,
// because saferwall reads only the first entry and the first nested
// signature, ignores timestamps and ties its verdict to the system roots.
//
// Every format shares the steps after its digest is recomputed: the
// SignedData and SpcIndirectDataContent, the signer, timestamps, the chain,
// weak algorithms, and the ownership of every byte of the SignedData; each
// format adds the checks of its container (the certificate table of a PE
// file, the comment block of a script, the compound file of an MSI, the
// reserve of a cabinet, the zip records and block map of an MSIX package)
// under its own rule family (script/…, msi/…, cab/…, catalog/…, msix/…). A catalog's signature
// covers its own content, the CTL, so its "digest" is the CTL's, compared
// with the signer's messageDigest.
//
// An MSIX package is read record by record by a zip reader of this
// package rather than archive/zip: the APPX digests cover raw byte ranges
// (everything before the signature's local header; the central directory
// less one record), and bytes between records or after them must be found,
// which archive/zip hides. Its XML parts are read with encoding/xml, after
// their size is checked against a limit.
//
// github.com/sassoftware/relic/v8 (v8.2.0) was evaluated for the other
// formats and is not used: its compound-file reader (lib/comdoc) allocates
// the sector table from the header's count unchecked, indexes sector tables
// and directory entries with values read from the file without bounds checks
// (a panic on hostile input), follows sector and directory chains without
// cycle detection, and lib/authenticode verifies with its own PKCS#7 and
// trust code; its PowerShell digest also keeps the whole block framing
// rules in a line reader that accepts what this package reports. The
// digest rules were checked against its code, osslsigncode's and jsign's.
//
// MD5 is refused as Windows refuses it since the MD5 deprecation (security
// advisory 2862973, KB2862973; built into Windows 8.1 and Server 2012 R2): a
// code-signing or time-stamping chain through an MD5-signed certificate
// does not verify (untrusted), except a code-signing one for a signature
// that a verified timestamp dates before March 2009, which Windows still
// accepts (kept, with an authenticode/weak-algorithm error). Content bound
// only by MD5 (the Authenticode digest, the signer's digest or signature
// algorithm, a catalog's member digests) is not bound against a
// chosen-prefix collision, so such a signature is invalid, with an
// authenticode/weak-algorithm error and a failed digest-algorithm check, as
// an MD5 checksum is in signing/pkg. SHA-1 is accepted with a warning.
//
// The first timestamp that verifies dates the signature. Which of an RFC
// 3161 token and a legacy countersignature WinVerifyTrust prefers is not
// documented, so when a signature carries both and they disagree (one
// fails, or they are over an hour apart) that is reported
// (authenticode/timestamps-disagree) rather than settled silently.
//
// Integrity and trust are separate: an intact signature whose chain does not
// reach a trusted root is untrusted, never invalid. Revocation (CRL, OCSP) is
// not checked, nor are certificate policies (name constraints are); match the
// reported identities against a blocklist instead.
package authenticode
