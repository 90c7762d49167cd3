package hfsplus

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// catalogNodes returns a built volume's catalog file (contiguous, as
// Build writes it), its node size and its leaf chain.
func catalogNodes(t *testing.T, img []byte) (cat []byte, ns int, chain []uint32) {
	t.Helper()
	be := binary.BigEndian
	bs := int(be.Uint32(img[1024+40:]))
	start := int(be.Uint32(img[1024+272+16:])) * bs
	size := int(be.Uint64(img[1024+272:]))
	cat = img[start : start+size]
	ns = int(be.Uint16(cat[14+18:]))
	for n := be.Uint32(cat[14+10:]); n != 0; n = be.Uint32(cat[int(n)*ns:]) {
		chain = append(chain, n)
	}
	return cat, ns, chain
}

func manyFiles() BuildSpec {
	files := map[string]BuildFile{}
	for i := range 60 {
		files[fmt.Sprintf("App.app/Contents/Resources/file%02d.txt", i)] = BuildFile{Data: []byte{byte(i)}}
	}
	return BuildSpec{Files: files, NodeSize: 512}
}

// TestIndexReachesLeafTheChainSkips: a leaf unlinked from the leaf chain
// but still reached by the index holds files macOS finds (it looks names
// up through the index) and a chain walk would not list: the volume is
// refused, not read without them.
func TestIndexReachesLeafTheChainSkips(t *testing.T) {
	img := build(t, manyFiles())
	cat, ns, chain := catalogNodes(t, img)
	if len(chain) < 4 {
		t.Fatalf("only %d leaves", len(chain))
	}
	binary.BigEndian.PutUint32(cat[int(chain[1])*ns:], chain[3]) // skip chain[2]
	_, err := Open(bytes.NewReader(img), int64(len(img)), Options{})
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(fe.Reason, "the index reaches leaf nodes") {
		t.Fatalf("err %v", err)
	}
}

// indexPointer returns the offset in cat of the index record pointer to
// node target (catalog index keys are stored at their length), or -1.
func indexPointer(cat []byte, ns int, target uint32) int {
	be := binary.BigEndian
	for n := 1; n < len(cat)/ns; n++ {
		node := cat[n*ns : (n+1)*ns]
		if int8(node[8]) != 0 {
			continue
		}
		for r := range int(be.Uint16(node[10:])) {
			a := int(be.Uint16(node[ns-2*(r+1):]))
			p := a + int(be.Uint16(node[a:])) + 2
			if be.Uint32(node[p:]) == target {
				return n*ns + p
			}
		}
	}
	return -1
}

// TestIndexPointsOutsideTheChain: an index record pointing to a leaf the
// chain does not hold (a copy of a leaf, whose records macOS would then
// read instead of the chain's) is refused.
func TestIndexPointsOutsideTheChain(t *testing.T) {
	img := build(t, manyFiles())
	cat, ns, chain := catalogNodes(t, img)
	be := binary.BigEndian
	free := int(be.Uint32(cat[14+22:])) - 1 // Build leaves free nodes at the end
	if int8(cat[free*ns+8]) != 0 || be.Uint16(cat[free*ns+10:]) != 0 {
		t.Fatal("the last node is not free")
	}
	copy(cat[free*ns:(free+1)*ns], cat[int(chain[2])*ns:])
	p := indexPointer(cat, ns, chain[2])
	if p < 0 {
		t.Fatal("no index record points to the leaf")
	}
	be.PutUint32(cat[p:], uint32(free))
	_, err := Open(bytes.NewReader(img), int64(len(img)), Options{})
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(fe.Reason, "the index reaches leaf nodes") {
		t.Fatalf("err %v", err)
	}
}

// TestIndexLoops: an index record pointing back to the root is refused,
// not followed forever.
func TestIndexLoops(t *testing.T) {
	img := build(t, manyFiles())
	cat, ns, chain := catalogNodes(t, img)
	be := binary.BigEndian
	p := indexPointer(cat, ns, chain[0])
	if p < 0 {
		t.Fatal("no index record points to the first leaf")
	}
	be.PutUint32(cat[p:], be.Uint32(cat[14+2:]))
	_, err := Open(bytes.NewReader(img), int64(len(img)), Options{})
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(fe.Reason, "twice") {
		t.Fatalf("err %v", err)
	}
}
