package codesign

import (
	"bytes"
	"crypto"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"path"
	"slices"

	"github.com/shipgate/shipgate/signing"
)

// sealHashKeys maps each key a CodeResources seal entry may hold a file's
// digest under to the CodeDirectory hash type it is for: Security's
// ResourceSeal::hash names SHA-1 "hash" and every other type "hash<N>",
// N the type's number (libsecurity_codesigning resources.cpp).
var sealHashKeys = map[string]HashType{
	"hash":  HashSHA1,
	"hash2": HashSHA256,
	"hash3": HashSHA256Truncated,
	"hash4": HashSHA384,
}

// sealKey returns the seal key of hash type t.
func sealKey(t HashType) string {
	for k, v := range sealHashKeys {
		if v == t {
			return k
		}
	}
	return fmt.Sprintf("hash%d", t)
}

// parseSealHashes returns the digests a seal entry dictionary x holds,
// by hash type. A key present with a value that is not data is kept as an
// empty digest, which matches no file: macOS throws
// errSecCSResourcesInvalid when the hash it looks up is not data.
func parseSealHashes(x map[string]any) map[HashType][]byte {
	var out map[HashType][]byte
	for k, t := range sealHashKeys {
		v, ok := x[k]
		if !ok {
			continue
		}
		if out == nil {
			out = map[HashType][]byte{}
		}
		d, _ := v.([]byte)
		if d == nil {
			d = []byte{}
		}
		out[t] = d
	}
	return out
}

// checkHashes compares file p (rel in the bundle root) with the digests
// its seal entry e holds, as SecStaticCode::validateResource does: the
// file is hashed with every hash type of the signature's CodeDirectories,
// and each digest must equal the entry's hash of that type, or its SHA-1
// "hash" when the entry has none of that type (the "pre-agility
// fallback"). A hash of a type no CodeDirectory has is never read by
// macOS and is not checked. The hash types are those of every slice of
// the main executable, since each machine checks the slice it runs; when
// no main executable was verified, every hash the entry holds must match.
func (b *bundleCheck) checkHashes(p, rel string, e sealEntry, item *BundleItem) {
	types := b.mainHashTypes()
	if len(types) == 0 {
		for t := range e.hashes {
			types = append(types, t)
		}
		slices.Sort(types)
	}
	if _, ok := e.hashes[HashSHA1]; ok && len(e.hashes) == 1 {
		b.sha1OnlySeal(p, rel)
	}
	var want []sealDigest
	for _, t := range types {
		d, ok := e.hashes[t]
		key := sealKey(t)
		if !ok {
			d, ok = e.hashes[HashSHA1]
			key = "hash"
			if ok && t != HashSHA1 {
				continue // sha1OnlySeal judged the SHA-1 fallback
			}
		}
		if !ok {
			b.add(RuleResourceModified, signing.SeverityError, p, fmt.Sprintf("CodeResources seals %q without a %s hash (%q) or a SHA-1 \"hash\" to fall back on, yet the main executable has a %s CodeDirectory: macOS cannot check the file and rejects the bundle", rel, t, sealKey(t), t))
			continue
		}
		want = append(want, sealDigest{t, key, d})
	}
	if len(want) == 0 {
		return
	}
	got, err := b.fileDigests(p, want, item)
	if err != nil {
		b.add(RuleMalformed, signing.SeverityError, p, "cannot read: "+err.Error())
		return
	}
	for _, w := range want {
		h, size, _ := w.t.crypto()
		g := got[h][:size]
		if len(w.d) < size || !bytes.Equal(w.d[:size], g) {
			b.add(RuleResourceModified, signing.SeverityError, p, fmt.Sprintf("file %q changed after signing: CodeResources seals %s %x (%q), the file has %x", rel, w.t, w.d, w.key, g))
		}
	}
}

// sealDigest is one digest of a seal entry that macOS checks: the hash
// type of the CodeDirectory it is checked for, the key it is read from,
// and its value. macOS compares the first digest-size bytes.
type sealDigest struct {
	t   HashType
	key string
	d   []byte
}

// mainHashTypes returns the CodeDirectory hash types of every slice of
// the main executable, sorted, or nil when no main executable was
// verified. Types shipgate cannot compute are left out: their slices are
// not valid anyway.
func (b *bundleCheck) mainHashTypes() []HashType {
	if b.mainItem < 0 || b.mainItem >= len(b.out.Items) || b.out.Items[b.mainItem].Result == nil {
		return nil
	}
	var out []HashType
	for _, s := range b.out.Items[b.mainItem].Result.Slices {
		for _, cd := range s.CodeDirectories {
			if _, _, ok := cd.HashType.crypto(); ok && !slices.Contains(out, cd.HashType) {
				out = append(out, cd.HashType)
			}
		}
	}
	slices.Sort(out)
	return out
}

