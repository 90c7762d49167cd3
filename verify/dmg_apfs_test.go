package verify

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/apfs"
	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/codesign"
	"github.com/shipgate/shipgate/signing/dmg"
)

// apfsDMG returns a signed disk image whose APFS container holds bundle,
// extra and an /Applications link.
func apfsDMG(t *testing.T, bundle map[string]machofile.BundleFile, extra map[string]apfs.BuildFile) []byte {
	t.Helper()
	files := map[string]apfs.BuildFile{"Applications": {Link: "/Applications"}}
	for p, f := range bundle {
		files[p] = apfs.BuildFile{Data: f.Data, Mode: f.Mode, Link: f.Link}
	}
	for p, f := range extra {
		files[p] = f
	}
	vol, err := apfs.Build(apfs.BuildSpec{Files: files, Name: "Example"})
	if err != nil {
		t.Fatal(err)
	}
	return signedDMG(t, dmgfile.Spec{APFS: vol})
}

// TestDMGOpensAPFSVolume: the app inside a signed image's APFS volume is
// verified as a bundle under the image's path, as an HFS+ one's is.
func TestDMGOpensAPFSVolume(t *testing.T) {
	t.Parallel()
	bundle := exampleBundle(t)
	r := runDMG(t, apfsDMG(t, bundle, nil))
	wantBundleOpened(t, r)
	if !r.Summary.Passed {
		t.Error("release failed")
	}
}

// TestDMGAPFSModifiedDylibInside: an image signed by its own team around
// an app whose libffmpeg.dylib was changed, on an APFS volume: the image
// is valid, the app inside is not.
func TestDMGAPFSModifiedDylibInside(t *testing.T) {
	t.Parallel()
	wantModifiedDylibCaught(t, runDMG(t, apfsDMG(t, modifiedDylibBundle(t), nil)))
}

// TestDMGAPFSMalformed: a partition whose NXSB magic says APFS but that
// does not read as a container (dmgfile's stand-in) is an error: its
// files, which macOS may mount, were not verified.
func TestDMGAPFSMalformed(t *testing.T) {
	t.Parallel()
	r := runDMG(t, signedDMG(t, dmgfile.Spec{}))
	if got := rulesFor(r, "Example.dmg"); !has(got, "error "+string(dmg.RuleFilesystemMalformed)) {
		t.Errorf("findings %v", got)
	}
	if r.Summary.Passed {
		t.Error("release passed")
	}
}

// TestAttackDMGAPFSCaseTwinInBundle: a second Info.plist differing only
// in case, which macOS's case-insensitive volume cannot hold apart, is
// an error, not a file silently chosen.
func TestAttackDMGAPFSCaseTwinInBundle(t *testing.T) {
	t.Parallel()
	bundle := exampleBundle(t)
	r := runDMG(t, apfsDMG(t, bundle, map[string]apfs.BuildFile{"Example.app/Contents/INFO.plist": {Data: []byte("<plist/>")}}))
	found := false
	for _, f := range r.Findings {
		found = found || f.Rule == dmg.RuleFilesystemMalformed && f.Severity == signing.SeverityError
	}
	if !found || r.Summary.Passed {
		t.Errorf("findings %v", r.Findings)
	}
}

// TestDMGAPFSCompressedFileInside: a file of the APFS volume compressed
// by transparent compression, its data inline in com.apple.decmpfs, is
// read and verified at its decoded size.
func TestDMGAPFSCompressedFileInside(t *testing.T) {
	t.Parallel()
	bundle := exampleBundle(t)
	r := runDMG(t, apfsDMG(t, bundle, map[string]apfs.BuildFile{"notes.txt": {Data: []byte("compressed notes"), Compressed: true}}))
	if f := fileByPath(r, "Example.dmg/notes.txt"); f == nil || f.Size != int64(len("compressed notes")) {
		t.Errorf("compressed file %+v", f)
	}
}

// TestDMGAPFSExtendedAttribute: a payload in an extended attribute or a
// resource fork of a file in the APFS volume, bytes no file's data
// carries, is reported; Finder metadata is tolerated.
func TestDMGAPFSExtendedAttribute(t *testing.T) {
	t.Parallel()
	bundle := exampleBundle(t)
	r := runDMG(t, apfsDMG(t, bundle, map[string]apfs.BuildFile{"notes.txt": {Data: []byte("notes"), Xattrs: map[string][]byte{
		"com.example.stage2":     bytes.Repeat([]byte("x"), 1000),
		"com.apple.ResourceFork": []byte("rsrc payload"),
		"com.apple.FinderInfo":   make([]byte, 32),
	}}}))
	got := rulesFor(r, "Example.dmg/notes.txt")
	if !has(got, "warning "+string(dmg.RuleExtendedAttribute)) || !has(got, "warning "+string(dmg.RuleResourceFork)) || len(got) != 2 {
		t.Errorf("findings %v", got)
	}
}

