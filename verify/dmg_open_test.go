package verify

import (
	"bytes"
	"encoding/binary"
	"maps"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/hfsplus"
	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/codesign"
	"github.com/shipgate/shipgate/signing/dmg"
)

const dmgLib = "Example.dmg/Example.app/Contents/Frameworks/Example Framework.framework/Versions/A/Libraries/libffmpeg.dylib"

// bundleHFS returns an HFS+ volume named Example built from spec, holding
// the files of bundle and spec's own, which win.
func bundleHFS(t *testing.T, bundle map[string]machofile.BundleFile, spec hfsplus.BuildSpec) []byte {
	t.Helper()
	files := map[string]hfsplus.BuildFile{}
	for p, f := range bundle {
		files[p] = hfsplus.BuildFile{Data: f.Data, Mode: f.Mode, Link: f.Link}
	}
	maps.Copy(files, spec.Files)
	spec.Files, spec.Name = files, "Example"
	vol, err := hfsplus.Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	return vol
}

// hfsDMG returns a signed disk image whose HFS+ volume holds bundle,
// an /Applications link and extra; mutate, when set, changes the volume
// first.
func hfsDMG(t *testing.T, bundle map[string]machofile.BundleFile, extra map[string]hfsplus.BuildFile, lzfse bool, mutate func([]byte)) []byte {
	t.Helper()
	files := map[string]hfsplus.BuildFile{"Applications": {Link: "/Applications"}}
	maps.Copy(files, extra)
	vol := bundleHFS(t, bundle, hfsplus.BuildSpec{Files: files})
	if mutate != nil {
		mutate(vol)
	}
	return signedDMG(t, dmgfile.Spec{HFS: vol, LZFSE: lzfse, UnknownChunk: lzfse, HFSBzip2: true})
}

// lzfseDMG is a signed image holding bundle in an HFS+ volume stored in
// LZFSE chunks (a ULFO image); corrupt adds an LZFSE chunk that is not an
// LZFSE stream.
func lzfseDMG(t *testing.T, bundle map[string]machofile.BundleFile, corrupt bool) []byte {
	t.Helper()
	files := map[string]hfsplus.BuildFile{"Applications": {Link: "/Applications"}}
	vol := bundleHFS(t, bundle, hfsplus.BuildSpec{Files: files})
	return signedDMG(t, dmgfile.Spec{HFS: vol, LZFSEChunks: true, LZFSE: corrupt})
}

// TestDMGLZFSEOpensApp: the app inside an image stored in LZFSE chunks is
// opened and verified.
func TestDMGLZFSEOpensApp(t *testing.T) {
	t.Parallel()
	r := runDMG(t, lzfseDMG(t, exampleBundle(t), false))
	if f := fileByPath(r, "Example.dmg"); f == nil || f.Signatures[0].Status != signing.StatusValid {
		t.Fatalf("image %+v", f)
	}
	wantBundleOpened(t, r)
}

// TestAttackDMGLZFSEModifiedDylib: an app whose libffmpeg.dylib was changed,
// inside an image stored in LZFSE chunks (which used to be left unopened),
// is caught.
func TestAttackDMGLZFSEModifiedDylib(t *testing.T) {
	t.Parallel()
	wantModifiedDylibCaught(t, runDMG(t, lzfseDMG(t, modifiedDylibBundle(t), false)))
}

// TestDMGLZFSECorruptChunk: an LZFSE chunk that does not decode is an
// error naming the chunk and the offset in its stream.
func TestDMGLZFSECorruptChunk(t *testing.T) {
	t.Parallel()
	r := runDMG(t, lzfseDMG(t, exampleBundle(t), true))
	if r.Summary.Passed {
		t.Fatal("release passed")
	}
	got := dmgMessages(r, dmg.RuleMalformed)
	if len(got) == 0 || !strings.Contains(got[0], "LZFSE") || !strings.Contains(got[0], "lzfse: at byte 0") {
		t.Errorf("findings %q", got)
	}
}

