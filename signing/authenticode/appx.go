package authenticode

import (
	"bytes"
	"cmp"
	"crypto"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/signing"
)

// ErrNotAPPX is returned by VerifyAPPX when the input is not a zip
// archive.
var ErrNotAPPX = errors.New("authenticode: not an MSIX/APPX package")

// Names of the package parts the signature treats apart.
const (
	appxSignatureName      = "AppxSignature.p7x"
	appxBlockMapName       = "AppxBlockMap.xml"
	appxContentTypesName   = "[Content_Types].xml"
	appxCodeIntegrityName  = "AppxMetadata/CodeIntegrity.cat"
	appxManifestName       = "AppxManifest.xml"
	appxBundleManifestName = "AppxMetadata/AppxBundleManifest.xml"
)

// The SpcSipInfo GUIDs of the APPX subject interface package: one for
// packages, one for bundles.
var (
	appxSIPGUID       = []byte{0x4B, 0xDF, 0xC5, 0x0A, 0x07, 0xCE, 0xE2, 0x4D, 0xB7, 0x6E, 0x23, 0xC8, 0x39, 0xA0, 0x9F, 0xD1}
	appxBundleSIPGUID = []byte{0xB3, 0x58, 0x5F, 0x0F, 0xDE, 0xAA, 0x9A, 0x4B, 0xA4, 0x34, 0x95, 0x74, 0x2D, 0x92, 0xEC, 0xEB}
)

// The tags of the APPX digest blob, in the order signtool writes them.
const (
	appxTagPackage      = "AXPC" // the local records of every file but the signature
	appxTagDirectory    = "AXCD" // the central directory without the signature
	appxTagContentTypes = "AXCT" // [Content_Types].xml, uncompressed
	appxTagBlockMap     = "AXBM" // AppxBlockMap.xml, uncompressed
	appxTagCodeIntegity = "AXCI" // AppxMetadata/CodeIntegrity.cat, when present
)

// VerifyAPPX checks the signature of the MSIX or APPX package (or bundle)
// in r, a zip archive of size bytes. AppxSignature.p7x holds "PKCX" and a
// PKCS#7 SignedData whose SpcIndirectDataContent (an SpcSipInfo of the
// APPX subject interface package) carries, as its digest, the blob "APPX"
// followed by tagged digests, each with the block map's hash method:
//
//   - AXPC: the archive's bytes from its start to the signature's local
//     header: every other file's local header, data and data descriptor;
//   - AXCD: the central directory without the signature's record, then the
//     end records (ZIP64 ones included) rewritten as if the signature were
//     not there: counts less one, directory offset at the signature's
//     local header, disk numbers zero;
//   - AXCT and AXBM: [Content_Types].xml and AppxBlockMap.xml uncompressed;
//   - AXCI: AppxMetadata/CodeIntegrity.cat uncompressed, when present.
//
// (osslsigncode's reading of the format, which Windows accepts.) Then, like
// [Verify] for a PE file, the SignedData, signer, timestamps, chain and the
// ownership of every byte in it are checked, and the publisher named by
// the manifest's Identity must be the signer's subject, or Windows refuses
// the package (rule msix/publisher-mismatch).
//
// Every file but the block map, the content types, the signature, the code
// integrity catalog (which AXCI covers) and a bundle's packages (which AXPC
// and their own signatures cover; a bundle's block map lists its manifest
// alone, as makeappx writes it, and the bundle manifest gives their sizes)
// must be listed in AppxBlockMap.xml with its size and the hash of each
// 64 KiB block of its uncompressed data, whether the package is signed or not
// (rules msix/file-not-in-block-map, msix/block-map-file-missing,
// msix/block-map-mismatch). Bytes no digest covers are reported
// (msix/unsigned-data): a record after the signature's, bytes between it and
// the central directory or after the end record, and comments, extra
// fields (but a ZIP64 one of the entry's own values), CRC-32s and sizes of
// the signature's own records that are not the entry's, and end record
// counts, sizes and offsets (which AXCD rewrites) that are not the
// archive's, and a signature's deflate stream longer than encoders write.
// The blocks' compressed sizes and the LfhSize attributes of the block map
// are not checked, nor are the content types of the parts.
//
// Result.Authentihash["sha256"] is the SHA-256 of the computed APPX digest
// blob; the PE fields are zero. The error is [ErrNotAPPX] when r is not a
// zip archive, a [*FormatError] when its records cannot be parsed, and
// otherwise an I/O error.
func VerifyAPPX(r io.ReaderAt, size int64, opts Options) (*Result, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	z, err := readAPPXZip(r, size)
	if err != nil {
		return nil, err
	}
	v := &verifier{r: r, opts: opts, log: log}
	v.res = &Result{Status: signing.StatusUnsigned}
	sub := &appxSubject{z: z, computed: map[crypto.Hash][]byte{}}
	v.sub = sub
	sub.bundle = z.byName[appxBundleManifestName] != nil
	sig := z.byName[appxSignatureName]
	if sig != nil {
		v.appxSignature(sig)
	}
	if err := v.appxLayout(sig); err != nil {
		return nil, err
	}

	bm := v.appxBlockMap()
	use := v.appxAlgorithms(bm)
	signedEnd := size
	if sig != nil && sig.local < size {
		signedEnd = sig.local
	}
	pc, err := v.appxHashPackage(size, signedEnd, use)
	if err != nil {
		return nil, err
	}
	v.appxRequiredParts(z)
	dir := z.directoryForDigest(sig, signedEnd)
	parts := v.appxReadParts(z, bm)
	v.appxDigests(use, pc, dir, parts)
	if bm != nil {
		v.appxCheckBlocks(bm)
	}
	if sig != nil {
		sub.publisher = v.appxPublisher()
	}
	v.verifyAll()
	return v.res, nil
}

