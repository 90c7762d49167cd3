package msi

import (
	"testing"

	"github.com/shipgate/shipgate/internal/cfb"
)

// TestAttackShadowTableStream: a stream whose stored name is a table's
// name written out ("\u4840File", unpacked) decodes to the same name as
// the packed one Windows Installer opens. It is placed after the packed
// one in the directory, so it was read as the File table instead (an
// empty decoy here, hiding the real table's install paths), and the real
// table was then skipped as one the schema describes. The packed stream is
// the table; the other is Shadowed.
func TestAttackShadowTableStream(t *testing.T) {
	root := BuildNode(sampleTables(), nil)
	root.Children = append(root.Children, &cfb.Node{Name: "\u4840File", Data: []byte{}})
	d := open(t, cfb.Build(root))
	if ft := d.Tables["File"]; ft == nil || len(ft.Rows) == 0 {
		t.Fatalf("the File table read is the decoy: %+v", ft)
	}
	shadowed := 0
	for _, s := range d.Streams {
		if d.Shadowed(s) {
			shadowed++
			if !s.Table || s.Name != "File" || s.Entry.Name != "\u4840File" {
				t.Errorf("shadowed: %+v", s)
			}
		}
	}
	if shadowed != 1 {
		t.Errorf("%d streams shadowed, want 1", shadowed)
	}
	// Without the decoy, nothing is shadowed.
	d = open(t, Build(sampleTables(), nil))
	for _, s := range d.Streams {
		if d.Shadowed(s) {
			t.Errorf("shadowed: %+v", s)
		}
	}
}
