package hfsplus

import (
	"bytes"
	"encoding/binary"
	"io/fs"
	"strings"
	"testing"
	"unicode/utf16"
)

// u16 returns s as a catalog key stores it: UTF-16, big-endian.
func u16(s string) []byte {
	var b []byte
	for _, c := range utf16.Encode([]rune(s)) {
		b = binary.BigEndian.AppendUint16(b, c)
	}
	return b
}

// fileRecord returns the file record that follows the first catalog key
// named name.
func fileRecord(t *testing.T, img []byte, name string) []byte {
	t.Helper()
	n := u16(name)
	i := bytes.Index(img, n)
	if i < 0 {
		t.Fatalf("no key %q", name)
	}
	rec := img[i+len(n):]
	if binary.BigEndian.Uint16(rec) != recFile {
		t.Fatalf("no file record after the key %q", name)
	}
	return rec
}

// TestHardLinkCreateDateNotResolved: macOS (XNU's cat_lookupbykey)
// resolves a record typed hlnk/hfs+ as a hard link only when its
// createDate is the volume's or the private data folder's; otherwise it
// reads the record's own data fork. A record with another date is
// therefore reported and left out, not read as its inode (which a check
// would verify while macOS runs other bytes).
func TestHardLinkCreateDateNotResolved(t *testing.T) {
	img := build(t, BuildSpec{Files: map[string]BuildFile{"a/linked": {Data: []byte("shared data"), HardLink: true}, "b": {Data: []byte("b")}}})
	rec := fileRecord(t, img, "linked")
	binary.BigEndian.PutUint32(rec[12:], binary.BigEndian.Uint32(rec[12:])+1)
	v := open(t, img)
	if len(v.Problems) != 1 || v.Problems[0].Path != "a/linked" || !strings.Contains(v.Problems[0].Reason, "creation date") {
		t.Fatalf("problems %v", v.Problems)
	}
	if _, err := fs.Stat(v, "a/linked"); err == nil {
		t.Error("the link was resolved")
	}
	// The private data folder's date is the other one macOS accepts:
	// the volume's own date may differ.
	img = build(t, BuildSpec{Files: map[string]BuildFile{"a/linked": {Data: []byte("shared data"), HardLink: true}}})
	binary.BigEndian.PutUint32(img[1024+16:], 12345)
	v = open(t, img)
	if got, err := fs.ReadFile(v, "a/linked"); err != nil || string(got) != "shared data" || len(v.Problems) > 0 {
		t.Errorf("%q %v %v", got, err, v.Problems)
	}
}

// TestHardLinkSecondPrivateDataFolder: two root folders named as the
// private data folder, each with the link's inode file: macOS finds one
// by name, the walk would have used the other. Reported; no link is
// resolved through either.
func TestHardLinkSecondPrivateDataFolder(t *testing.T) {
	spec := BuildSpec{Files: map[string]BuildFile{"a/linked": {Data: []byte("checked data"), HardLink: true}}}
	img := build(t, spec)
	i := bytes.Index(img, u16("iNode"))
	inode := string(utf16Decode(img[i : i+2*len("iNode17")]))
	spec.Files["WWWWHFS+ Private Data/"+inode] = BuildFile{Data: []byte("other code!!")}
	img = build(t, spec)
	if bytes.Count(img, u16(inode)) < 2 {
		t.Fatalf("the second folder's file is not named %q", inode)
	}
	for {
		j := bytes.Index(img, u16("WWWW"))
		if j < 0 {
			break
		}
		copy(img[j:], make([]byte, 8))
	}
	v := open(t, img)
	if !hasProblem(v, "second private data folder") {
		t.Fatalf("problems %v", v.Problems)
	}
	if b, err := fs.ReadFile(v, "a/linked"); err == nil {
		t.Errorf("the link resolved to %q", b)
	}
	if p := v.Paths(); len(p) != 2 { // ., a (a/linked is skipped)
		t.Errorf("paths %q", p)
	}
}

// TestHardLinkDuplicateInodeNames: two files of the private data folder
// with one name: which one a link reads is ambiguous. Reported, and the
// link left out.
func TestHardLinkDuplicateInodeNames(t *testing.T) {
	img := build(t, BuildSpec{Files: map[string]BuildFile{"a/l1": {Data: []byte("one"), HardLink: true}, "a/l2": {Data: []byte("two"), HardLink: true}}})
	first := bytes.Index(img, u16("iNode"))
	name := img[first : first+2*len("iNode17")]
	second := first + len(name) + bytes.Index(img[first+len(name):], u16("iNode"))
	if second < first+len(name) || bytes.Equal(img[second:second+len(name)], name) {
		t.Fatal("no second inode key")
	}
	copy(img[second:], name)
	v := open(t, img)
	if !hasProblem(v, "two entries of the private data folder") {
		t.Fatalf("problems %v", v.Problems)
	}
	for _, p := range []string{"a/l1", "a/l2"} {
		if b, err := fs.ReadFile(v, p); err == nil && string(b) != map[string]string{"a/l1": "one", "a/l2": "two"}[p] {
			t.Errorf("%s reads %q", p, b)
		}
	}
}

// TestHardLinkInodeNameCase: on a case-insensitive volume macOS finds
// "inode17" when it looks up "iNode17": so does the reader.
func TestHardLinkInodeNameCase(t *testing.T) {
	img := build(t, BuildSpec{Files: map[string]BuildFile{"a/linked": {Data: []byte("shared data"), HardLink: true}}})
	i := bytes.Index(img, u16("iNode"))
	img[i+3] = 'n'
	v := open(t, img)
	if got, err := fs.ReadFile(v, "a/linked"); err != nil || string(got) != "shared data" {
		t.Errorf("%q %v (skipped %v)", got, err, v.Skipped)
	}
}

func utf16Decode(b []byte) []rune {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.BigEndian.Uint16(b[2*i:])
	}
	return utf16.Decode(u)
}