// appxAlgorithms returns the digest algorithms to compute: SHA-256, the
// signatures' and the block map's, those available.
func (v *verifier) appxAlgorithms(bm *appxBlockMap) []crypto.Hash {
	algs := []crypto.Hash{crypto.SHA256}
	for _, s := range v.sigs {
		if s.spc != nil && slices.Contains(supported, s.spc.hash) {
			algs = append(algs, s.spc.hash)
		}
	}
	if bm != nil && bm.hash != 0 {
		algs = append(algs, bm.hash)
	}
	algs = dedupe(algs)
	var use []crypto.Hash
	for _, a := range algs {
		if a.Available() {
			use = append(use, a)
		}
	}
	return use
}

// appxHashPackage makes one pass over the file: every byte into FileHash,
// the bytes before signedEnd (the signature) into a hash of each of use,
// which it returns.
func (v *verifier) appxHashPackage(size, signedEnd int64, use []crypto.Hash) ([]hash.Hash, error) {
	pc := make([]hash.Hash, len(use))
	ws := make([]io.Writer, 0, len(use)+1)
	for i, a := range use {
		pc[i] = a.New()
		ws = append(ws, pc[i])
	}
	if v.opts.FileHash != nil {
		ws = append(ws, v.opts.FileHash)
	}
	if _, err := io.Copy(io.MultiWriter(ws...), io.NewSectionReader(v.r, 0, signedEnd)); err != nil {
		return nil, fmt.Errorf("authenticode: %w", err)
	}
	if v.opts.FileHash != nil {
		if _, err := io.Copy(v.opts.FileHash, io.NewSectionReader(v.r, signedEnd, size-signedEnd)); err != nil {
			return nil, fmt.Errorf("authenticode: %w", err)
		}
	}
	return pc, nil
}

