package container

import (
	"bytes"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/sevenz"
)

// TestSFX7zScannerAgrees checks that the hashing pass's scanner finds the
// 7-Zip archive SFX7zOffset reads for, whatever the writes' sizes, across
// their boundaries, up to 7-Zip's SFX search limit and no further, and
// that decoy signatures without a matching CRC are skipped.
func TestSFX7zScannerAgrees(t *testing.T) {
	t.Parallel()
	stub := stubPE(t)
	arc := sevenz.Build([]sevenz.BuildFile{{Name: "a.txt", Data: []byte("a")}})
	decoy := sevenz.Signature + string(bytes.Repeat([]byte{0}, 26))
	for _, pad := range []int{0, 5, 4 << 10, 100<<10 + 3, sfx7zLimit - 1<<20, sfx7zLimit + 64} {
		img := append([]byte(nil), stub...)
		img = append(img, decoy...)
		img = append(img, make([]byte, pad)...)
		img = append(img, arc...)
		want, wantOK := SFX7zOffset(bytes.NewReader(img), int64(len(img)))
		if inLimit := len(stub)+len(decoy)+pad < sfx7zLimit; wantOK != inLimit || wantOK && want != int64(len(stub)+len(decoy)+pad) {
			t.Errorf("pad %d: SFX7zOffset = %d, %v", pad, want, wantOK)
		}
		for _, chunk := range []int{1, 7, 31, 32, 4096, 32 << 10, 1 << 20} {
			if pad > 1<<20 && chunk < 4096 {
				continue
			}
			var s SFX7zScanner
			for b := img; len(b) > 0; {
				n := min(chunk, len(b))
				s.Write(b[:n])
				b = b[n:]
			}
			got, ok := sfx7zOffset(bytes.NewReader(img), int64(len(img)), &s)
			if got != want || ok != wantOK {
				t.Errorf("pad %d, writes of %d: scanner says %d, %v; SFX7zOffset %d, %v", pad, chunk, got, ok, want, wantOK)
			}
			if off, found, known := s.offset(bytes.NewReader(img), int64(len(img))); !known || found != wantOK || off != want {
				t.Errorf("pad %d, writes of %d: scanner alone says %d, %v (known %v)", pad, chunk, off, found, known)
			}
			s.Reset()
		}
	}
}

// TestRAROverlayScannerAgrees checks that the hashing pass's scanner
// finds the RAR marker RAROverlay reads for, across writes, within the
// first 4 MiB only.
func TestRAROverlayScannerAgrees(t *testing.T) {
	t.Parallel()
	stub := stubPE(t)
	for _, pad := range []int{0, 3, 70 << 10, rarSFXLimit} {
		img := append(append([]byte(nil), stub...), make([]byte, pad)...)
		img = append(img, "Rar!\x1a\x07\x00tail"...)
		start, size := int64(len(stub)), int64(len(img))
		want, wantOK := RAROverlay(bytes.NewReader(img), size, start, size, nil)
		if inLimit := len(stub)+pad < rarSFXLimit; wantOK != inLimit || wantOK && want != int64(len(stub)+pad) {
			t.Errorf("pad %d: RAROverlay = %d, %v", pad, want, wantOK)
		}
		for _, chunk := range []int{3, 4096, 1 << 20} {
			if pad > 1<<20 && chunk < 4096 {
				continue
			}
			var s SFX7zScanner
			for b := img; len(b) > 0; {
				n := min(chunk, len(b))
				s.Write(b[:n])
				b = b[n:]
			}
			if got, ok := RAROverlay(bytes.NewReader(img), size, start, size, &s); got != want || ok != wantOK {
				t.Errorf("pad %d, writes of %d: scanner says %d, %v; reading %d, %v", pad, chunk, got, ok, want, wantOK)
			}
		}
	}
}