// TestAttackDMGAPFSCompressedFileAddedToBundle: a compressed file whose
// data the reader cannot decode, added to a signed app on an APFS
// volume, is an error: left out of the walk, it would escape the
// bundle's seal check while macOS reads it.
func TestAttackDMGAPFSCompressedFileAddedToBundle(t *testing.T) {
	t.Parallel()
	bundle := exampleBundle(t)
	p := "Example.app/Contents/Resources/added.dylib"
	r := runDMG(t, apfsDMG(t, bundle, map[string]apfs.BuildFile{p: {Compressed: true}}))
	if got := rulesFor(r, "Example.dmg/"+p); !has(got, "error "+string(dmg.RuleFileNotOpened)) {
		t.Errorf("findings %v", got)
	}
	if r.Summary.Passed {
		t.Error("release passed")
	}
}

// TestAttackDMGAPFSCompressedLooseFile: a loose file at the root of
// the APFS volume, compressed with its data in the resource fork the
// reader cannot decode, fails the release with an error: it passed with
// a warning before (issue #15 audit), so a trojaned loose tool stored
// that way passed the default gate.
func TestAttackDMGAPFSCompressedLooseFile(t *testing.T) {
	t.Parallel()
	bundle := exampleBundle(t)
	r := runDMG(t, apfsDMG(t, bundle, map[string]apfs.BuildFile{"tool": {Compressed: true}}))
	if got := rulesFor(r, "Example.dmg/tool"); !has(got, "error "+string(dmg.RuleFileNotOpened)) {
		t.Errorf("findings %v", got)
	}
	if r.Summary.Passed {
		t.Error("release passed")
	}
}

// apfsFiles converts bundle's files to apfs.BuildFiles.
func apfsFiles(bundle map[string]machofile.BundleFile) map[string]apfs.BuildFile {
	files := map[string]apfs.BuildFile{}
	for p, f := range bundle {
		files[p] = apfs.BuildFile{Data: f.Data, Mode: f.Mode, Link: f.Link}
	}
	return files
}

// TestAttackDMGAPFSSecondVolume: the app with a modified libffmpeg.dylib
// hidden in a second volume of the container, which macOS mounts too,
// is verified (and fails) under the volume's folder; before, only the
// first volume was read.
func TestAttackDMGAPFSSecondVolume(t *testing.T) {
	t.Parallel()
	bundle := exampleBundle(t)
	good := apfsFiles(bundle)
	lib := strings.TrimPrefix(dmgLib, "Example.dmg/")
	f := bundle[lib]
	f.Data = bytes.Clone(f.Data)
	f.Data[0x1100] ^= 0x5a
	bundle[lib] = f
	vol, err := apfs.Build(apfs.BuildSpec{Files: good, Name: "Example", More: []apfs.BuildSpec{{Name: "Payload", Files: apfsFiles(bundle)}}})
	if err != nil {
		t.Fatal(err)
	}
	r := runDMG(t, signedDMG(t, dmgfile.Spec{APFS: vol}))
	if f := fileByPath(r, "Example.dmg/Example/"+lib); f == nil || f.Signatures[0].Status != signing.StatusValid {
		t.Errorf("first volume's dylib %+v", f)
	}
	if got := rulesFor(r, "Example.dmg/Payload/"+lib); !has(got, "error "+string(codesign.RulePageHashMismatch)) {
		t.Errorf("second volume's dylib findings %v", got)
	}
	if r.Summary.Passed {
		t.Error("a release with a modified app in a second volume passed")
	}
}

// TestDMGAPFSTwoSignedVolumes: a container of two volumes, each holding
// the signed app, passes: every file is verified, none is reported.
func TestDMGAPFSTwoSignedVolumes(t *testing.T) {
	t.Parallel()
	files := apfsFiles(exampleBundle(t))
	vol, err := apfs.Build(apfs.BuildSpec{Files: files, Name: "Example", More: []apfs.BuildSpec{{Name: "Copy", Files: files}}})
	if err != nil {
		t.Fatal(err)
	}
	r := runDMG(t, signedDMG(t, dmgfile.Spec{APFS: vol}))
	if errs := errorRules(r); len(errs) > 0 || !r.Summary.Passed {
		t.Fatalf("errors %v", errs)
	}
	if f := fileByPath(r, "Example.dmg/Copy/Example.app/Contents/MacOS/Example"); f == nil || f.Signatures[0].Status != signing.StatusValid {
		t.Errorf("second volume's executable %+v", f)
	}
}

// TestDMGAPFSEncryptedNotOpened: an encrypted APFS volume is not opened,
// and says so (dmg/filesystem-not-opened), as before APFS was read.
func TestDMGAPFSEncryptedNotOpened(t *testing.T) {
	t.Parallel()
	r := runDMG(t, signedDMG(t, dmgfile.Spec{APFS: encryptedAPFS(t)}))
	if got := rulesFor(r, "Example.dmg"); !has(got, "error "+string(dmg.RuleFilesystemNotOpened)) {
		t.Errorf("findings %v", got)
	}
	if fileByPath(r, "Example.dmg/README") != nil {
		t.Error("a file of an encrypted volume was listed")
	}
}

