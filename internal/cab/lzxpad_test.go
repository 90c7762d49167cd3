package cab

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// oddBlockFrame returns a first frame: the E8 header bit (none), an
// uncompressed block of 1 byte ('A') and its pad, then one of 32767 bytes
// ('B') ending with the frame's 32 KiB, and no pad byte after it.
func oddBlockFrame() []byte {
	le := binary.LittleEndian
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
	return append(f1, bytes.Repeat([]byte{'B'}, 32767)...)
}

// padAcrossFramesCab returns a cabinet of one LZX folder of two frames whose
// first ends with an uncompressed block of odd size, its pad byte left for
// the next frame's data (7-Zip and libmspack skip it there), and the file
// the second frame holds for them. Read from its first byte instead, the
// second frame is another valid uncompressed block: the same bytes shifted
// by one, so a decoder that forgets the pad byte extracts other content
// than the extractors do without an error.
func padAcrossFramesCab() (cab, want []byte) {
	le := binary.LittleEndian
	f1 := oddBlockFrame()

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

// TestLZXPadByteInNextFrame: an odd uncompressed block that ends a
// frame's data without its pad byte leaves the next frame with two
// readings: 7-Zip and libmspack take its first byte for the pad, a decoder
// that starts each data block's bits afresh (as shipgate did) takes it for
// the bits, and the two extract other bytes without an error (here a file
// shifted by one). The frame is refused, so the file is reported, not
// checked as one reading while Windows may install the other.
func TestLZXPadByteInNextFrame(t *testing.T) {
	t.Parallel()
	b, want := padAcrossFramesCab()
	err := open(t, b).Walk(func(f *File, r io.Reader) error {
		d, err := io.ReadAll(r)
		if err == nil && f.Name == "evil.dll" {
			t.Errorf("evil.dll decoded as %q...; 7-Zip extracts %q...", d[:8], want[:8])
		}
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "without its pad byte") {
		t.Fatalf("Walk: %v, want the frame refused", err)
	}
	sz, err := exec.LookPath("7z")
	if err != nil {
		t.Skip("7-Zip is not installed (apt-get install p7zip-full); the cross-check was skipped")
	}
	// 7-Zip reads the pad byte from the next frame: the reading shipgate
	// took before differs from it.
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

// TestLZXPadByteInFrame: an odd uncompressed block that ends a frame's
// data with its pad byte, and one that ends the folder without it, are
// read.
func TestLZXPadByteInFrame(t *testing.T) {
	t.Parallel()
	le := binary.LittleEndian
	f1 := oddBlockFrame()
	block := func(n int, pad bool) []byte {
		w := &bitWriter{}
		w.bits(lzxUncompressed, 3)
		w.bits(uint32(n)>>8, 16)
		w.bits(uint32(n)&0xff, 8)
		w.align()
		f := w.out
		for range 3 {
			f = le.AppendUint32(f, 1)
		}
		f = append(f, bytes.Repeat([]byte{'C'}, n)...)
		if pad {
			f = append(f, 0)
		}
		return f
	}
	want := append(append([]byte{'A'}, bytes.Repeat([]byte{'B'}, 32767)...), bytes.Repeat([]byte{'C'}, 99)...)
	for name, frames := range map[string][][]byte{
		"pad in the frame":           {append(append([]byte(nil), f1...), 0), block(99, true)},
		"no pad at the folder's end": {append(append([]byte(nil), f1...), 0), block(99, false)},
	} {
		b := Build([]BuildFile{{Name: "a", Data: want}}, BuildOptions{Method: MethodLZX, LZXWindow: 16, Encode: func([]byte) ([][]byte, []int) {
			return frames, []int{lzxFrame, 99}
		}})
		err := open(t, b).Walk(func(f *File, r io.Reader) error {
			d, err := io.ReadAll(r)
			if err == nil && !bytes.Equal(d, want) {
				t.Errorf("%s: decoded other bytes", name)
			}
			return err
		})
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