// appxRequiredParts reports a package without [Content_Types].xml, or
// without exactly one of the package and bundle manifests.
func (v *verifier) appxRequiredParts(z *appxZip) {
	if z.byName[appxContentTypesName] == nil {
		v.appxProblem(RuleMSIXMalformedPackage, signing.SeverityError, z.cdOff, "the package has no "+appxContentTypesName)
	}
	switch m, b := z.byName[appxManifestName] != nil, z.byName[appxBundleManifestName] != nil; {
	case m && b:
		v.appxProblem(RuleMSIXMalformedPackage, signing.SeverityError, z.cdOff, "the package holds both "+appxManifestName+" and "+appxBundleManifestName+": Windows refuses it")
	case !m && !b:
		v.appxProblem(RuleMSIXMalformedPackage, signing.SeverityError, z.cdOff, "the package holds neither "+appxManifestName+" nor "+appxBundleManifestName)
	}
}

// appxReadParts reads the parts the signature digests one by one, by
// name, reporting those that cannot be read; bm is the parsed block map,
// nil when its problem is reported already.
func (v *verifier) appxReadParts(z *appxZip, bm *appxBlockMap) map[string][]byte {
	parts := map[string][]byte{}
	for _, name := range []string{appxContentTypesName, appxBlockMapName, appxCodeIntegrityName} {
		if e := z.byName[name]; e != nil {
			if b, err := z.readAll(v.r, e, maxAPPXXML); err == nil {
				parts[name] = b
			} else if name != appxBlockMapName || bm != nil { // the block map's own problem is reported already
				v.appxProblem(RuleMSIXMalformedPackage, signing.SeverityError, e.local, fmt.Sprintf("%s cannot be read: %v", name, err))
			}
		}
	}
	return parts
}

// appxDigests builds the AppxSignature digest blob for each algorithm of
// use (pc holds its package hash, dir is the central directory digested)
// into the subject and Result.Authentihash.
func (v *verifier) appxDigests(use []crypto.Hash, pc []hash.Hash, dir []byte, parts map[string][]byte) {
	sub := v.sub.(*appxSubject)
	v.res.Authentihash = map[string]string{}
	for i, a := range use {
		var blob []byte
		blob = append(blob, "APPX"...)
		add := func(tag string, d []byte) { blob = append(append(blob, tag...), d...) }
		add(appxTagPackage, pc[i].Sum(nil))
		add(appxTagDirectory, sum(a, dir))
		// A part that is missing is left out of the blob, which then
		// differs from any signed one; its absence is reported apart.
		for _, p := range []struct{ tag, name string }{{appxTagContentTypes, appxContentTypesName}, {appxTagBlockMap, appxBlockMapName}, {appxTagCodeIntegity, appxCodeIntegrityName}} {
			if b, have := parts[p.name]; have {
				add(p.tag, sum(a, b))
			}
		}
		for _, s := range v.sigs {
			if s.spc != nil && s.spc.hash == a {
				blob = appxOrdered(s.spc.digest, blob, a.Size())
				break
			}
		}
		sub.computed[a] = blob
		if a == crypto.SHA256 {
			v.res.Authentihash["sha256"] = hex.EncodeToString(sum(crypto.SHA256, blob))
		}
	}
}

func sum(h crypto.Hash, b []byte) []byte {
	d := h.New()
	d.Write(b)
	return d.Sum(nil)
}

// appxProblem reports a finding about the package; an error also breaks
// its signature, if any.
func (v *verifier) appxProblem(rule signing.Rule, sev signing.Severity, off int64, msg string) {
	if sev == signing.SeverityError {
		sub := v.sub.(*appxSubject)
		sub.problems = append(sub.problems, msg)
	}
	v.finding(rule, sev, -1, off, msg)
}

