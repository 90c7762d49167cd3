package hfsplus

import (
	"bytes"
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