func runDMG(t *testing.T, b []byte) *Report {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"Example.dmg": b})
	return run(t, Options{}, dir)
}

// TestDMGOpensHFSVolume: the app inside a signed image's HFS+ volume is
// verified as a bundle under the image's path.
func TestDMGOpensHFSVolume(t *testing.T) {
	t.Parallel()
	bundle := exampleBundle(t)
	r := runDMG(t, hfsDMG(t, bundle, nil, false, nil))
	if f := fileByPath(r, "Example.dmg"); f == nil || f.Signatures[0].Status != signing.StatusValid {
		t.Fatalf("image %+v", f)
	}
	wantBundleOpened(t, r)
}

// wantBundleOpened fails unless the report r of an image holding the
// example bundle has no error and no finding that its volume was not
// opened or is malformed, and its dylib and main executable inside are
// valid.
func wantBundleOpened(t *testing.T, r *Report) {
	t.Helper()
	if errs := errorRules(r); len(errs) > 0 {
		t.Fatalf("errors %v", errs)
	}
	for _, f := range r.Findings {
		if f.Rule == dmg.RuleFilesystemNotOpened || f.Rule == dmg.RuleFilesystemMalformed {
			t.Errorf("finding %+v", f)
		}
	}
	f := fileByPath(r, dmgLib)
	if f == nil || f.Kind != KindMachO || len(f.Signatures) == 0 || f.Signatures[0].Status != signing.StatusValid {
		t.Fatalf("dylib inside %+v", f)
	}
	if f := fileByPath(r, "Example.dmg/Example.app/Contents/MacOS/Example"); f == nil || f.Signatures[0].Status != signing.StatusValid {
		t.Errorf("main executable %+v", f)
	}
}

// TestDMGModifiedDylibInside: an image signed by its own team around an
// app whose libffmpeg.dylib was changed: the image is valid, the app
// inside is not.
func TestDMGModifiedDylibInside(t *testing.T) {
	t.Parallel()
	wantModifiedDylibCaught(t, runDMG(t, hfsDMG(t, modifiedDylibBundle(t), nil, false, nil)))
}

// modifiedDylibBundle is the example bundle with a byte of its
// libffmpeg.dylib changed.
func modifiedDylibBundle(t *testing.T) map[string]machofile.BundleFile {
	t.Helper()
	bundle := exampleBundle(t)
	lib := strings.TrimPrefix(dmgLib, "Example.dmg/")
	f := bundle[lib]
	f.Data = bytes.Clone(f.Data)
	f.Data[0x1100] ^= 0x5a
	bundle[lib] = f
	return bundle
}

// wantModifiedDylibCaught fails unless the report r of a signed image
// holding modifiedDylibBundle finds the image valid, the dylib's page
// hash mismatched, and the release failed.
func wantModifiedDylibCaught(t *testing.T, r *Report) {
	t.Helper()
	if got := rulesFor(r, dmgLib); !has(got, "error "+string(codesign.RulePageHashMismatch)) {
		t.Errorf("dylib findings %v", got)
	}
	if f := fileByPath(r, "Example.dmg"); f.Signatures[0].Status != signing.StatusValid {
		t.Errorf("image %+v", f.Signatures[0])
	}
	if r.Summary.Passed {
		t.Error("release passed")
	}
}

// TestDMGUnsupportedChunkNotOpened: a file system partition holding a
// chunk of a type no codec has is not opened, and says so.
func TestDMGUnsupportedChunkNotOpened(t *testing.T) {
	t.Parallel()
	bundle := exampleBundle(t)
	r := runDMG(t, hfsDMG(t, bundle, nil, true, nil))
	got := rulesFor(r, "Example.dmg")
	if !has(got, "error "+string(dmg.RuleFilesystemNotOpened)) || !has(got, "error "+string(dmg.RuleMalformed)) {
		t.Errorf("findings %v", got)
	}
	if fileByPath(r, "Example.dmg/Example.app/Contents/MacOS/Example") != nil {
		t.Error("a file of an unopened partition was listed")
	}
}

