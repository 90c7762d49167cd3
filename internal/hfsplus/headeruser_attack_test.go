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
		nrec := int(be.Uint16(node[10:]))
		done := false
		for k := range nrec {
			a := int(be.Uint16(node[4096-2*(k+1):]))
			kl := int(be.Uint16(node[a:])) + 2
			if be.Uint16(node[a+kl:]) != want.typ || kl == 8 {
				continue
			}
			if want.inKey {
				// The key grows past its name, and its length with it.
				growRecord(t, node, k, a+8+2*int(be.Uint16(node[a+6:])), "PAYLOAD!")
				be.PutUint16(node[a:], uint16(kl-2+8))
			} else {
				growRecord(t, node, k, int(be.Uint16(node[4096-2*(k+2):])), "PAYLOAD!")
			}
			done = true
			break
		}
		if !done {
			t.Fatalf("no record of type %d", want.typ)
		}
		e := onlyExtra(t, open(t, img), ExtraMetadataSlack, "the catalog file", "1 records past their fields")
		if !bytes.HasPrefix(img[e.Offset:], []byte("PAYLOAD!")) {
			t.Errorf("type %d key %t: extra %+v", want.typ, want.inKey, e)
		}
	}
}
