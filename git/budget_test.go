package git

import (
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// packObject is one object of a hand-built pack: its header claims size
// (which need not be len(data)), and a delta names its base by index.
type packObject struct {
	typ  plumbing.ObjectType
	size int
	data []byte // inflated content, zlib-compressed into the pack
	base int    // for OFS deltas: the index of the base object
}

// writePack writes a version 2 pack and index of objs under dir and opens
// them; object i has the id sha1("obj", i).
func writePack(t testing.TB, dir string, objs []packObject) (*packs, []plumbing.Hash) {
	t.Helper()
	var pk bytes.Buffer
	pk.WriteString("PACK")
	binary.Write(&pk, binary.BigEndian, uint32(2))
	binary.Write(&pk, binary.BigEndian, uint32(len(objs)))
	offs := make([]int64, len(objs))
	ids := make([]plumbing.Hash, len(objs))
	for i, o := range objs {
		offs[i] = int64(pk.Len())
		ids[i] = sha1.Sum([]byte{'o', 'b', 'j', byte(i), byte(i >> 8), byte(i >> 16)})
		sz := uint64(o.size)
		c := byte(o.typ)<<4 | byte(sz&15)
		sz >>= 4
		for sz > 0 {
			pk.WriteByte(c | 0x80)
			c = byte(sz & 0x7f)
			sz >>= 7
		}
		pk.WriteByte(c)
		if o.typ == plumbing.OFSDeltaObject {
			rel := offs[i] - offs[o.base]
			var enc []byte
			enc = append(enc, byte(rel&0x7f))
			for rel >>= 7; rel > 0; rel >>= 7 {
				rel--
				enc = append([]byte{byte(0x80 | rel&0x7f)}, enc...)
			}
			pk.Write(enc)
		}
		zw := zlib.NewWriter(&pk)
		zw.Write(o.data)
		zw.Close()
	}
	pk.Write(make([]byte, 20))
	order := make([]int, len(objs))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return bytes.Compare(ids[order[a]][:], ids[order[b]][:]) < 0 })
	var idx bytes.Buffer
	idx.Write([]byte{0xff, 't', 'O', 'c', 0, 0, 0, 2})
	var fan [256]uint32
	for _, id := range ids {
		for b := int(id[0]); b < 256; b++ {
			fan[b]++
		}
	}
	binary.Write(&idx, binary.BigEndian, fan)
	for _, i := range order {
		idx.Write(ids[i][:])
	}
	idx.Write(make([]byte, 4*len(objs)))
	for _, i := range order {
		binary.Write(&idx, binary.BigEndian, uint32(offs[i]))
	}
	idx.Write(make([]byte, 40))
	name := filepath.Join(dir, "pack-test")
	if err := os.WriteFile(name+".pack", pk.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name+".idx", idx.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := openPack(name + ".idx")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.f.Close() })
	return newPacks([]*pack{p}), ids
}

// allocated returns the bytes fn allocates.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestPackObjectSizeClaimNotPreallocated bounds what an object header's
// size claim costs: a 30-byte object claiming 60 MiB allocates for the
// bytes that inflate, not for the claim.
func TestPackObjectSizeClaimNotPreallocated(t *testing.T) {
	ps, ids := writePack(t, t.TempDir(), []packObject{{typ: plumbing.BlobObject, size: 60 << 20, data: []byte("tiny")}})
	var err error
	n := allocated(func() { _, _, err = ps.read(ids[0]) })
	if err == nil {
		t.Fatal("an object shorter than its header claims was read")
	}
	t.Logf("%d bytes allocated, error %v", n, err)
	if n > 1<<20 {
		t.Errorf("reading a 60 MiB claim of 4 bytes allocated %d bytes", n)
	}
}

// TestPackDeltaSizeClaimNotPreallocated bounds a delta whose result-size
// claim is far above what its copies produce.
func TestPackDeltaSizeClaimNotPreallocated(t *testing.T) {
	delta := []byte{4, 0x80, 0x80, 0x80, 0x1e, 0x90, 4} // base 4, result 60 MiB claimed, copy 4 bytes
	var err error
	n := allocated(func() { _, err = applyDelta([]byte("base"), delta) })
	if err == nil {
		t.Fatal("a delta that produces less than its claim was applied")
	}
	if n > 1<<20 {
		t.Errorf("applying a 7-byte delta allocated %d bytes", n)
	}
}