// TestAttackDMGUndecodedChunksFail: a signed image whose file system
// partition holds chunks nothing decodes (LZFSE ones, before they were
// decoded; now a type no codec has) carries an app that is never checked,
// here a trojaned one: it used to pass with warnings under the default
// failOn: error. Its image now fails the release, saying why and how a
// policy accepts it.
func TestAttackDMGUndecodedChunksFail(t *testing.T) {
	t.Parallel()
	img := hfsDMG(t, modifiedDylibBundle(t), nil, true, nil)
	r := runDMG(t, img)
	if r.Summary.Passed {
		t.Fatal("release passed")
	}
	got := dmgMessages(r, dmg.RuleFilesystemNotOpened)
	want := "type 0x80000009-compressed blocks are not decoded): the app inside was not verified"
	if len(got) != 1 || !strings.HasPrefix(got[0], "error: ") || !strings.Contains(got[0], want) || !strings.Contains(got[0], "severity: {dmg/filesystem-not-opened: warning}") {
		t.Errorf("findings %q", got)
	}
	// The legitimate images (zlib, bzip2, raw chunks) still pass.
	bundle := exampleBundle(t)
	if r := runDMG(t, hfsDMG(t, bundle, nil, false, nil)); !r.Summary.Passed {
		t.Errorf("legitimate image failed: %v", errorRules(r))
	}
}

// TestAttackDMGUndecodedSecondPartition: a signed image whose HFS+
// volume opens, beside a partition of chunks nothing here decodes (which
// macOS might, and could hold a second volume), fails the release.
func TestAttackDMGUndecodedSecondPartition(t *testing.T) {
	t.Parallel()
	bundle := exampleBundle(t)
	vol := bundleHFS(t, bundle, hfsplus.BuildSpec{})
	r := runDMG(t, signedDMG(t, dmgfile.Spec{HFS: vol, HFSBzip2: true, FreeLZFSE: true, UnknownChunk: true}))
	if r.Summary.Passed {
		t.Fatal("release passed")
	}
	got := dmgMessages(r, dmg.RuleFilesystemNotOpened)
	if len(got) != 1 || !strings.Contains(got[0], "error: partition 2 (\" (Apple_Free : 2)\") holds type 0x80000009 chunks") {
		t.Errorf("findings %q", got)
	}
}

// TestDMGCompressedFileInside: a file compressed by HFS+ transparent
// compression is not read, and says so; inside a bundle it is an error, as
// the bundle's seal cannot be checked against it (see
// TestAttackDMGCompressedFileAddedToBundle).
func TestDMGCompressedFileInside(t *testing.T) {
	t.Parallel()
	bundle := exampleBundle(t)
	r := runDMG(t, hfsDMG(t, bundle, map[string]hfsplus.BuildFile{"Example.app/Contents/Resources/packed.txt": {Compressed: true}}, false, nil))
	got := rulesFor(r, "Example.dmg/Example.app/Contents/Resources/packed.txt")
	if !has(got, "error "+string(dmg.RuleFileNotOpened)) {
		t.Errorf("findings %v", got)
	}
}

// TestDMGMalformedVolume: a volume whose catalog B-tree is broken is
// reported, and the image's own checks still run.
func TestDMGMalformedVolume(t *testing.T) {
	t.Parallel()
	bundle := exampleBundle(t)
	b := hfsDMG(t, bundle, nil, false, func(v []byte) {
		be := binary.BigEndian
		bs := int(be.Uint32(v[1024+40:]))
		start := int(be.Uint32(v[1024+272+16:])) * bs
		be.PutUint16(v[start+14+18:], 3) // node size
	})
	r := runDMG(t, b)
	if got := rulesFor(r, "Example.dmg"); !has(got, "error "+string(dmg.RuleFilesystemMalformed)) {
		t.Errorf("findings %v", got)
	}
	if f := fileByPath(r, "Example.dmg"); f.Signatures[0].Status != signing.StatusValid {
		t.Errorf("image %+v", f.Signatures[0])
	}
}

