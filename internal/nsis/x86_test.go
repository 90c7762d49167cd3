package nsis

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

// x86Decode returns what the x86 reader makes of b, read through r's
// chunking.
func x86Decode(t testing.TB, r io.Reader) []byte {
	t.Helper()
	out, err := io.ReadAll(newX86Reader(r))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// x86Inputs are random bytes, bytes dense in E8/E9 opcodes with near
// operands, and crafted runs: opcodes back to back, at the stream's last
// four bytes, before operands of 00 and FF, and an x86 exehead.
func x86Inputs() map[string][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	in := map[string][]byte{
		"empty":          {},
		"short":          {0xE8, 0, 0, 0},
		"one call":       {0xE8, 0, 0, 0, 0},
		"call at end":    {1, 2, 3, 0xE8, 0x10, 0, 0},
		"far operand":    {0xE8, 1, 2, 3, 4, 0xE9, 5, 6, 7, 0x80},
		"opcode run":     bytes.Repeat([]byte{0xE8}, 40),
		"opcode 00 runs": bytes.Repeat([]byte{0xE8, 0xE9, 0, 0xE8, 0xFF, 0, 0, 0xFF}, 50),
		"wrap":           {0xE9, 0xFF, 0xFF, 0xFF, 0xFF, 0xE8, 0, 0, 0, 0},
	}
	random := make([]byte, 1<<16)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	in["random"] = random
	dense := make([]byte, 1<<16)
	for i := range dense {
		switch rng.IntN(6) {
		case 0:
			dense[i] = 0xE8
		case 1:
			dense[i] = 0xE9
		case 2:
			dense[i] = 0
		case 3:
			dense[i] = 0xFF
		default:
			dense[i] = byte(rng.Uint32())
		}
	}
	in["dense"] = dense
	if b, err := os.ReadFile("/usr/share/nsis/Stubs/lzma-x86-unicode"); err == nil {
		in["exehead"] = b
	}
	return in
}

// TestX86Vectors pins the conversion by hand: a call at offset 0 with
// operand 0 targets offset 5, which the encoder writes as 5, and a call
// to 0 from offset 16 (operand -21) becomes 0; the last four bytes are
// never converted.
func TestX86Vectors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ plain, enc []byte }{
		{[]byte{0xE8, 0, 0, 0, 0}, []byte{0xE8, 5, 0, 0, 0}},
		{append(make([]byte, 16), 0xE8, 0xEB, 0xFF, 0xFF, 0xFF), append(make([]byte, 16), 0xE8, 0, 0, 0, 0)},
		{[]byte{0xE9, 0x10, 0, 0, 0x80}, []byte{0xE9, 0x10, 0, 0, 0x80}}, // far: left alone
		{[]byte{0, 0xE8, 0, 0, 0}, []byte{0, 0xE8, 0, 0, 0}},             // no fifth byte
	} {
		if got := x86Encode(c.plain); !bytes.Equal(got, c.enc) {
			t.Errorf("encode %x: %x, want %x", c.plain, got, c.enc)
		}
		if got := x86Decode(t, bytes.NewReader(c.enc)); !bytes.Equal(got, c.plain) {
			t.Errorf("decode %x: %x, want %x", c.enc, got, c.plain)
		}
	}
}

// TestX86RoundTrip: what the encoder makes of each input the reader turns
// back into it, however the input is cut into reads (one byte at a time,
// halves, 5 bytes, a prime).
func TestX86RoundTrip(t *testing.T) {
	t.Parallel()
	for name, in := range x86Inputs() {
		enc := x86Encode(in)
		if len(in) > 1000 && bytes.Equal(enc, in) {
			t.Errorf("%s: the encoder changed nothing", name)
		}
		for _, r := range map[string]io.Reader{
			"whole":    bytes.NewReader(enc),
			"one byte": iotest.OneByteReader(bytes.NewReader(enc)),
			"half":     iotest.HalfReader(bytes.NewReader(enc)),
			"5":        &chunkReader{b: enc, n: 5},
			"4099":     &chunkReader{b: enc, n: 4099},
		} {
			if got := x86Decode(t, r); !bytes.Equal(got, in) {
				t.Errorf("%s: round trip differs (%d bytes, %d back)", name, len(in), len(got))
			}
		}
	}
}

// chunkReader returns b n bytes at a time, with an empty read between.
type chunkReader struct {
	b     []byte
	n     int
	empty bool
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	if c.empty = !c.empty; c.empty {
		return 0, nil
	}
	n := copy(p[:min(len(p), c.n)], c.b)
	c.b = c.b[n:]
	return n, nil
}