// appxSignature reads AppxSignature.p7x and parses its PKCS#7.
func (v *verifier) appxSignature(e *appxEntry) {
	blob, rest, err := v.sub.(*appxSubject).z.readExact(v.r, e, maxTableBytes)
	if err != nil {
		v.addMalformed(0, -1, 0, e.local, appxSignatureName+" cannot be read: "+err.Error())
		return
	}
	if rest > 0 {
		v.appxProblem(RuleMSIXUnsignedData, signing.SeverityError, e.dataOff+int64(e.comp)-rest,
			fmt.Sprintf("%d compressed bytes of %s follow the end of its deflate stream: no digest covers them", rest, appxSignatureName))
	}
	if bound := deflateBound(int64(len(blob))); e.method == 8 && int64(e.comp)-rest > bound {
		v.appxProblem(RuleMSIXUnsignedData, signing.SeverityError, e.dataOff,
			fmt.Sprintf("%s's deflate stream takes %d bytes for %d, more than any encoder writes (%d): its blocks carry data no digest covers", appxSignatureName, int64(e.comp)-rest, len(blob), bound))
	}
	if !bytes.HasPrefix(blob, []byte("PKCX")) {
		v.addMalformed(0, -1, 0, e.local, appxSignatureName+` does not start with "PKCX"`)
		return
	}
	blob = blob[4:]
	off := e.dataOff + 4
	if e.method != 0 {
		v.encoded = true // offsets inside the PKCS#7 are not file offsets
		off = e.local
	}
	sd, err := cms.Parse(blob)
	if err != nil {
		v.addMalformed(0, -1, 0, off, "PKCS#7 SignedData does not parse: "+err.Error())
		return
	}
	if extra := len(blob) - sd.Len; extra > 0 {
		sub := v.sub.(*appxSubject)
		sub.problems = append(sub.problems, fmt.Sprintf("%d bytes after the PKCS#7 in %s", extra, appxSignatureName))
		v.finding(RuleMSIXSignatureTrailingData, signing.SeverityError, 0, off,
			fmt.Sprintf("%s holds %d bytes after its PKCS#7 SignedData: no signature covers them", appxSignatureName, extra))
	}
	v.addSignature(0, -1, 0, off, sd, blob, off)
}

// appxLayout reports what the digests do not cover or no entry owns.
func (v *verifier) appxLayout(sig *appxEntry) error {
	z := v.sub.(*appxSubject).z
	for _, e := range z.entries {
		if e.localErr != "" {
			v.appxProblem(RuleMSIXMalformedPackage, signing.SeverityError, e.cdOff, fmt.Sprintf("%s: %s", e.name, e.localErr))
		}
	}
	if z.end < z.size {
		v.appxProblem(RuleMSIXUnsignedData, signing.SeverityError, z.end, fmt.Sprintf("%d bytes follow the zip end record: no digest covers them", z.size-z.end))
	}
	// The end records must follow the directory back to back: the digest
	// of the directory rewrites them, and skips what lies between.
	dirEnd := z.cdOff + int64(len(z.cd))
	next := z.eocdOff
	if z.zip64 {
		next = z.z64Off
		if end := z.z64Off + int64(len(z.z64)); end != z.eocdOff-zip64LocatorLen {
			v.appxProblem(RuleMSIXUnsignedData, signing.SeverityError, end, fmt.Sprintf("%d bytes lie between the ZIP64 end record and its locator: no digest covers them", z.eocdOff-zip64LocatorLen-end))
		}
	}
	if dirEnd != next {
		v.appxProblem(RuleMSIXUnsignedData, signing.SeverityError, dirEnd, fmt.Sprintf("%d bytes lie between the central directory and the end record: no digest covers them", next-dirEnd))
	}
	if sig == nil {
		return nil
	}
	if why := z.endRecordValues(); why != "" {
		v.appxProblem(RuleMSIXUnsignedData, signing.SeverityError, z.eocdOff, why+": the directory digest rewrites the field, so no digest covers it")
	}
	// The signature's own records are outside every digest: they may
	// hold nothing but themselves.
	if sig.localErr == "" && sig.end != z.cdOff {
		v.appxProblem(RuleMSIXUnsignedData, signing.SeverityError, sig.end, fmt.Sprintf("%d bytes lie between %s's record and the central directory: no digest covers them", z.cdOff-sig.end, appxSignatureName))
	}
	if sig.commentLen > 0 {
		v.appxProblem(RuleMSIXUnsignedData, signing.SeverityError, sig.cdOff, fmt.Sprintf("%s's central directory record carries a %d-byte comment: no digest covers it", appxSignatureName, sig.commentLen))
	}
	whys, offs, err := z.appxSignatureRecords(v.r, sig)
	if err != nil {
		return err
	}
	for i, why := range whys {
		v.appxProblem(RuleMSIXUnsignedData, signing.SeverityError, offs[i], why+": no digest covers the signature's records")
	}
	// Every other record lies before the signature's, where AXPC covers it;
	// bytes that no record owns there are covered but extract to nothing.
	recs := make([]*appxEntry, 0, len(z.entries))
	for _, e := range z.entries {
		if e != sig && e.localErr == "" {
			recs = append(recs, e)
		}
	}
	slices.SortFunc(recs, func(a, b *appxEntry) int { return cmp.Compare(a.local, b.local) })
	at := int64(0)
	for _, e := range recs {
		switch {
		case e.end > sig.local:
			v.appxProblem(RuleMSIXUnsignedData, signing.SeverityError, e.local, fmt.Sprintf("%s's record [0x%x, 0x%x) reaches past the start of %s at 0x%x: the package digest does not cover it", e.name, e.local, e.end, appxSignatureName, sig.local))
		case e.local < at:
			v.appxProblem(RuleMSIXMalformedPackage, signing.SeverityError, e.local, fmt.Sprintf("%s's record at 0x%x overlaps the record before it", e.name, e.local))
		case e.local > at:
			v.finding(RuleMSIXUnownedData, signing.SeverityWarning, -1, at, fmt.Sprintf("%d bytes at 0x%x belong to no file: the package digest covers them, no extractor reads them", e.local-at, at))
		}
		at = max(at, e.end)
	}
	if at < sig.local {
		v.finding(RuleMSIXUnownedData, signing.SeverityWarning, -1, at, fmt.Sprintf("%d bytes at 0x%x belong to no file: the package digest covers them, no extractor reads them", sig.local-at, at))
	}
	return nil
}