// TestDMGTamperedChunkStillOpens: a changed byte of a chunk the volume
// does not use (its boot sector, bzip2) breaks the image's signature and
// checksum; the volume is still opened and the app inside still checked.
func TestDMGTamperedChunkStillOpens(t *testing.T) {
	t.Parallel()
	bundle := exampleBundle(t)
	b := hfsDMG(t, bundle, nil, false, nil)
	c := bytes.Index(b, []byte("BZh9"))
	if c < 0 {
		t.Fatal("no bzip2 chunk")
	}
	b[c+20] ^= 1
	r := runDMG(t, b)
	got := rulesFor(r, "Example.dmg")
	if !has(got, "error "+string(codesign.RulePageHashMismatch)) {
		t.Errorf("image findings %v", got)
	}
	if f := fileByPath(r, dmgLib); f == nil || f.Signatures[0].Status != signing.StatusValid {
		t.Fatalf("dylib inside %+v", f)
	}
}

// TestDMGDeclaredSizeBomb: a volume in a few kilobytes whose files declare
// terabytes over a zero-fill chunk is not walked (every byte would be
// hashed): dmg/expansion-limit.
func TestDMGDeclaredSizeBomb(t *testing.T) {
	t.Parallel()
	const huge = 1 << 40 // 1 TiB of zeros
	files := map[string]hfsplus.BuildFile{"bomb": {Data: []byte("b")}}
	vol, err := hfsplus.Build(hfsplus.BuildSpec{Files: files})
	if err != nil {
		t.Fatal(err)
	}
	be := binary.BigEndian
	blocks := uint32(huge / 4096)
	volBlocks := be.Uint32(vol[1024+44:])
	be.PutUint32(vol[1024+44:], volBlocks+blocks)
	i := bytes.Index(vol, []byte{0, 'b', 0, 'o', 0, 'm', 0, 'b'})
	rec := vol[i+8:]
	if be.Uint16(rec) != 2 {
		t.Fatal("no file record after the key")
	}
	be.PutUint64(rec[88:], huge)
	be.PutUint32(rec[88+12:], blocks)
	be.PutUint32(rec[88+16:], volBlocks)
	be.PutUint32(rec[88+20:], blocks)
	img, lay := dmgfile.Build(dmgfile.Spec{HFS: vol, ZeroSectors: huge / 512})
	b, _, err := dmgfile.Sign(img, lay, dmgfile.SignSpec(getFixtures(t).apple, "com.example.dmg"), nil)
	if err != nil {
		t.Fatal(err)
	}
	r := runDMG(t, b)
	if got := rulesFor(r, "Example.dmg"); !has(got, "error "+string(dmg.RuleExpansionLimit)) {
		t.Errorf("findings %v", got)
	}
	if fileByPath(r, "Example.dmg/bomb") != nil {
		t.Error("the bomb was walked")
	}
}

// TestDMGADCAndLZMAOpen: the app inside a signed UDCO image (ADC chunks)
// or ULMO image (LZMA chunks) is verified, and a changed dylib inside one
// is caught.
func TestDMGADCAndLZMAOpen(t *testing.T) {
	t.Parallel()
	for _, codec := range []string{"ADC", "LZMA"} {
		t.Run(codec, func(t *testing.T) {
			build := func(bundle map[string]machofile.BundleFile) []byte {
				vol := bundleHFS(t, bundle, hfsplus.BuildSpec{Files: map[string]hfsplus.BuildFile{"Applications": {Link: "/Applications"}}})
				return signedDMG(t, dmgfile.Spec{HFS: vol, HFSBzip2: true, ADC: codec == "ADC", LZMA: codec == "LZMA"})
			}
			r := runDMG(t, build(exampleBundle(t)))
			if got := rulesFor(r, "Example.dmg"); has(got, "warning "+string(dmg.RuleChunkNotOpened)) {
				t.Errorf("findings %v", got)
			}
			wantBundleOpened(t, r)
			wantModifiedDylibCaught(t, runDMG(t, build(modifiedDylibBundle(t))))
		})
	}
}
