package hfsplus

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// TestAttackBTreeHeaderUserData: a payload in a B-tree header node's
// user data record (128 bytes between the header record and the node
// map) or in its header record's reserved words (reserved3, 64 bytes):
// both unused by HFS+ and zero on the volumes newfs_hfs and hdiutil make,
// they passed unreported where the node's free space is reported.
func TestAttackBTreeHeaderUserData(t *testing.T) {
	for _, at := range []int{14 + 106 + 10, 14 + 42, 14 + 106 + 127} {
		img := build(t, BuildSpec{Files: sample()})
		copy(img[catalogNode(img, 0, 4096)+at:], "P")
		e := onlyExtra(t, open(t, img), ExtraMetadataSlack, "the catalog file", "its header record's reserved words and user data record")
		if !bytes.HasPrefix(img[e.Offset:], []byte("P")) {
			t.Errorf("byte %d: extra %+v", at, e)
		}
	}
	// The header record's fields before reserved3 are not slack.
	img := build(t, BuildSpec{Files: sample()})
	if v := open(t, img); len(v.Extras) > 0 || len(v.Problems) > 0 {
		t.Errorf("clean volume: extras %+v problems %v", v.Extras, v.Problems)
	}
}

// growRecord inserts payload at byte at of the B-tree node (of ns bytes),
// inside or at the end of record k, moving the records after it and their
// offsets.
func growRecord(t *testing.T, node []byte, k, at int, payload string) {
	t.Helper()
	be := binary.BigEndian
	ns := len(node)
	nrec := int(be.Uint16(node[10:]))
	slot := func(i int) int { return ns - 2*(i+1) }
	free := int(be.Uint16(node[slot(nrec):]))
	if free+len(payload) > slot(nrec) {
		t.Fatal("no room in the node")
	}
	copy(node[at+len(payload):], node[at:free])
	copy(node[at:], payload)
	for i := k + 1; i <= nrec; i++ {
		be.PutUint16(node[slot(i):], be.Uint16(node[slot(i):])+uint16(len(payload)))
	}
}

// growKey is growRecord inserting payload in the key of record k, which
// starts at a: the key's length grows with it.
func growKey(t *testing.T, node []byte, k, a, at int, payload string) {
	t.Helper()
	be := binary.BigEndian
	kl := be.Uint16(node[a:])
	growRecord(t, node, k, at, payload)
	be.PutUint16(node[a:], kl+uint16(len(payload)))
}

// growRecordEnd is growRecord inserting payload at the end of record k.
func growRecordEnd(t *testing.T, node []byte, k int, payload string) {
	t.Helper()
	growRecord(t, node, k, int(binary.BigEndian.Uint16(node[len(node)-2*(k+2):])), payload)
}

// findRecord returns the first record of the B-tree node for which match,
// given its offset a and its key's length kl (with its length field),
// holds: its index k, a and kl; ok is false when there is none.
func findRecord(node []byte, match func(a, kl int) bool) (k, a, kl int, ok bool) {
	be := binary.BigEndian
	for k := range int(be.Uint16(node[10:])) {
		a := int(be.Uint16(node[len(node)-2*(k+1):]))
		kl := int(be.Uint16(node[a:])) + 2
		if match(a, kl) {
			return k, a, kl, true
		}
	}
	return 0, 0, 0, false
}

// TestAttackRecordPastFields: a catalog leaf record made longer than its
// type's fields, the payload after them: the reader took the fields and
// skipped the rest, and the node's free space stayed zero, so nothing
// reported the bytes. A file record, a folder record and a key past its
// name, each dmg/metadata-slack at the payload's first byte.
func TestAttackRecordPastFields(t *testing.T) {
	be := binary.BigEndian
	for _, want := range []struct {
		typ   uint16 // the record's type, 0 for its key
		inKey bool
	}{{recFile, false}, {recFolder, false}, {recFile, true}} {
		img := build(t, BuildSpec{Files: sample()})
		node := img[catalogNode(img, 1, 4096):][:4096]
		k, a, _, ok := findRecord(node, func(a, kl int) bool { return be.Uint16(node[a+kl:]) == want.typ && kl != 8 })
		if !ok {
			t.Fatalf("no record of type %d", want.typ)
		}
		if want.inKey {
			// The key grows past its name.
			growKey(t, node, k, a, a+8+2*int(be.Uint16(node[a+6:])), "PAYLOAD!")
		} else {
			growRecordEnd(t, node, k, "PAYLOAD!")
		}
		e := onlyExtra(t, open(t, img), ExtraMetadataSlack, "the catalog file", "1 records past their fields")
		if !bytes.HasPrefix(img[e.Offset:], []byte("PAYLOAD!")) {
			t.Errorf("type %d key %t: extra %+v", want.typ, want.inKey, e)
		}
	}
}
