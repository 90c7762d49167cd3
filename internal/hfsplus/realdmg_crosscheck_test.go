package hfsplus

import (
	"os"
	"testing"

	"github.com/shipgate/shipgate/signing/dmg"
)

// realDMG is an hdiutil-made disk image (an app in an HFS+ volume, GPT,
// zlib, zero-fill and ignored chunks) that relic's module ships as a
// test package, read where the Go module cache holds it.
const realDMG = "/root/go/pkg/mod/github.com/sassoftware/relic/v7@v7.6.2/functest/packages/dummy.dmg"

// TestCrossCheckRealDMG: the HFS+ volume of an image hdiutil made has no
// extra and no problem: its free blocks and B-tree slack are zero but
// for a stale record offset slot in a catalog leaf, which is tolerated.
func TestCrossCheckRealDMG(t *testing.T) {
	f, err := os.Open(realDMG)
	if err != nil {
		t.Skipf("no hdiutil-made image to cross-check with: %v", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	im, err := dmg.NewReader(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	i, ok := im.FileSystemPartition()
	if !ok {
		t.Fatal("no file system partition")
	}
	pr, err := im.OpenPartition(i, dmg.PartitionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := Open(pr, pr.Size(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Paths()) < 5 || len(v.Extras) > 0 || len(v.Problems) > 0 {
		t.Errorf("paths %v extras %+v problems %v", v.Paths(), v.Extras, v.Problems)
	}
}
