package cab

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// padAcrossFramesCab returns a cabinet of one LZX folder of two frames whose
// first ends with an uncompressed block of odd size, its pad byte left for
// the next frame's data (7-Zip and libmspack skip it there), and the file
// the second frame holds for them. Read from its first byte instead, the
// second frame is another valid uncompressed block: the same bytes shifted
// by one, so a decoder that forgets the pad byte extracts other content
// than the extractors do without an error.
func padAcrossFramesCab() (cab, want []byte) {
	le := binary.LittleEndian
	// Frame 1: the E8 header bit (none), a block of 1 byte and its pad,
	// then a block of 32767 bytes ending with the frame, no pad byte.
	w := &bitWriter{}
	w.bits(0, 1)
	w.bits(lzxUncompressed, 3)
	w.bits(0, 16)
	w.bits(1, 8)
	w.align()
	f1 := w.out
	for range 3 {
		f1 = le.AppendUint32(f1, 1)
	}
	f1 = append(f1, 'A', 0)
	w = &bitWriter{}
	w.bits(lzxUncompressed, 3)
	w.bits(32767>>8, 16)
	w.bits(32767&0xff, 8)
	w.align()
	f1 = append(f1, w.out...)
	for range 3 {
		f1 = le.AppendUint32(f1, 1)
	}
	f1 = append(f1, bytes.Repeat([]byte{'B'}, 32767)...)

	// Frame 2, after its pad byte (0): an uncompressed block whose size
	// runs past the folder's end, R0-R2 = 1, then n bytes. From byte 0, the
	// pad, the same bytes read as a block of n bytes (n = b3<<3 | 3) whose
	// R0-R2 and data start one byte earlier, and whose own pad byte is the
	// frame's last. b3's low 5 bits are the padding to 16 bits, which 7-Zip
	// wants zero.
	const b3 = 32
	n := b3<<3 | 3
	want = make([]byte, n)
	copy(want, "MZ the file 7-Zip writes")
	for i := 24; i < n; i++ {
		want[i] = byte(i)
	}
	f2 := []byte{0, 0x60, 0x60, b3, 0}
	for range 3 {
		f2 = le.AppendUint32(f2, 1)
	}
	f2 = append(f2, want...)
	cab = Build([]BuildFile{{Name: "a.bin", Data: make([]byte, lzxFrame)}, {Name: "evil.dll", Data: make([]byte, n)}},
		BuildOptions{Method: MethodLZX, LZXWindow: 15, Encode: func([]byte) ([][]byte, []int) {
			return [][]byte{f1, f2}, []int{lzxFrame, n}
		}})
	return cab, want
}

// TestLZXPadByteInNextFrame: the pad byte of an odd uncompressed block that
// ends a frame's data is the next frame's first byte, as 7-Zip and
// libmspack read it; taking that byte for the start of the bit stream
// decoded the second frame as other bytes (a file shifted by one) without
// an error.
func TestLZXPadByteInNextFrame(t *testing.T) {
	b, want := padAcrossFramesCab()
	got := map[string][]byte{}
	err := open(t, b).Walk(func(f *File, r io.Reader) error {
		d, err := io.ReadAll(r)
		got[f.Name] = d
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got["evil.dll"], want) {
		t.Errorf("evil.dll decoded as %q..., 7-Zip and libmspack extract %q...", got["evil.dll"][:8], want[:8])
	}
	if a := got["a.bin"]; len(a) != lzxFrame || a[0] != 'A' || a[1] != 'B' || a[lzxFrame-1] != 'B' {
		t.Errorf("a.bin decoded wrongly")
	}
	sz, err := exec.LookPath("7z")
	if err != nil {
		t.Skip("7-Zip is not installed (apt-get install p7zip-full); the cross-check was skipped")
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "t.cab")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(sz, "x", "-y", "-o"+filepath.Join(dir, "x"), f).CombinedOutput(); err != nil {
		t.Fatalf("7z x: %v\n%s", err, out)
	}
	if d, err := os.ReadFile(filepath.Join(dir, "x", "evil.dll")); err != nil || !bytes.Equal(d, want) {
		t.Errorf("7-Zip extracts evil.dll as %q (%v), want %q", d, err, want)
	}
}
