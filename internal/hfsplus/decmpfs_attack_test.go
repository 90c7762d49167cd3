package hfsplus

import (
	"bytes"
	"encoding/binary"
	"io/fs"
	"testing"
)

// TestDecmpfsSecondAttribute: two com.apple.decmpfs attributes for one
// file (the second file's key rewritten to the first's ID): macOS's
// lookup finds one of them, the reader kept the last. The file is
// reported and not read, rather than read as either.
func TestDecmpfsSecondAttribute(t *testing.T) {
	img := build(t, BuildSpec{Files: map[string]BuildFile{
		"a": {Data: []byte("what the check reads, and macOS perhaps not"), Compressed: true},
		"b": {Data: []byte("other content, compressed too"), Compressed: true},
	}})
	name := u16("com.apple.decmpfs")
	first := bytes.Index(img, name)
	second := first + len(name) + bytes.Index(img[first+len(name):], name)
	if second < first+len(name) {
		t.Fatal("no second attribute")
	}
	be := binary.BigEndian
	be.PutUint32(img[second-10:], be.Uint32(img[first-10:]))
	v := open(t, img)
	if !hasProblem(v, "second com.apple.decmpfs") {
		t.Fatalf("problems %v", v.Problems)
	}
	if b, err := fs.ReadFile(v, "a"); err == nil {
		t.Errorf("a reads %q", b)
	}
}
