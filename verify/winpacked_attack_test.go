package verify

import (
	"encoding/binary"
	"testing"
)

// TestAttackUnopenedWindowsPacked: an InstallShield cabinet (data1.cab,
// data1.hdr: "ISc(", as unshield and InstallShield's setup read them) and
// the files Microsoft's compress.exe writes (setup.ex_ in SZDD format,
// app.dl_ in KWAJ format), which expand.exe, setupapi's INF copy queue
// and libmspack decompress, hold executables shipgate never saw: they
// passed require: valid without a word, where a Microsoft cabinet it
// cannot open is reported.
func TestAttackUnopenedWindowsPacked(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	le := binary.LittleEndian
	isc := []byte("ISc(\x00\x60\x01\x00")
	szdd := append([]byte("SZDD\x88\xf0\x27\x33A_"), le.AppendUint32(nil, uint32(len(f.peUnsigned)))...)
	kwaj := append([]byte("KWAJ\x88\xf0\x27\xd1"), 0, 0, 14, 0, 0, 0)
	files := map[string][]byte{
		"disk1/data1.cab": append(isc, f.peUnsigned...),
		"disk1/data1.hdr": isc,
		"disk1/setup.ex_": append(szdd, f.peUnsigned...),
		"disk1/app.dl_":   append(kwaj, f.peUnsigned...),
	}
	tree := map[string][]byte{"disk1/readme.txt": []byte("plain text")}
	for name, b := range files {
		tree[name] = b
	}
	dir := t.TempDir()
	writeTree(t, dir, tree)
	r := run(t, Options{Policy: requireValid()}, dir)
	for name := range files {
		if got := rulesFor(r, name); !has(got, "warning "+string(ruleUncheckedArchive)) {
			t.Errorf("%s: findings %q", name, got)
		}
	}
	if got := rulesFor(r, "disk1/readme.txt"); len(got) != 0 {
		t.Errorf("plain text: findings %q", got)
	}
}
