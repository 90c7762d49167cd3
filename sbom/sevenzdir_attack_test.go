package sbom

import (
	"testing"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/sevenz"
)

// TestAttackSBOMSevenZipFolderAttributeOnFile: verify's
// TestAttackSevenZipFolderAttributeOnFile for the SBOM: ffmpeg.dll, with
// data and a folder's attributes, which 7-Zip writes as a file, was left
// out of the inventory as a folder. It is now listed as the binary it is,
// with file/malformed.
func TestAttackSBOMSevenZipFolderAttributeOnFile(t *testing.T) {
	dll := peImage(t, "in a folder's clothes")
	for _, attrib := range []uint32{0x10, 0x41ed8000} {
		arc := sevenz.Build([]sevenz.BuildFile{{Name: "readme.txt", Data: []byte("hi")}, {Name: "ffmpeg.dll", Data: dll, Attrib: attrib}})
		inv := openInv(t, writeFile(t, t.TempDir(), "app-64.7z", arc))
		const p = "app-64.7z/ffmpeg.dll"
		if b := binaryAt(inv, p); b == nil || b.SHA256 != sum(dll) {
			t.Errorf("attributes 0x%x: %s not listed; binaries %q", attrib, p, pathsOf(inv))
		}
		if got, want := findingsOf(inv), string(release.RuleMalformed)+" "+p; got != want {
			t.Errorf("attributes 0x%x: findings %q, want %q", attrib, got, want)
		}
	}
}