// zip64ExtraMax is the largest ZIP64 extended information field: a header
// and three sizes and a disk number.
const zip64ExtraMax = 4 + 3*8 + 4

// directoryForDigest returns the bytes AXCD covers: the central directory
// without sig's record, then the end records rewritten for it, the
// directory starting at cdOff (where the signature's local header is).
func (z *appxZip) directoryForDigest(sig *appxEntry, cdOff int64) []byte {
	var b []byte
	count := uint64(len(z.entries))
	if sig != nil {
		p := sig.cdOff - z.cdOff
		b = append(append(b, z.cd[:p]...), z.cd[p+sig.cdLen:]...)
		count--
	} else {
		b = append(b, z.cd...)
		cdOff = z.cdOff
	}
	cdSize := uint64(len(b))
	le := binary.LittleEndian
	if z.zip64 {
		r := bytes.Clone(z.z64)
		le.PutUint64(r[24:], count)
		le.PutUint64(r[32:], count)
		le.PutUint64(r[40:], cdSize)
		le.PutUint64(r[48:], uint64(cdOff))
		b = append(b, r...)
		l := bytes.Clone(z.loc)
		le.PutUint64(l[8:], uint64(cdOff)+cdSize)
		b = append(b, l...)
	}
	e := bytes.Clone(z.eocd)
	le.PutUint16(e[4:], 0)
	le.PutUint16(e[6:], 0)
	if le.Uint16(e[8:]) != 0xffff {
		le.PutUint16(e[8:], uint16(count))
	}
	if le.Uint16(e[10:]) != 0xffff {
		le.PutUint16(e[10:], uint16(count))
	}
	if le.Uint32(e[12:]) != 0xffffffff {
		le.PutUint32(e[12:], uint32(cdSize))
	}
	if le.Uint32(e[16:]) != 0xffffffff {
		le.PutUint32(e[16:], uint32(cdOff))
	}
	return append(b, e...)
}

