package hfsplus

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// pastFieldsExtra returns the one dmg/metadata-slack extra of v naming
// file and records past their fields, failing on problems or on another
// slack extra.
func pastFieldsExtra(t *testing.T, v *Volume, file string) Extra {
	t.Helper()
	got := extrasOf(v, ExtraMetadataSlack)
	if len(got) != 1 || len(v.Problems) > 0 || !strings.Contains(got[0].Detail, file) || !strings.Contains(got[0].Detail, "1 records past their fields") {
		t.Fatalf("want one slack extra of %s: extras %+v problems %v", file, v.Extras, v.Problems)
	}
	return got[0]
}

// TestAttackIndexRecordPastFields: a catalog index record grown past its
// child pointer, or its key grown past its name, the payload there: the
// index read the key and the pointer and skipped the rest, and the node's
// free space stayed zero. Each is dmg/metadata-slack at the payload.
func TestAttackIndexRecordPastFields(t *testing.T) {
	be := binary.BigEndian
	for _, inKey := range []bool{false, true} {
		img := build(t, manyFiles())
		clean := open(t, img)
		if len(clean.Extras) > 0 || len(clean.Problems) > 0 {
			t.Fatalf("clean volume: extras %+v problems %v", clean.Extras, clean.Problems)
		}
		cat, ns, _ := catalogNodes(t, img)
		root := int(be.Uint32(cat[14+2:]))
		node := cat[root*ns : (root+1)*ns]
		if int8(node[8]) != 0 {
			t.Fatal("the root is not an index node")
		}
		a := int(be.Uint16(node[ns-2:]))
		kl := int(be.Uint16(node[a:])) + 2
		if inKey {
			growKey(t, node, 0, a, a+kl, "PAYLOAD!")
		} else {
			growRecord(t, node, 0, a+kl+4, "PAYLOAD!")
		}
		e := pastFieldsExtra(t, open(t, img), "the catalog file")
		if !bytes.HasPrefix(img[e.Offset:], []byte("PAYLOAD!")) {
			t.Errorf("in key %t: extra %+v", inKey, e)
		}
	}
}

// attrNode returns the attributes file's node n of ns bytes (the file
// is contiguous, as Build writes it).
func attrNode(img []byte, n, ns int) []byte {
	be := binary.BigEndian
	start := int(be.Uint32(img[1024+352+16:])) * int(be.Uint32(img[1024+40:]))
	return img[start+n*ns:][:ns]
}

// TestAttackAttributeRecordPastFields: an attributes file leaf record
// (inline data past its size, fork data past its 88 bytes, a key past
// its name) grown to hold a payload: the reader took the fields and
// skipped the rest. Each is dmg/metadata-slack at the payload.
func TestAttackAttributeRecordPastFields(t *testing.T) {
	be := binary.BigEndian
	for _, c := range []struct {
		name  string
		typ   uint32
		inKey bool
	}{{"inline", attrInline, false}, {"fork", attrFork, false}, {"key", attrInline, true}} {
		img := build(t, BuildSpec{Files: map[string]BuildFile{
			"a": {Data: []byte("a"), Xattrs: map[string][]byte{"com.apple.quarantine": []byte("0081;00000000;Safari;")}},
			"b": {Data: []byte("b"), Xattrs: map[string][]byte{"com.example.big": make([]byte, 3000)}},
		}})
		if got := extrasOf(open(t, img), ExtraMetadataSlack); len(got) > 0 {
			t.Fatalf("clean volume: %+v", got)
		}
		node := attrNode(img, 1, 4096)
		if int8(node[8]) != -1 {
			t.Fatal("attributes node 1 is not a leaf")
		}
		k, a, kl, ok := findRecord(node, func(a, kl int) bool { return be.Uint32(node[a+kl:]) == c.typ })
		if !ok {
			t.Fatalf("%s: no attribute record of type %#x", c.name, c.typ)
		}
		if c.inKey {
			growKey(t, node, k, a, a+kl, "PAYLOAD!")
		} else {
			growRecordEnd(t, node, k, "PAYLOAD!")
		}
		e := pastFieldsExtra(t, open(t, img), "the attributes file")
		if !bytes.HasPrefix(img[e.Offset:], []byte("PAYLOAD!")) {
			t.Errorf("%s: extra %+v", c.name, e)
		}
	}
}
