package container

import (
	"bytes"
	"testing"
)

// FuzzBurnManifest reads hostile WiX Burn manifests for the payloads the
// engine downloads (rule burn/download): no panic; no more payloads than
// the text names Payload and Container elements; a container embedded or
// external, as its Attached attribute says.
func FuzzBurnManifest(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0" encoding="utf-8"?><BurnManifest xmlns="http://wixtoolset.org/schemas/v4/2008/Burn"><Container Id="WixAttachedContainer" FileSize="10" Hash="x" FilePath="a.exe" AttachedIndex="1" Attached="yes" Primary="yes"/><Container Id="c2" FilePath="c2.cab" DownloadUrl="https://x/c2.cab"/><Payload Id="a" FilePath="a.msi" Packaging="download" DownloadUrl="https://x/a.msi"/><Payload Id="b" FilePath="b.msi" Packaging="embedded" Container="WixAttachedContainer"/><Payload Id="c" FilePath="c.msi" Packaging="external" DownloadUrl="https://x/c.msi"/></BurnManifest>`))
	f.Add([]byte(`<BurnManifest><Payload FilePath="a.msi" Packaging="download" DownloadUrl="https://x/a.msi"/></BurnManifest>`))
	f.Add([]byte(`<x:Payload x:DownloadUrl="&amp;u" Packaging="DOWNLOAD"><Payload DownloadUrl="u2"/><!-- <Payload/> --><![CDATA[<Payload/>]]>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps := burnManifestPayloads(bytes.NewReader(b))
		// UTF-16 text (a BOM or NULs) spells the element names in other
		// bytes: the count holds for text in an ASCII-compatible encoding.
		utf16 := bytes.IndexByte(b, 0) >= 0 || bytes.HasPrefix(b, []byte{0xff, 0xfe}) || bytes.HasPrefix(b, []byte{0xfe, 0xff})
		if n := bytes.Count(b, []byte("Payload")) + bytes.Count(b, []byte("Container")); !utf16 && len(ps) > n {
			t.Fatalf("%d payloads from a text naming %d elements", len(ps), n)
		}
		for _, p := range ps {
			if p.Packaging == "" && p.DownloadUrl != "" && !utf16 && !bytes.Contains(b, []byte("Payload")) {
				t.Fatalf("payload %+v", p)
			}
		}
		burnPayloadList(ps)
	})
}
