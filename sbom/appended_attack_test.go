package sbom

import (
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/nsis"
)

// Attack (issue #14, gap 3): two zips concatenated after a PE stub. Tools
// reading the file from its end extract the last (a decoy); the stub,
// knowing where its payload starts, and extractors reading local headers
// from the start, the first. Both are inventoried under the PE's path, as
// verify checks both (container.AppendedZips); with one zip, its files
// alone.
func TestAttackHiddenFirstAppendedZip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	stub := peImage(t, "")
	first := zipBytes(t, sfxPayload(t, "1.0.0.0", "trojan"))
	b := append(append([]byte(nil), stub...), first...)
	b = append(b, zipBytes(t, map[string][]byte{"readme.txt": []byte("decoy")})...)
	inv := openInv(t, writeFile(t, dir, "setup.exe", b))
	wantSFXContents(t, inv, "setup.exe")
	if ps := filePaths(t, inv); !slices.Contains(ps, "setup.exe/readme.txt") {
		t.Errorf("the last archive is not inventoried: %q", ps)
	}

	dir = t.TempDir()
	inv = openInv(t, writeFile(t, dir, "setup.exe", append(append([]byte(nil), stub...), zipBytes(t, map[string][]byte{"readme.txt": []byte("ok")})...)))
	if ps := filePaths(t, inv); !slices.Equal(ps, []string{"setup.exe", "setup.exe/readme.txt"}) {
		t.Errorf("one archive: paths %q", ps)
	}
}

// Attack: a zip after NSIS data that is no PE's (an uninstaller's data, a
// file of its own) is no installer's appended zip: verify checks its
// entries under $NSIS/trailing-data, and they are inventoried there too,
// not left inside one opaque file.
func TestAttackZipAfterBareNSISData(t *testing.T) {
	t.Parallel()
	data := nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\b.dll`, Data: versionedDLL(t, "2.0.0.0", "b")}}, nsis.BuildOptions{Deflate: true})
	b := append(append([]byte(nil), data...), zipBytes(t, sfxPayload(t, "1.0.0.0", "trojan"))...)
	inv := openInv(t, writeFolder(t, map[string][]byte{"dist/uninst.dat": b}))
	at := "dist/uninst.dat/$NSIS/trailing-data"
	ps := filePaths(t, inv)
	if !slices.Contains(ps, at) || binaryAt(inv, at+"/app/ffmpeg.dll") == nil {
		t.Errorf("the zip after the NSIS data is not inventoried under %s: %q", at, ps)
	}
}