// encryptedAPFS is a container holding a README whose volume is flagged
// encrypted, which the reader does not open.
func encryptedAPFS(t *testing.T) []byte {
	t.Helper()
	vol, err := apfs.Build(apfs.BuildSpec{Files: map[string]apfs.BuildFile{"README": {Data: []byte("x")}}})
	if err != nil {
		t.Fatal(err)
	}
	s := vol[5*4096 : 6*4096] // the volume superblock
	binary.LittleEndian.PutUint64(s[264:], 0)
	binary.LittleEndian.PutUint64(s, apfs.Fletcher64(s))
	return vol
}

// exampleAPFS is a container whose volume Example holds the example
// bundle.
func exampleAPFS(t *testing.T) []byte {
	t.Helper()
	vol, err := apfs.Build(apfs.BuildSpec{Files: apfsFiles(exampleBundle(t)), Name: "Example"})
	if err != nil {
		t.Fatal(err)
	}
	return vol
}

// withHiddenBlock returns vol with a block of payload appended, counted
// by the container superblock (block 0) and the checkpoint's copy (block
// 2), each edited by edit (given the new block count) and resealed.
func withHiddenBlock(vol []byte, edit func(b []byte, blocks int)) []byte {
	hidden := append(bytes.Clone(vol), append([]byte("hidden payload"), make([]byte, 4096-14)...)...)
	n := len(hidden) / 4096
	for _, blk := range []int{0, 2} {
		b := hidden[blk*4096 : (blk+1)*4096]
		binary.LittleEndian.PutUint64(b[40:], uint64(n))
		edit(b, n)
		binary.LittleEndian.PutUint64(b, apfs.Fletcher64(b))
	}
	return hidden
}

// wantHiddenBlockReported fails t unless r reports withHiddenBlock's
// block as data no structure owns.
func wantHiddenBlockReported(t *testing.T, r *Report) {
	t.Helper()
	found := false
	for _, f := range r.Findings {
		found = found || f.Rule == dmg.RuleUnreferencedBlocks && strings.Contains(f.Message, "4096 bytes of data that no structure owns")
	}
	if !found {
		t.Errorf("findings %v", r.Findings)
	}
}

// TestAttackDMGAPFSHiddenBlocks: data appended to the container in
// blocks no structure owns is a dmg/unreferenced-blocks warning with its
// byte count; a built container has none. Before, such blocks were not
// inventoried.
func TestAttackDMGAPFSHiddenBlocks(t *testing.T) {
	t.Parallel()
	vol := exampleAPFS(t)
	r := runDMG(t, signedDMG(t, dmgfile.Spec{APFS: vol}))
	if got := rulesFor(r, "Example.dmg"); has(got, "warning "+string(dmg.RuleUnreferencedBlocks)) {
		t.Errorf("built container: %v", got)
	}
	hidden := withHiddenBlock(vol, func([]byte, int) {})
	wantHiddenBlockReported(t, runDMG(t, signedDMG(t, dmgfile.Spec{APFS: hidden})))
}

// TestAttackDMGAPFSNameHash: a directory record whose stored name hash
// is not its name's (here libffmpeg.dylib's, one bit flipped), which
// macOS's lookup by name does not find while a listing shows it, is a
// dmg/filesystem-malformed error and the entry is left out. Before,
// hashes were not checked.
func TestAttackDMGAPFSNameHash(t *testing.T) {
	t.Parallel()
	vol := exampleAPFS(t)
	// In a file-system tree node (subtype 0x0e), the key: parent and
	// type, then a word of the name's length (16, its low 10 bits) and
	// hash, then the name.
	at := -1
	for b := 0; b+4096 <= len(vol) && at < 0; b += 4096 {
		blk := vol[b : b+4096]
		if binary.LittleEndian.Uint32(blk[28:]) != 0x0e {
			continue
		}
		for i := 4; i < len(blk) && at < 0; i++ {
			if blk[i-4] == 16 && blk[i-3]&3 == 0 && bytes.HasPrefix(blk[i:], []byte("libffmpeg.dylib\x00")) {
				at = b + i - 4
			}
		}
	}
	if at < 0 {
		t.Fatal("no directory record for libffmpeg.dylib")
	}
	vol[at+1] ^= 1 << 2 // bit 10 of the word: the hash's lowest
	blk := vol[at/4096*4096:][:4096]
	binary.LittleEndian.PutUint64(blk, apfs.Fletcher64(blk))
	r := runDMG(t, signedDMG(t, dmgfile.Spec{APFS: vol}))
	if got := rulesFor(r, dmgLib); !has(got, "error "+string(dmg.RuleFilesystemMalformed)) || r.Summary.Passed {
		t.Errorf("findings %v", got)
	}
	if fileByPath(r, dmgLib) != nil {
		t.Error("the record was kept")
	}
}
