package cfb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

func sample() *Node {
	return &Node{Children: []*Node{
		{Name: "small", Data: []byte("hello, compound file")},
		{Name: "big", Data: bytes.Repeat([]byte("0123456789abcdef"), 700)},
		{Name: "empty"},
		{Name: "dir", CLSID: [16]byte{1, 2, 3}, Children: []*Node{{Name: "inner", Data: []byte("inner data")}}},
	}}
}

func read(t *testing.T, b []byte) *File {
	t.Helper()
	f, err := Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return f
}

// TestBuildRoundTrip writes a file and reads every stream back; nothing is
// unowned.
func TestBuildRoundTrip(t *testing.T) {
	b := Build(sample())
	f := read(t, b)
	got := map[string]string{}
	var walk func(e *Entry, prefix string)
	walk = func(e *Entry, prefix string) {
		for _, c := range f.Children(e) {
			if c.Type == TypeStorage {
				walk(c, prefix+c.Name+"/")
				continue
			}
			data, err := f.ReadAll(c, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			got[prefix+c.Name] = string(data)
		}
	}
	walk(f.Root(), "")
	if got["small"] != "hello, compound file" || len(got["big"]) != 11200 || got["dir/inner"] != "inner data" || got["empty"] != "" || len(got) != 4 {
		t.Errorf("streams: %v", len(got))
	}
	if r, err := f.Unowned(); err != nil || len(r) != 0 {
		t.Errorf("Unowned: %v %v", r, err)
	}
}

// TestBuildDIFAT builds a file whose FAT needs DIFAT sectors (a 20 MB
// stream: 313 FAT sectors, two DIFAT sectors) and reads every byte back,
// with no byte left unowned.
func TestBuildDIFAT(t *testing.T) {
	big := make([]byte, 20<<20)
	for i := range big {
		big[i] = byte(i * 7 >> 9)
	}
	b := Build(&Node{Children: []*Node{{Name: "big", Data: big}, {Name: "small", Data: []byte("after the big one")}}})
	if n := binary.LittleEndian.Uint32(b[72:]); n != 2 {
		t.Fatalf("%d DIFAT sectors, want 2", n)
	}
	f := read(t, b)
	for _, e := range f.Children(f.Root()) {
		data, err := f.ReadAll(e, 32<<20)
		if err != nil {
			t.Fatal(err)
		}
		if (e.Name == "big" && !bytes.Equal(data, big)) || (e.Name == "small" && string(data) != "after the big one") {
			t.Errorf("stream %s read back wrong (%d bytes)", e.Name, len(data))
		}
	}
	if r, err := f.Unowned(); err != nil || len(r) != 0 {
		t.Errorf("Unowned: %v %v", r, err)
	}
}

// TestUnownedRegions finds bytes appended after the last sector, written
// into a stream's slack, and in a free mini sector.
func TestUnownedRegions(t *testing.T) {
	b := Build(sample())
	cases := map[string][]byte{
		"appended": append(bytes.Clone(b), bytes.Repeat([]byte{0xcc}, 700)...),
	}
	f := read(t, b)
	for _, e := range f.Entries {
		if e.Name == "big" {
			last := e.runs[len(e.runs)-1]
			c := bytes.Clone(b)
			copy(c[last[0]+last[1]:], "payload in slack")
			cases["big-slack"] = c
		}
		if e.Name == "small" {
			last := e.runs[len(e.runs)-1]
			c := bytes.Clone(b)
			copy(c[last[0]+last[1]:], "mini slack")
			cases["mini-slack"] = c
		}
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r, err := read(t, c).Unowned()
			if err != nil || len(r) == 0 {
				t.Fatalf("Unowned: %v %v, want a region", r, err)
			}
		})
	}
}

// TestHostileStructures rejects cycles, out-of-range sectors and counts.
func TestHostileStructures(t *testing.T) {
	b := Build(sample())
	f := read(t, b)
	dirOff := f.Entries[0].Offset
	cases := map[string]func(c []byte){
		"fat-count":   func(c []byte) { c[44] = 0xff; c[45] = 0xff },
		"dir-cycle":   func(c []byte) { copy(c[512+4*int(f.sectorOfDir()):], []byte{byte(f.sectorOfDir()), 0, 0, 0}) },
		"tree-cycle":  func(c []byte) { copy(c[dirOff+76:], []byte{0, 0, 0, 0}) },
		"big-sector":  func(c []byte) { copy(c[48:], []byte{0xf0, 0xff, 0xff, 0x0f}) },
		"name-length": func(c []byte) { c[dirOff+64] = 0xff },
	}
	for name, mut := range cases {
		t.Run(name, func(t *testing.T) {
			c := bytes.Clone(b)
			mut(c)
			_, err := Open(bytes.NewReader(c), int64(len(c)))
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("Open: %v, want a FormatError", err)
			}
		})
	}
}

func (f *File) sectorOfDir() int64 { return (f.Entries[0].Offset - f.headerSize) / f.sectorSize }