// TestArchiveInOverlayScannerAgrees checks that the hashing pass's
// scanner finds the OLE and xz markers ArchiveInOverlay reads for, across
// writes, within the first 8 MiB only, the first of either.
func TestArchiveInOverlayScannerAgrees(t *testing.T) {
	t.Parallel()
	stub := stubPE(t)
	for _, c := range []struct {
		pad  int
		tail string
		want string
	}{
		{0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 then \xfd7zXZ\x00", "OLE compound (an MSI installer?)"},
		{4097, "\xfd7zXZ\x00 then \xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xz"},
		{70 << 10, "\xd0\xcf\x11\xe0\xa1\xb1\x1a", ""},
		{sfx7zLimit, "\xfd7zXZ\x00", ""},
	} {
		img := append(append([]byte(nil), stub...), make([]byte, c.pad)...)
		img = append(img, c.tail...)
		start, size := int64(len(stub)), int64(len(img))
		name, want, ok := ArchiveInOverlay(bytes.NewReader(img), size, start, size, nil)
		if name != c.want || ok != (c.want != "") || ok && want != start+int64(c.pad) {
			t.Errorf("pad %d: ArchiveInOverlay = %q %d %v", c.pad, name, want, ok)
		}
		for _, chunk := range []int{1, 5, 4096, 1 << 20} {
			if c.pad > 1<<20 && chunk < 4096 {
				continue
			}
			var s SFX7zScanner
			for b := img; len(b) > 0; b = b[min(chunk, len(b)):] {
				s.Write(b[:min(chunk, len(b))])
			}
			if gn, got, gok := ArchiveInOverlay(bytes.NewReader(img), size, start, size, &s); gn != name || got != want || gok != ok {
				t.Errorf("pad %d, writes of %d: scanner says %q %d %v", c.pad, chunk, gn, got, gok)
			}
		}
	}
}

// TestArchiveInOverlayCabinet: "MSCF" is taken for a cabinet only when a
// cabinet's header follows (a decoy before it is skipped), by the scanner
// as by a read.
func TestArchiveInOverlayCabinet(t *testing.T) {
	t.Parallel()
	stub := stubPE(t)
	c := cab.Build([]cab.BuildFile{{Name: "a.exe", Data: []byte("MZ")}}, cab.BuildOptions{})
	img := append(append([]byte(nil), stub...), "pad MSCF but no cabinet header here, then"...)
	at := int64(len(img))
	img = append(img, c...)
	start, size := int64(len(stub)), int64(len(img))
	var s SFX7zScanner
	s.Write(img)
	for _, sc := range []*SFX7zScanner{nil, &s} {
		if name, off, ok := ArchiveInOverlay(bytes.NewReader(img), size, start, size, sc); !ok || off != at || name != "Microsoft Cabinet" {
			t.Errorf("scanner %v: %q at %d, %v; want the cabinet at %d", sc != nil, name, off, ok, at)
		}
	}
	if _, _, ok := ArchiveInOverlay(bytes.NewReader(img[:at+10]), at+10, start, at+10, nil); ok {
		t.Error("a cabinet cut short is taken for one")
	}
}

// TestSFX7zScannerStopsAtNonPE checks that the scanner looks no further
// than the first two bytes of a file that does not start with "MZ" (a
// Mach-O, an asset: most of a release's bytes, which it searched through
// for nothing), and that what it is asked about such a file is then read,
// with the answer reading gives: a file whose e_lfanew points at a PE
// header passes PESectionsEnd without "MZ".
func TestSFX7zScannerStopsAtNonPE(t *testing.T) {
	t.Parallel()
	stub := stubPE(t)
	arc := sevenz.Build([]sevenz.BuildFile{{Name: "a.txt", Data: []byte("a")}})
	img := append(append([]byte("ZM"), stub[2:]...), arc...)
	img = append(img, "Rar!\x1a\x07\x00tail"...)
	size := int64(len(img))
	start := PESectionsEnd(bytes.NewReader(img), size)
	for _, chunk := range []int{1, 3, 4096, 1 << 20} {
		var s SFX7zScanner
		for b := img; len(b) > 0; b = b[min(chunk, len(b)):] {
			s.Write(b[:min(chunk, len(b))])
		}
		if len(s.offs) > 0 || len(s.marks[markRAR].offs) > 0 || s.saw(size) {
			t.Errorf("writes of %d: the scanner looked through a file that is no PE: headers at %v, RAR at %v", chunk, s.offs, s.marks[markRAR].offs)
		}
		want, wantOK := SFX7zOffset(bytes.NewReader(img), size)
		if got, ok := sfx7zOffset(bytes.NewReader(img), size, &s); got != want || ok != wantOK || !ok {
			t.Errorf("writes of %d: scanner says %d, %v; reading %d, %v", chunk, got, ok, want, wantOK)
		}
		want, wantOK = RAROverlay(bytes.NewReader(img), size, start, size, nil)
		if got, ok := RAROverlay(bytes.NewReader(img), size, start, size, &s); got != want || ok != wantOK || !ok {
			t.Errorf("writes of %d: RAROverlay with the scanner says %d, %v; reading %d, %v", chunk, got, ok, want, wantOK)
		}
	}
}

// TestRARMarkerInSectionsNotRecorded checks that the scanner records a
// RAR marker only from where a PE's sections end, where RAROverlay is
// asked about (searching the sections of every PE for it cost a third as
// much as hashing them), and that RAROverlay asked about bytes before
// that reads them, with the answer reading gives.
func TestRARMarkerInSectionsNotRecorded(t *testing.T) {
	t.Parallel()
	img := stubPE(t)
	size := int64(len(img))
	end := PESectionsEnd(bytes.NewReader(img), size)
	if end < 64 || end > size {
		t.Fatalf("stub's sections end at %d of %d", end, size)
	}
	at := end - 32
	copy(img[at:], "Rar!\x1a\x07\x00")
	var s SFX7zScanner
	s.Write(img)
	if got := s.marks[markRAR].offs; len(got) > 0 {
		t.Errorf("RAR marker inside the sections recorded at %v", got)
	}
	for _, start := range []int64{0, at, end} {
		want, wantOK := RAROverlay(bytes.NewReader(img), size, start, size, nil)
		if got, ok := RAROverlay(bytes.NewReader(img), size, start, size, &s); got != want || ok != wantOK || ok != (start <= at) {
			t.Errorf("from %d: RAROverlay with the scanner says %d, %v; reading %d, %v", start, got, ok, want, wantOK)
		}
	}
}

// TestSFX7zScannerRecordsEachMarkerOnce checks that the scanner records
// every overlay marker once, whatever the writes' sizes: a marker within
// the last bytes of a write, searched again with the next write's first
// ones, was recorded a second time (six times, written a byte at a time),
// and a list filled with copies sends the overlay's search back to
// reading the file. Markers in the file's first 4 KiB, written before the
// scanner knows where the sections end, are recorded too.
func TestSFX7zScannerRecordsEachMarkerOnce(t *testing.T) {
	t.Parallel()
	stub := stubPE(t)
	img := append(append([]byte(nil), stub...), make([]byte, 8<<10)...)
	at := func(rel int) int64 { return int64(len(stub) + rel) }
	want := map[int][]int64{
		markRAR:       {at(100), at(4080 - len(stub))},
		1:             {at(4096 - len(stub) - 3)}, // OLE, across 4 KiB
		2:             {at(5000)},                 // xz
		3:             {at(6000), at(6004)},       // "MSCF" twice, back to back
		markSFXConfig: {at(7000)},
	}
	put := map[int]string{markRAR: rarMarker, 1: overlayMarks[1].magic, 2: overlayMarks[2].magic, 3: "MSCF", markSFXConfig: overlayMarks[markSFXConfig].magic}
	for m, offs := range want {
		for _, o := range offs {
			copy(img[o:], put[m])
		}
	}
	for _, chunk := range []int{1, 3, 7, 31, 32, 100, 4096, 1 << 20} {
		var s SFX7zScanner
		for b := img; len(b) > 0; b = b[min(chunk, len(b)):] {
			s.Write(b[:min(chunk, len(b))])
		}
		for m, w := range want {
			if got := s.marks[m].offs; !slices.Equal(got, w) {
				t.Errorf("writes of %d: %s recorded at %v, want %v", chunk, overlayMarks[m].name, got, w)
			}
		}
	}
}
