package container

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/pefile"
)

// burnStub returns a PE whose ".wixburn" section holds sec, its raw
// size rawSize when not 0.
func burnStub(t testing.TB, sec []byte, rawSize int) []byte {
	t.Helper()
	img, err := pefile.Build(pefile.Spec{Sections: []pefile.Section{{Name: ".text", Data: []byte{0xc3}, Characteristics: 0x60000020}, {Name: ".wixburn", Data: sec}}})
	if err != nil {
		t.Fatal(err)
	}
	if rawSize != 0 {
		at := bytes.Index(img, []byte(".wixburn"))
		binary.LittleEndian.PutUint32(img[at+16:], uint32(rawSize))
	}
	return img
}

// TestAttackBurnSectionWithoutSizes: a ".wixburn" section of 48 to 51
// raw bytes, a header naming containers but no room for their sizes,
// made the walker index an empty list of sizes and panic: one crafted
// file stopped verify and sbom for the whole release.
func TestAttackBurnSectionWithoutSizes(t *testing.T) {
	t.Parallel()
	sec := make([]byte, 48)
	le := binary.LittleEndian
	le.PutUint32(sec, burnMagic)
	le.PutUint32(sec[40:], 1)
	le.PutUint32(sec[44:], 2)
	for _, raw := range []int{48, 51} {
		img := burnStub(t, sec, raw)
		r, size := bytes.NewReader(img), int64(len(img))
		if spans := AttachedCabinets(r, size); len(spans) != 0 {
			t.Errorf("raw size %d: spans %v", raw, spans)
		}
		if _, ok := burnUX(r, size); ok {
			t.Errorf("raw size %d: a bootstrapper container", raw)
		}
		Detect(r, ".exe", img[:HeadLen], size)
		walkAll(t, Attached, img, "bundle.exe", nil, 0)
	}
}

// burnBundle returns a WiX Burn bundle: a stub whose ".wixburn" section
// places the bootstrapper application's container ux and an attached
// container after it.
func burnBundle(t testing.TB, ux, attached []byte) []byte {
	t.Helper()
	sec := make([]byte, 56)
	le := binary.LittleEndian
	le.PutUint32(sec, burnMagic)
	le.PutUint32(sec[4:], 2)
	le.PutUint32(sec[40:], 1)
	le.PutUint32(sec[44:], 2)
	le.PutUint32(sec[48:], uint32(len(ux)))
	le.PutUint32(sec[52:], uint32(len(attached)))
	stub := burnStub(t, sec, 0)
	at := bytes.Index(stub, sec[:4])
	le.PutUint32(stub[at+24:], uint32(len(stub)))
	return append(append(stub, ux...), attached...)
}

// TestAttackBurnWebBundle: a WiX Burn web bundle (its packages' payloads
// carry a DownloadUrl and are not compressed into it) downloads the MSI
// it installs when it runs; shipgate walked the bundle's containers, saw
// nothing wrong and passed it, though the app the bundle installs was
// never in it. The manifest is the first file of the bootstrapper
// application's container, whatever its name.
func TestAttackBurnWebBundle(t *testing.T) {
	t.Parallel()
	manifest := `<?xml version="1.0" encoding="utf-8"?>
<BurnManifest xmlns="http://wixtoolset.org/schemas/v4/2008/Burn">
  <UX><Payload Id="ba" FilePath="ba.dll" Packaging="embedded" SourcePath="u0" /></UX>
  <Payload Id="app.msi" FilePath="app.msi" FileSize="1000" Packaging="download" DownloadUrl="https://example.com/app.msi" />
  <Payload Id="vc.exe" FilePath="redist\vc.exe" Packaging="external" DownloadUrl="https://example.com/vc.exe" />
  <Payload Id="local.msi" FilePath="local.msi" Packaging="embedded" SourcePath="a0" Container="WixAttachedContainer" />
  <Container Id="WixAttachedContainer" FilePath="bundle.exe" AttachedIndex="1" Attached="yes" Primary="yes" DownloadUrl="https://example.com/never" />
  <Container Id="extra" FilePath="extra.cab" DownloadUrl="https://example.com/extra.cab" />
</BurnManifest>`
	ux := cab.Build([]cab.BuildFile{{Name: "0", Data: []byte(manifest)}, {Name: "u0", Data: []byte("MZ ba")}}, cab.BuildOptions{Method: cab.MethodMSZIP})
	attached := cab.Build([]cab.BuildFile{{Name: "a0", Data: []byte("local msi")}}, cab.BuildOptions{Method: cab.MethodMSZIP})
	img := burnBundle(t, ux, attached)
	if k := Detect(bytes.NewReader(img), ".exe", img[:HeadLen], int64(len(img))); k != Attached {
		t.Fatalf("kind %v", k)
	}
	w := walkAll(t, Attached, img, "bundle.exe", nil, 0)
	at := fmt.Sprintf("bundle.exe/$ATTACHED/%d/0", len(img)-len(ux)-len(attached))
	want := []string{string(RuleBurnDownload) + " " + at, string(RuleBurnDownload) + " " + at}
	if !slices.Equal(w.finds, want) {
		t.Errorf("findings %q, want %q", w.finds, want)
	}
	// A bundle whose payloads are all embedded downloads nothing.
	plain := strings.NewReplacer(`Packaging="download"`, `Packaging="embedded"`, `Packaging="external" DownloadUrl="https://example.com/vc.exe"`, `Packaging="external"`, ` DownloadUrl="https://example.com/extra.cab"`, "").Replace(manifest)
	ux = cab.Build([]cab.BuildFile{{Name: "0", Data: []byte(plain)}, {Name: "u0", Data: []byte("MZ ba")}}, cab.BuildOptions{Method: cab.MethodMSZIP})
	if w := walkAll(t, Attached, burnBundle(t, ux, attached), "bundle.exe", nil, 0); len(w.finds) != 0 {
		t.Errorf("embedded payloads: findings %q", w.finds)
	}
}
