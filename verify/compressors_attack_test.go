package verify

import (
	"testing"

	"github.com/klauspost/compress/zstd"
)

// TestAttackUnopenedCompressors: a tarball compressed with lz4, lzip,
// lzma, lzop or compress (.Z), which GNU tar or bsdtar decompress by its
// first bytes, or a zstd stream that starts with a skippable frame and
// holds no tarball, passed without a word, its files never seen, where a
// bzip2 one is reported as an archive shipgate does not open.
func TestAttackUnopenedCompressors(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	files := map[string][]byte{
		"plugins.tar.lz4":  []byte("\x04\x22\x4d\x18"),
		"plugins.tar.lz":   []byte("LZIP\x01"),
		"plugins.tar.lzma": []byte("\x5d\x00\x00\x80\x00"),
		"plugins.tar.lzo":  []byte("\x89LZO\x00"),
		"plugins.tar.Z":    []byte("\x1f\x9d\x90"),
	}
	tree := map[string][]byte{"resources/notes.txt": []byte("plain text")}
	for name, head := range files {
		tree["resources/"+name] = append(head, f.peUnsigned...)
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	tree["resources/codec.dll.zst"] = enc.EncodeAll(f.peUnsigned, []byte("\x50\x2a\x4d\x18\x00\x00\x00\x00"))
	files["codec.dll.zst"] = nil
	dir := t.TempDir()
	writeTree(t, dir, tree)
	r := run(t, Options{Policy: requireValid()}, dir)
	for name := range files {
		if got := rulesFor(r, "resources/"+name); !has(got, "warning "+string(ruleUncheckedArchive)) {
			t.Errorf("%s: findings %q", name, got)
		}
	}
	if got := rulesFor(r, "resources/notes.txt"); len(got) != 0 {
		t.Errorf("plain text: findings %q", got)
	}
}
