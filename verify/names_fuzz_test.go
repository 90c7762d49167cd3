package verify

import (
	"bytes"
	"testing"
)

// FuzzUnopenedArchive judges hostile file heads as archives and patches
// shipgate does not open (InstallShield's ISc(, compress.exe's SZDD and
// KWAJ, MSDelta PA30 and PatchAPI PA19, bsdiff, the compressors), and
// hostile PE overlays for PyInstaller's cookie: no panic; one
// file/unchecked-archive warning at most, at the file's path, and none for
// a zip; the cookie found only where its bytes are, whatever the bounds.
func FuzzUnopenedArchive(f *testing.F) {
	for _, m := range archiveMagic {
		hdr := make([]byte, m.off, m.off+len(m.magic)+8)
		f.Add(append(append(hdr, m.magic...), "rest"...), int64(0), int64(-1))
	}
	f.Add([]byte("\x50\x2a\x4d\x18\x04\x00\x00\x00abcd"+zstdMagic), int64(2), int64(12))
	f.Add([]byte("PK\x03\x04ISc("), int64(0), int64(8))
	f.Add(append(bytes.Repeat([]byte{0}, 5000), pyInstallerMagic...), int64(100), int64(5008))
	f.Fuzz(func(t *testing.T, hdr []byte, off, end int64) {
		c := &check{f: File{Path: "d/x.bin", Kind: KindOther}}
		c.checkUnopenedArchive(hdr)
		if len(c.finds) > 1 || len(c.finds) == 1 && (c.finds[0].Rule != RuleUncheckedArchive || c.finds[0].Path != "d/x.bin" || IsZip(hdr)) {
			t.Fatalf("findings %+v", c.finds)
		}
		if pyInstallerCookie(bytes.NewReader(hdr), off, end) {
			from, to := max(off, end-4096, 0), min(end, int64(len(hdr)))
			if from >= to || !bytes.Contains(hdr[from:to], []byte(pyInstallerMagic)) {
				t.Fatalf("cookie in [%d, %d) of %d bytes", off, end, len(hdr))
			}
		}
	})
}