// TestX86ErrorAfterData: the underlying reader's error is returned after
// every byte before it, the held-back last bytes included; a reader that
// never makes progress is an error, not a hang.
func TestX86ErrorAfterData(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	in := []byte{1, 2, 3, 0xE8, 0, 0}
	r := newX86Reader(iotest.DataErrReader(io.MultiReader(bytes.NewReader(in), iotest.ErrReader(boom))))
	got, err := io.ReadAll(r)
	if !bytes.Equal(got, in) || err != boom {
		t.Errorf("got %x, %v", got, err)
	}
	if _, err := io.ReadAll(newX86Reader(stuckReader{})); err != io.ErrNoProgress {
		t.Errorf("stuck reader: %v", err)
	}
}

type stuckReader struct{}

func (stuckReader) Read([]byte) (int, error) { return 0, nil }

// TestX86SevenZip cross-checks the filter against 7-Zip's: a .7z archive
// made with BCJ then Copy holds the filtered bytes as they are (after
// its 32-byte signature header); the reader turns them back into the
// file, and the test's encoder makes the same bytes.
func TestX86SevenZip(t *testing.T) {
	t.Parallel()
	sz, err := exec.LookPath("7z")
	if err != nil {
		t.Skip("7-Zip is not installed (apt-get install p7zip-full); the BCJ cross-check was skipped")
	}
	dir := t.TempDir()
	for name, in := range x86Inputs() {
		if len(in) < 5 {
			continue
		}
		f := filepath.Join(dir, "f.bin")
		arc := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".7z")
		os.WriteFile(f, in, 0o644)
		if out, err := exec.Command(sz, "a", "-t7z", "-m0=BCJ", "-m1=Copy", "-mhc=off", arc, f).CombinedOutput(); err != nil {
			t.Fatalf("7z a: %v\n%s", err, out)
		}
		b, _ := os.ReadFile(arc)
		if len(b) < 32+len(in) {
			t.Fatalf("%s: 7z wrote %d bytes", name, len(b))
		}
		packed := b[32 : 32+len(in)]
		if got := x86Decode(t, bytes.NewReader(packed)); !bytes.Equal(got, in) {
			t.Errorf("%s: the reader does not undo 7-Zip's BCJ", name)
		}
		if !bytes.Equal(x86Encode(in), packed) {
			t.Errorf("%s: the test's encoder differs from 7-Zip's BCJ", name)
		}
	}
}

// rawStream returns what the data of the installer rd reads decompress
// to: the solid stream, or, non-solid, each block's bytes (nil for a
// stored one, which is kept as it is).
func rawStream(t *testing.T, rd *Reader) (solid []byte, blocks [][]byte) {
	t.Helper()
	if rd.Solid {
		d, err := rd.decompressor(bufio.NewReader(io.NewSectionReader(rd.r, rd.start, rd.end-rd.start)))
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		for first := true; ; first = false {
			var l [4]byte
			if n, _ := io.ReadFull(d, l[:]); n == 0 {
				return out.Bytes(), nil
			}
			out.Write(l[:])
			n := int64(binary.LittleEndian.Uint32(l[:]))
			if first {
				n = rd.First.HeaderSize
			}
			if _, err := io.CopyN(&out, d, n); err != nil {
				t.Fatal(err)
			}
		}
	}
	for off := rd.start; off < rd.end; {
		n, comp, err := rd.blockAt(off)
		if err != nil {
			t.Fatal(err)
		}
		var b []byte
		if comp {
			d, err := rd.decompressor(bufio.NewReader(io.NewSectionReader(rd.r, off+4, n)))
			if err != nil {
				t.Fatal(err)
			}
			b, _ = io.ReadAll(d)
		}
		blocks = append(blocks, b)
		off += 4 + n
	}
	return nil, blocks
}