// TestPackCacheBytesBounded bounds what the object cache keeps alive:
// deltas that each turn a few bytes of pack into 1 MiB (64 KiB copies of
// a zero base) must not stay cached 4096 at a time. 80 of them make 80 MiB,
// two and a half times the byte cap.
func TestPackCacheBytesBounded(t *testing.T) {
	t.Parallel()
	const n = 80
	base := make([]byte, 64<<10)
	// Delta: base size 65536, result size 1 MiB - 1, then 15 copies of
	// 64 KiB and one of 65535 bytes.
	var d []byte
	d = binary.AppendUvarint(d, uint64(len(base)))
	d = binary.AppendUvarint(d, 1<<20-1)
	for range 15 {
		d = append(d, 0x80) // offset 0, length 0 = 0x10000
	}
	d = append(d, 0x80|0x10|0x20, 0xff, 0xff)
	// The base is a tree (the reader does not parse it): blobs read for
	// themselves are not cached, trees are.
	objs := []packObject{{typ: plumbing.TreeObject, size: len(base), data: base}}
	for range n {
		objs = append(objs, packObject{typ: plumbing.OFSDeltaObject, size: len(d), data: d, base: 0})
	}
	ps, ids := writePack(t, t.TempDir(), objs)
	st, _ := ps.list[0].f.Stat()
	for _, id := range ids {
		// writePack's ids are not the objects' hashes: each read is
		// refused after the object is decoded (and cached).
		if _, _, err := ps.read(id); err != nil && !errors.Is(err, ErrObjectHashMismatch) {
			t.Fatal(err)
		}
	}
	if ps.cacheBytes > packCacheBytes {
		t.Errorf("cache holds %d bytes, cap %d", ps.cacheBytes, packCacheBytes)
	}
	held, objects := 0, 0
	for _, c := range ps.cache {
		if c.p != nil {
			held += len(c.data)
			objects++
		}
	}
	t.Logf("pack of %d bytes: cache holds %d bytes in %d objects", st.Size(), held, objects)
	if held != ps.cacheBytes || held > packCacheBytes {
		t.Errorf("cache holds %d bytes (counted %d), cap %d", held, ps.cacheBytes, packCacheBytes)
	}
}

// checkParserBudget runs parse over an input of n bytes and fails when it
// allocates more than 100 bytes per input byte (plus 1 MiB) or takes more
// than a second per MB (×4 for a shared machine).
func checkParserBudget(t *testing.T, n int, parse func()) {
	t.Helper()
	start := time.Now()
	a := allocated(parse)
	took := time.Since(start)
	t.Logf("%d bytes: %d bytes allocated, %v", n, a, took)
	if limit := uint64(100*n) + 1<<20; a > limit {
		t.Errorf("allocated %d bytes for %d bytes of input, budget %d", a, n, limit)
	}
	if limit := time.Duration(4 * (float64(n)/(1<<20) + 1) * float64(time.Second)); took > limit {
		t.Errorf("took %v for %d bytes of input, budget %v", took, n, limit)
	}
}

// TestBudgetParseTree bounds a 1 MB tree of the shortest entries, and one of
// a single very long name.
func TestBudgetParseTree(t *testing.T) {
	var b bytes.Buffer
	for i := 0; b.Len() < 1<<20; i++ {
		b.WriteString("100644 " + strconv.Itoa(i) + "\x00")
		b.Write(make([]byte, 20))
	}
	checkParserBudget(t, b.Len(), func() { parseTree(b.Bytes()) })
	checkParserBudget(t, b.Len(), func() { findInTree(b.Bytes(), "nope") })
	long := append([]byte("100644 "+strings.Repeat("n", 1<<20)+"\x00"), make([]byte, 20)...)
	checkParserBudget(t, len(long), func() { parseTree(long) })
}

// TestBudgetParseCommit bounds a 1 MB commit of many parents, many
// continuation lines and many signature headers.
func TestBudgetParseCommit(t *testing.T) {
	head := "tree " + strings.Repeat("a", 40) + "\n"
	ident := "author A <a@example.com> 1 +0000\ncommitter A <a@example.com> 1 +0000\n"
	for name, body := range map[string]string{
		"parents":       strings.Repeat("parent "+strings.Repeat("b", 40)+"\n", 1<<20/48),
		"continuations": "x-header first\n" + strings.Repeat(" \n", 1<<19),
		"gpgsig":        strings.Repeat("gpgsig x\n", 1<<20/9),
		"mergetag":      strings.Repeat("mergetag x\n", 1<<20/11),
	} {
		t.Run(name, func(t *testing.T) {
			b := []byte(head + body + ident + "\nmessage\n")
			checkParserBudget(t, len(b), func() {
				if _, err := parseCommit(b); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
}

// TestBudgetParseAllowedSigners bounds an allowed_signers file of many
// lines with long principal lists.
func TestBudgetParseAllowedSigners(t *testing.T) {
	key := "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
	line := strings.Repeat("a,", 2000) + "b@example.com namespaces=\"git\" " + key + "\n"
	in := strings.Repeat(line, 1<<20/len(line))
	checkParserBudget(t, len(in), func() {
		if _, err := ParseAllowedSigners(strings.NewReader(in)); err != nil {
			t.Fatal(err)
		}
	})
}

// TestBudgetCommitGraph bounds a commit-graph whose chunk table claims the
// most chunks.
func TestBudgetCommitGraph(t *testing.T) {
	b := append([]byte("CGPH\x01\x01\xff\x00"), make([]byte, 256*12)...)
	checkParserBudget(t, len(b), func() { parseCommitGraph(b) })
}