// appxSubject is an APPX package for the shared signature steps.
type appxSubject struct {
	z        *appxZip
	bundle   bool
	computed map[crypto.Hash][]byte // the APPX digest blobs, by hash
	problems []string
	// publisher is the manifest's Identity Publisher; empty when unknown,
	// with publisherErr saying why.
	publisher    string
	publisherErr string
}

func (a *appxSubject) structure(*verifier, *sigState) (signing.CheckName, []string, string) {
	return "appx-package", a.problems, "every file matches the block map, and the signature's records hold nothing else"
}

func (a *appxSubject) dataType(j *judgement) bool {
	if a.bundle {
		return sipDataType(j, appxBundleSIPGUID, "APPX bundle")
	}
	return sipDataType(j, appxSIPGUID, "APPX package")
}

func (a *appxSubject) digest(h crypto.Hash) ([]byte, bool) {
	d, ok := a.computed[h]
	return d, ok
}

func (a *appxSubject) what() string { return "package" }

// extra names the digests of the blob that differ, and checks the
// publisher.
func (a *appxSubject) extra(j *judgement) bool {
	if !j.sig.Digest.Match() {
		signed, _ := hex.DecodeString(j.sig.Digest.Signed)
		computed, _ := hex.DecodeString(j.sig.Digest.Computed)
		j.sig.AddCheck(CheckAppxDigests, false, appxDiff(signed, computed, j.s.spc.hash.Size()))
	}
	return a.checkPublisher(j)
}

// appxOrdered returns computed, an APPX blob, with its tagged digests in
// the order of signed's when both hold the same tags: the order is not
// part of what is signed for.
func appxOrdered(signed, computed []byte, n int) []byte {
	if len(signed) != len(computed) || !bytes.HasPrefix(signed, []byte("APPX")) || (len(signed)-4)%(4+n) != 0 {
		return computed
	}
	idx := map[string][]byte{}
	for p := 4; p < len(computed); p += 4 + n {
		idx[string(computed[p:p+4])] = computed[p : p+4+n]
	}
	out := []byte("APPX")
	for p := 4; p < len(signed); p += 4 + n {
		rec, ok := idx[string(signed[p:p+4])]
		if !ok {
			return computed
		}
		delete(idx, string(signed[p:p+4]))
		out = append(out, rec...)
	}
	return out
}

// appxDiff says which tagged digests of two APPX blobs differ.
func appxDiff(signed, computed []byte, n int) string {
	parse := func(b []byte) (map[string][]byte, bool) {
		m := map[string][]byte{}
		if !bytes.HasPrefix(b, []byte("APPX")) || (len(b)-4)%(4+n) != 0 {
			return nil, false
		}
		for p := 4; p < len(b); p += 4 + n {
			m[string(b[p:p+4])] = b[p+4 : p+4+n]
		}
		return m, true
	}
	s, ok := parse(signed)
	if !ok {
		return "the signed digest is not an APPX blob of tagged digests"
	}
	c, _ := parse(computed)
	var diff []string
	for _, tag := range []string{appxTagPackage, appxTagDirectory, appxTagContentTypes, appxTagBlockMap, appxTagCodeIntegity} {
		sd, sok := s[tag]
		cd, cok := c[tag]
		switch {
		case sok && cok && !bytes.Equal(sd, cd):
			diff = append(diff, tag+" differs")
		case sok && !cok:
			diff = append(diff, tag+" signed, its part absent")
		case !sok && cok:
			diff = append(diff, tag+" not signed")
		}
	}
	if len(diff) == 0 {
		return "the tagged digests match but are ordered or framed differently"
	}
	return strings.Join(diff, "; ")
}

func (a *appxSubject) rules() formatRules {
	return formatRules{digestMismatch: RuleMSIXDigestMismatch, malformed: RuleMSIXMalformedSignature}
}