// filterInstaller rewrites the LZMA installer b, as makensis wrote it, as
// the NSIS of 7-Zip's installers would have: each LZMA stream behind a
// filter flag of flag (1: the x86 filter) and, non-solid, each
// instruction's data offset moved with the block it names.
func filterInstaller(t *testing.T, b []byte, flag byte) []byte {
	t.Helper()
	r := bytes.NewReader(b)
	h, err := Find(r, int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	rd, err := NewReader(r, h, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rd.Method != MethodLZMA || rd.FilterFlag {
		t.Fatalf("not a plain LZMA installer: %s", rd.Method)
	}
	compress := func(raw []byte) []byte {
		if flag == 1 {
			raw = x86Encode(raw)
		}
		return append([]byte{flag}, lzmaStream(raw)...)
	}
	le := binary.LittleEndian
	var body []byte
	solid, blocks := rawStream(t, rd)
	if rd.Solid {
		body = compress(solid)
	} else {
		// Lay the data blocks out again, then patch the header's
		// offsets.
		moved := map[int64]int64{}
		var data []byte
		old := int64(0)
		for _, blk := range blocks[1:] {
			moved[old] = int64(len(data))
			at := rd.data + old
			n, _, _ := rd.blockAt(at)
			old += 4 + n
			if blk == nil {
				data = append(data, b[at:at+4+n]...)
				continue
			}
			c := compress(blk)
			data = append(append(data, le.AppendUint32(nil, uint32(len(c))|compressedBit)...), c...)
		}
		hdr := blocks[0]
		eoff := int64(le.Uint32(hdr[4+8*blkEntries:]))
		for _, f := range rd.Header.Files {
			e := hdr[eoff+int64(f.Entry)*entrySize:]
			to, ok := moved[f.DataOffset]
			if !ok {
				t.Fatalf("%s: no block at data offset %d", f.Name, f.DataOffset)
			}
			le.PutUint32(e[12:], uint32(to))
		}
		c := compress(hdr)
		body = append(append(le.AppendUint32(nil, uint32(len(c))|compressedBit), c...), data...)
	}
	out := append([]byte(nil), b[:rd.start]...)
	le.PutUint32(out[h.Offset+24:], uint32(headerLen+len(body)+4))
	out = append(out, body...)
	return append(out, 0, 0, 0, 0)
}

// TestMakensisX86 reads installers makensis built with LZMA, solid and
// not, rewritten behind the x86 filter (stock makensis cannot write it;
// the NSIS of 7-Zip's installers could): the files, x86 code among them,
// come back as they were, and 7-Zip, which reads such installers, agrees.
func TestMakensisX86(t *testing.T) {
	t.Parallel()
	mk, err := exec.LookPath("makensis")
	if err != nil {
		t.Skip("makensis is not installed (apt-get install nsis); the x86-filter installer test was skipped")
	}
	code, err := os.ReadFile("/usr/share/nsis/Stubs/lzma-x86-unicode")
	if err != nil {
		t.Skip("makensis's x86 exehead is not installed; the x86-filter installer test was skipped")
	}
	sz, _ := exec.LookPath("7z")
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "app.dll"), code, 0o644)
	os.WriteFile(filepath.Join(dir, "sub", "ffmpeg.dll"), bytes.Repeat([]byte{0xE8, 1, 0, 0, 0, 0xE9}, 999), 0o644)
	want := map[string]string{`$INSTDIR\app.dll`: string(code), `$INSTDIR\resources\sub\ffmpeg.dll`: strings.Repeat("\xe8\x01\x00\x00\x00\xe9", 999)}
	for _, solid := range []string{"", "/SOLID "} {
		script := "Unicode true\nSetCompressor " + solid + "lzma\nOutFile setup.exe\nInstallDir \"$PROGRAMFILES\\Acme\"\nRequestExecutionLevel user\n" +
			"Section\nSetOutPath \"$INSTDIR\"\nFile app.dll\nSetOutPath \"$INSTDIR\\resources\"\nFile /r sub\nSectionEnd\n"
		os.WriteFile(filepath.Join(dir, "t.nsi"), []byte(script), 0o644)
		cmd := exec.Command(mk, "-V1", "t.nsi")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("makensis: %v\n%s", err, out)
		}
		orig, _ := os.ReadFile(filepath.Join(dir, "setup.exe"))
		for _, flag := range []byte{0, 1} {
			name := fmt.Sprintf("%sflag %d", solid, flag)
			b := filterInstaller(t, orig, flag)
			rd, g, err := walk(t, b, Options{})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !rd.FilterFlag || rd.Solid != (solid != "") {
				t.Errorf("%s: read as filter flag %v, solid %v", name, rd.FilterFlag, rd.Solid)
			}
			for p, d := range want {
				if g.data[p] != d {
					t.Errorf("%s: %s: %d bytes, want %d", name, p, len(g.data[p]), len(d))
				}
			}
			if sz == "" {
				continue
			}
			out := filepath.Join(dir, "x", strings.ReplaceAll(name, " ", "_"))
			f := filepath.Join(dir, "filtered.exe")
			os.WriteFile(f, b, 0o644)
			if o, err := exec.Command(sz, "x", "-y", "-o"+out, f).CombinedOutput(); err != nil {
				t.Fatalf("%s: 7z x: %v\n%s", name, err, o)
			}
			for p, d := range want {
				rel := strings.ReplaceAll(strings.TrimPrefix(p, `$INSTDIR\`), `\`, string(filepath.Separator))
				if got, err := os.ReadFile(filepath.Join(out, rel)); err != nil || string(got) != d {
					t.Errorf("%s: 7-Zip extracts %s as %d bytes (%v), want %d", name, rel, len(got), err, len(d))
				}
			}
		}
	}
	if sz == "" {
		t.Log("7-Zip is not installed; the x86-filter installers were not cross-checked with it")
	}
}

// TestBuildX86 reads installers Build made with LZMA behind the x86
// filter, solid and not (so that the decoder is tested where makensis is
// not installed).
func TestBuildX86(t *testing.T) {
	t.Parallel()
	files := sample()
	if code, err := os.ReadFile("/usr/share/nsis/Stubs/lzma-x86-unicode"); err == nil {
		files = append(files, BuildFile{Name: `$INSTDIR\exehead.exe`, Data: code})
	}
	files = append(files, BuildFile{Name: `$INSTDIR\calls.bin`, Data: bytes.Repeat([]byte{0xE8, 0xE9, 0, 0, 0}, 3000)})
	for _, o := range []BuildOptions{{Deflate: true, LZMA: true}, {Deflate: true, LZMA: true, X86: true}, {Solid: true, LZMA: true, X86: true}} {
		rd, g, err := walk(t, Stub(stub, Build(files, o)), Options{})
		if err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		if rd.Method != MethodLZMA || rd.FilterFlag != o.X86 || rd.Solid != o.Solid {
			t.Errorf("%+v: read as %s filter %v solid %v", o, rd.Method, rd.FilterFlag, rd.Solid)
		}
		for _, f := range files {
			if g.data[f.Name] != string(f.Data) {
				t.Errorf("%+v: %s differs", o, f.Name)
			}
		}
	}
}

// TestLZMAFilterFlags: LZMA behind the x86 filter flag that does not
// decompress is malformed (an error with its offset), and a block behind
// a filter flag other than 0 or 1 is unsupported, not misread.
func TestLZMAFilterFlags(t *testing.T) {
	t.Parallel()
	le := binary.LittleEndian
	blk := []byte{1, 0x5d, 0, 0, 0x80, 0, 0, 0x40, 0x21, 0x33}
	b := make([]byte, headerLen)
	le.PutUint32(b[4:], sigInfo)
	copy(b[8:], magic)
	le.PutUint32(b[20:], 1000)
	le.PutUint32(b[24:], uint32(headerLen+4+len(blk)+4))
	b = append(b, le.AppendUint32(nil, uint32(len(blk))|compressedBit)...)
	b = append(append(b, blk...), 0, 0, 0, 0)
	_, _, err := walk(t, Stub(stub, b), Options{})
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Errorf("garbage behind the filter flag: %v", err)
	}

	in := Build(sample(), BuildOptions{Deflate: true, LZMA: true, X86: true})
	hl := int64(le.Uint32(in[headerLen:]) &^ compressedBit)
	in[headerLen+4+hl+4] = 2 // the first data block's flag
	_, _, err = walk(t, Stub(stub, in), Options{})
	var ue *UnsupportedError
	if !errors.As(err, &ue) || ue.Method != MethodLZMA {
		t.Errorf("filter flag 2: %v", err)
	}
}

// FuzzX86 decodes the fuzzer's bytes whole and through reads of one byte
// and of a few bytes: the results agree, and encoding the input and
// decoding it gives it back.
func FuzzX86(f *testing.F) {
	for _, in := range x86Inputs() {
		f.Add(in[:min(len(in), 4096)], uint8(3))
	}
	f.Fuzz(func(t *testing.T, b []byte, n uint8) {
		whole := append([]byte(nil), b...)
		s := newX86State()
		s.convert(whole, 0, false)
		if got := x86Decode(t, &chunkReader{b: b, n: int(n%16) + 1}); !bytes.Equal(got, whole) {
			t.Fatalf("chunked decode differs from whole")
		}
		if got := x86Decode(t, bytes.NewReader(x86Encode(b))); !bytes.Equal(got, b) {
			t.Fatalf("round trip differs")
		}
	})
}

// BenchmarkX86Decode measures the reader on 4 MiB of an x86 exehead (or
// random bytes without it), alone and behind the LZMA decoder it follows
// in an installer, beside that decoder alone: the filter's share of
// decompressing.
func BenchmarkX86Decode(b *testing.B) {
	in := x86Inputs()["exehead"]
	if in == nil {
		in = x86Inputs()["random"]
	}
	in = bytes.Repeat(in, (4<<20)/len(in)+1)[:4<<20]
	enc := x86Encode(in)
	rd := &Reader{Method: MethodLZMA, FilterFlag: true}
	plain, filtered := append([]byte{0}, lzmaStream(enc)...), append([]byte{1}, lzmaStream(enc)...)
	run := func(name string, open func() io.Reader) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				if n, err := io.Copy(io.Discard, open()); n != int64(len(in)) {
					b.Fatal(n, err)
				}
			}
		})
	}
	run("x86", func() io.Reader { return newX86Reader(bytes.NewReader(enc)) })
	for i := 0; i < 2; i++ {
		run("lzma", func() io.Reader { d, _ := rd.decompressor(bytes.NewReader(plain)); return d })
		run("lzma+x86", func() io.Reader { d, _ := rd.decompressor(bytes.NewReader(filtered)); return d })
	}
}