// fileDigests returns the digests of file p that want needs, by hash
// function, from one read of the file at most: the SHA-256 that verifying
// the Mach-O item computed, or that Options.Files knows, is taken as is.
func (b *bundleCheck) fileDigests(p string, want []sealDigest, item *BundleItem) (map[crypto.Hash][]byte, error) {
	got := map[crypto.Hash][]byte{}
	var need []crypto.Hash
	for _, w := range want {
		h, _, _ := w.t.crypto()
		if _, ok := got[h]; ok || slices.Contains(need, h) {
			continue
		}
		if d, ok := b.knownDigest(p, h, item); ok {
			got[h] = d
			continue
		}
		need = append(need, h)
	}
	if len(need) == 0 {
		return got, nil
	}
	d, err := hashFile(b.fsys, p, need)
	if err != nil {
		return nil, err
	}
	for i, h := range need {
		got[h] = d[i]
	}
	return got, nil
}

// knownDigest returns the h digest (SHA-256 or SHA-1) of file p when it
// is known without reading the file: from verifying it as a Mach-O item,
// or from Options.Files.
func (b *bundleCheck) knownDigest(p string, h crypto.Hash, item *BundleItem) ([]byte, bool) {
	switch h {
	case crypto.SHA256:
		if item != nil && item.Result != nil {
			// Verifying the Mach-O file hashed it already.
			d, err := hex.DecodeString(item.SHA256)
			return d, err == nil
		}
		if b.opts.Files != nil {
			return b.opts.Files.SHA256(p)
		}
	case crypto.SHA1:
		if item != nil && item.Result != nil && item.sha1 != nil {
			return item.sha1, true
		}
		if f, ok := b.opts.Files.(BundleFilesSHA1); ok {
			return f.SHA1(p)
		}
	}
	return nil, false
}

// needsSHA1 reports whether checking the file rel against its seal entry
// needs its SHA-1: the entry holds one, and macOS reads it (a main
// executable with a SHA-1 CodeDirectory, or none verified).
func (b *bundleCheck) needsSHA1(rel string) bool {
	if b.seal == nil {
		return false
	}
	e, ok := b.seal.files[rel]
	if _, sha1 := e.hashes[HashSHA1]; !ok || !sha1 || e.cdhash != nil {
		return false
	}
	types := b.mainHashTypes()
	return types == nil || slices.Contains(types, HashSHA1)
}

// BundleFilesSHA1 is implemented by a BundleFiles that also knows the
// SHA-1 of files: VerifyBundle then asks it before reading a file sealed
// by a SHA-1 hash ("hash") that macOS checks, a main executable with a
// SHA-1 CodeDirectory. See SealUsesSHA1 for when to compute it.
type BundleFilesSHA1 interface {
	// SHA1 returns the SHA-1 of the regular file at p, as
	// BundleFiles.SHA256 does the SHA-256.
	SHA1(p string) ([]byte, bool)
}

// SealUsesSHA1 reports whether the CodeResources of the bundle dir in fsys
// seals some file with a SHA-1 hash ("hash"), which VerifyBundle may
// check: a caller hashing the bundle's files anyway computes their SHA-1
// too, and gives it through BundleFilesSHA1, so that VerifyBundle reads
// no file again. It reads only the bundle's CodeResources; false when
// there is none or it does not parse.
func SealUsesSHA1(fsys fs.FS, dir string) bool {
	lay, ok := locate(fsys, dir)
	if !ok {
		return false
	}
	b, err := readSmall(fsys, path.Join(lay.root, "_CodeSignature", "CodeResources"))
	if err != nil {
		return false
	}
	sl, err := parseSeal(b)
	if err != nil {
		return false
	}
	for _, e := range sl.files {
		if _, ok := e.hashes[HashSHA1]; ok {
			return true
		}
	}
	return false
}

// teeHash is a hash.Hash that also writes every byte to a second hash.
type teeHash struct {
	hash.Hash
	also hash.Hash
}

func (t teeHash) Write(p []byte) (int, error) {
	t.also.Write(p)
	return t.Hash.Write(p)
}

// hashFile returns the digests of file p under each of hs, in order, from
// one read.
func hashFile(fsys fs.FS, p string, hs []crypto.Hash) ([][]byte, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ds := make([]hash.Hash, len(hs))
	ws := make([]io.Writer, len(hs))
	for i, h := range hs {
		ds[i] = newHash(h)
		ws[i] = ds[i]
	}
	buf := make([]byte, 256<<10)
	if _, err := io.CopyBuffer(io.MultiWriter(ws...), f, buf); err != nil {
		return nil, err
	}
	out := make([][]byte, len(ds))
	for i, d := range ds {
		out[i] = d.Sum(nil)
	}
	return out, nil
}

func (t teeHash) Reset() {
	t.also.Reset()
	t.Hash.Reset()
}