// FuzzOpen must never panic; a file that opens gives its streams and its
// unowned regions without error on a reader of the same bytes.
func FuzzOpen(f *testing.F) {
	f.Add(Build(sample()))
	f.Add(Build(&Node{}))
	f.Fuzz(func(t *testing.T, b []byte) {
		cf, err := Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		for _, e := range cf.Entries {
			if e.Type == TypeStream {
				if _, err := cf.ReadAll(e, 1<<20); err != nil && !errors.As(err, new(*FormatError)) {
					t.Fatal(err)
				}
			}
		}
		if _, err := cf.Unowned(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestDepthLimit rejects storages nested deeper than MaxDepth and accepts
// them at MaxDepth.
func TestDepthLimit(t *testing.T) {
	nest := func(n int) []byte {
		leaf := &Node{Name: "s", Data: []byte("x")}
		for i := 0; i < n; i++ {
			leaf = &Node{Name: "d", Children: []*Node{leaf}}
		}
		return Build(&Node{Children: []*Node{leaf}})
	}
	if _, err := Open(bytes.NewReader(nest(MaxDepth)), int64(len(nest(MaxDepth)))); err != nil {
		t.Errorf("depth %d: %v", MaxDepth, err)
	}
	deep := nest(MaxDepth + 2)
	var fe *FormatError
	if _, err := Open(bytes.NewReader(deep), int64(len(deep))); !errors.As(err, &fe) {
		t.Errorf("depth %d: %v, want a FormatError", MaxDepth+2, err)
	}
}

// TestDuplicateNames rejects two entries of one name in a storage, which
// would hide the second from readers that look the name up.
func TestDuplicateNames(t *testing.T) {
	b := Build(&Node{Children: []*Node{{Name: "a", Data: []byte("1")}, {Name: "A", Data: []byte("2")}}})
	var fe *FormatError
	if _, err := Open(bytes.NewReader(b), int64(len(b))); !errors.As(err, &fe) {
		t.Fatalf("Open: %v, want a FormatError", err)
	}
	b = Build(&Node{Children: []*Node{{Name: "a", Data: []byte("1")}, {Name: "b", Data: []byte("2")}}})
	if _, err := Open(bytes.NewReader(b), int64(len(b))); err != nil {
		t.Fatal(err)
	}
}

// TestTableAndHeaderSlack finds data in FAT entries for sectors past the
// end of the file and in reserved header fields.
func TestTableAndHeaderSlack(t *testing.T) {
	b := Build(sample())
	f := read(t, b)
	cases := map[string]func(c []byte){
		"fat-slack":    func(c []byte) { copy(c[512+4*int(f.nsect)+8:], "\x01\x02\x03\x04") },
		"header-clsid": func(c []byte) { copy(c[8:], "hidden") },
	}
	for name, mut := range cases {
		t.Run(name, func(t *testing.T) {
			c := bytes.Clone(b)
			mut(c)
			r, err := read(t, c).Unowned()
			if err != nil || len(r) != 1 {
				t.Fatalf("Unowned: %+v %v, want one region", r, err)
			}
		})
	}
}

// TestReaderAt reads windows of a large (FAT) and a small (mini stream)
// stream at offsets crossing sectors and compares them with ReadAll.
func TestReaderAt(t *testing.T) {
	big := make([]byte, 20000)
	for i := range big {
		big[i] = byte(i * 7)
	}
	b := Build(&Node{Children: []*Node{{Name: "big", Data: big}, {Name: "gap", Data: bytes.Repeat([]byte{1}, 5000)}, {Name: "small", Data: big[:1000]}}})
	f := read(t, b)
	for _, e := range f.Entries {
		if e.Type != TypeStream || e.Name == "gap" {
			continue
		}
		want, err := f.ReadAll(e, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		ra := f.ReaderAt(e)
		for _, w := range [][2]int{{0, 10}, {60, 10}, {500, 30}, {0, len(want)}, {len(want) - 5, 5}, {511, 2}} {
			p := make([]byte, w[1])
			if n, err := ra.ReadAt(p, int64(w[0])); n != w[1] || err != nil || !bytes.Equal(p, want[w[0]:w[0]+w[1]]) {
				t.Errorf("%s: ReadAt(%d, %d) = %d, %v", e.Name, w[0], w[1], n, err)
			}
		}
		p := make([]byte, 10)
		if n, err := ra.ReadAt(p, int64(len(want)-4)); n != 4 || err != io.EOF {
			t.Errorf("%s: read past the end = %d, %v", e.Name, n, err)
		}
	}
}

// TestDIFATHoleRefused lists the second FAT sector after a FREESECT entry
// of the header's DIFAT: taking the entries in order, as this reader did,
// makes it the FAT of sectors 128-255, while readers that index the DIFAT
// make it that of sectors 256-383 (7-Zip refuses the file). Without the
// hole the file opens.
func TestDIFATHoleRefused(t *testing.T) {
	big := bytes.Repeat([]byte("abcdefghijklmnopqrstuvwxyz"), 4000)
	b := Build(&Node{Children: []*Node{{Name: "big", Data: big}}})
	le := binary.LittleEndian
	if le.Uint32(b[44:]) != 2 {
		t.Fatalf("fixture has %d FAT sectors, want 2", le.Uint32(b[44:]))
	}
	read(t, b)
	h := bytes.Clone(b)
	le.PutUint32(h[84:], le.Uint32(h[80:]))
	le.PutUint32(h[80:], 0xffffffff)
	_, err := Open(bytes.NewReader(h), int64(len(h)))
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Offset != 84 {
		t.Fatalf("Open: %v, want a FormatError at 84", err)
	}
}
