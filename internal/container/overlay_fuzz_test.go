package container

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/sevenz"
)

// FuzzOverlayDetectors reads hostile PE overlays with the detectors of
// self-extractors and installers whose payload follows a PE's sections
// (7-Zip SFX, RAR SFX, WiX Burn cabinets, Inno Setup, InstallShield): no
// panic, spans and offsets inside the file, and the 7-Zip archive found
// from the hashing pass's scanner the one found by reading the file.
func FuzzOverlayDetectors(f *testing.F) {
	img, err := pefile.Build(pefile.Spec{})
	if err != nil {
		f.Fatal(err)
	}
	sfx := sevenz.Build([]sevenz.BuildFile{{Name: "a.dll", Data: []byte("MZ")}})
	f.Add(append(append([]byte(nil), img...), sfx...))
	f.Add(append(append(append([]byte(nil), img...), make([]byte, 4096)...), sfx...))
	f.Add(append(append([]byte(nil), img...), cab.Build([]cab.BuildFile{{Name: "a.dll", Data: []byte("MZ")}}, cab.BuildOptions{})...))
	f.Add(append(append([]byte(nil), img...), "Rar!\x1a\x07\x00InstallShield\x00ISSetupStream\x00"...))
	ux := cab.Build([]cab.BuildFile{{Name: "0", Data: []byte(`<BurnManifest><Payload FilePath="a.msi" Packaging="download" DownloadUrl="https://x/a.msi"/></BurnManifest>`)}}, cab.BuildOptions{})
	f.Add(burnBundle(f, ux, cab.Build([]cab.BuildFile{{Name: "a0", Data: []byte("MZ")}}, cab.BuildOptions{})))
	f.Add(burnStub(f, append(binary.LittleEndian.AppendUint32(make([]byte, 0, 48), burnMagic), make([]byte, 44)...), 48))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, size := bytes.NewReader(b), int64(len(b))
		var s SFX7zScanner
		for p := b; len(p) > 0; p = p[min(len(p), 1000):] { // written in pieces, as a hashing pass does
			s.Write(p[:min(len(p), 1000)])
		}
		read, readOK := sfx7zOffset(r, size, nil)
		scanned, scannedOK := sfx7zOffset(r, size, &s)
		if readOK != scannedOK || (readOK && read != scanned) {
			t.Errorf("7-Zip archive at %d, %v read; at %d, %v from the scanner", read, readOK, scanned, scannedOK)
		}
		if readOK && (read < 0 || read >= size) {
			t.Errorf("7-Zip archive at %d of %d bytes", read, size)
		}
		for _, sp := range AttachedCabinets(r, size) {
			if sp.Offset < 0 || sp.Size <= 0 || sp.Offset+sp.Size > size {
				t.Errorf("cabinet span %+v of %d bytes", sp, size)
			}
		}
		if off, ok := RAROverlay(r, size, 0, size, &s); ok && (off < 0 || off >= size) {
			t.Errorf("RAR marker at %d of %d bytes", off, size)
		}
		_, off, ok := ArchiveInOverlay(r, size, 0, size, &s)
		if _, roff, rok := ArchiveInOverlay(r, size, 0, size, nil); ok && (off < 0 || off >= size) || rok != ok || roff != off {
			t.Errorf("archive marker at %d, %v (read: %d, %v) of %d bytes", off, ok, roff, rok, size)
		}
		InnoSetup(r, size)
		InstallShield(r, size)
	})
}
