package sbom

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/internal/nsis"
	"github.com/shipgate/shipgate/internal/pefile"
	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/sevenz"
	"github.com/shipgate/shipgate/internal/squirrel"
)

// versionedDLL returns a PE whose version resource says version, its code
// code: two with the same version and other code are a DLL changed
// without a version change.
func versionedDLL(t *testing.T, version, code string) []byte {
	t.Helper()
	b, err := electronfix.BuildPE(electronfix.PESpec{Code: []byte(code), FileVersion: version, ProductVersion: version})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sfxOf returns a self-extractor: a PE stub followed by a zip of files.
func sfxOf(t *testing.T, files map[string][]byte) []byte {
	return append(peImage(t, ""), zipBytes(t, files)...)
}

// sfxPayload is the payload of the self-extractors of these tests: a
// native DLL of version 1.0.0.0 (its code dll) and an npm package.
func sfxPayload(t *testing.T, version, dll string) map[string][]byte {
	return map[string][]byte{
		"app/ffmpeg.dll":                         versionedDLL(t, version, dll),
		"app/node_modules/left-pad/package.json": []byte(`{"name":"left-pad","version":"1.3.0"}`),
		"app/node_modules/left-pad/index.js":     []byte("module.exports = 1\n"),
	}
}

// writeFolder writes files (slash paths) under a new folder and returns it.
func writeFolder(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for n, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// openInv inventories the release at p.
func openInv(t *testing.T, p string) *Inventory {
	t.Helper()
	inv, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// filePaths returns the inventory's file paths, failing the test when one
// is listed twice (nothing is counted twice).
func filePaths(t *testing.T, inv *Inventory) []string {
	t.Helper()
	var ps []string
	for _, f := range inv.Files {
		ps = append(ps, f.Path)
	}
	for _, b := range inv.Binaries {
		if !slices.Contains(ps, b.Path) {
			ps = append(ps, b.Path)
		}
	}
	slices.Sort(ps)
	for i := 1; i < len(ps); i++ {
		if ps[i] == ps[i-1] {
			t.Errorf("%s listed twice", ps[i])
		}
	}
	for _, f := range inv.Findings {
		if f.Rule == release.RuleDuplicateEntry {
			t.Errorf("finding %s at %s: %s", f.Rule, f.Path, f.Message)
		}
	}
	return ps
}

// packageAt returns the inventory's npm package in folder p, or nil.
func packageAt(inv *Inventory, p string) *Package {
	for i := range inv.Packages {
		if inv.Packages[i].Path == p {
			return &inv.Packages[i]
		}
	}
	return nil
}

// wantSFXContents checks that the self-extractor at report path at was
// opened: its DLL (with its version) and its npm package are inventoried
// under it, once.
func wantSFXContents(t *testing.T, inv *Inventory, at string) {
	t.Helper()
	ps := filePaths(t, inv)
	if b := binaryAt(inv, at+"/app/ffmpeg.dll"); b == nil || b.FileVersion != "1.0.0.0" {
		t.Errorf("binary %s/app/ffmpeg.dll = %+v; paths %q", at, b, ps)
	}
	if p := packageAt(inv, at+"/app/node_modules/left-pad"); p == nil || p.Name != "left-pad" || p.Version != "1.3.0" {
		t.Errorf("package %s/app/node_modules/left-pad = %+v", at, p)
	}
	if binaryAt(inv, at) == nil {
		t.Errorf("the self-extractor %s itself is not inventoried", at)
	}
}

// notZip is a PE followed by an end record signature whose central
// directory is nowhere: no self-extractor.
func notZip(t *testing.T) []byte {
	return append(peImage(t, "overlay"), "PK\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00\x50\x00\x00\x00\x10\x00\x00\x00\x00\x00"...)
}

// A self-extractor that is one file of a folder release is opened as
// verify opens it: its DLL and npm package are inventoried under its path;
// a PE followed by bytes that are no zip stays one file.
func TestSBOMSelfExtractorInFolder(t *testing.T) {
	t.Parallel()
	inv := openInv(t, writeFolder(t, map[string][]byte{"tools/setup.exe": sfxOf(t, sfxPayload(t, "1.0.0.0", "a")), "readme.txt": []byte("hi")}))
	wantSFXContents(t, inv, "tools/setup.exe")

	inv = openInv(t, writeFolder(t, map[string][]byte{"tools/setup.exe": notZip(t), "readme.txt": []byte("hi")}))
	if ps := filePaths(t, inv); !slices.Equal(ps, []string{"readme.txt", "tools/setup.exe"}) {
		t.Errorf("paths %q: want readme.txt and tools/setup.exe", ps)
	}
}

// A self-extractor inside a zip release, an NSIS installer or a 7-Zip
// archive is opened too, under its path in the container.
func TestSBOMSelfExtractorInContainers(t *testing.T) {
	t.Parallel()
	sfx := sfxOf(t, sfxPayload(t, "1.0.0.0", "a"))
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct{ name, release, at string }{
		{"zip", write("release.zip", zipBytes(t, map[string][]byte{"bin/setup.exe": sfx, "readme.txt": []byte("hi")})), "bin/setup.exe"},
		{"nsis", write("Setup.exe", nsis.Stub(peImage(t, ""), nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\tools\setup.exe`, Data: sfx}}, nsis.BuildOptions{Deflate: true}))), "Setup.exe/$INSTDIR/tools/setup.exe"},
		{"7z", write("app.7z", sevenz.Build([]sevenz.BuildFile{{Name: "tools/setup.exe", Data: sfx}})), "app.7z/tools/setup.exe"},
		{"nsis in folder", writeFolder(t, map[string][]byte{"dist/Setup.exe": nsis.Stub(peImage(t, ""), nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\setup.exe`, Data: sfx}}, nsis.BuildOptions{Deflate: true, Solid: true}))}), "dist/Setup.exe/$INSTDIR/setup.exe"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantSFXContents(t, openInv(t, c.release), c.at) })
	}
}

// nsisWithZip returns an NSIS installer that installs b.dll, with a zip
// of files appended to it.
func nsisWithZip(t *testing.T, files map[string][]byte) []byte {
	setup := nsis.Stub(peImage(t, ""), nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\b.dll`, Data: versionedDLL(t, "2.0.0.0", "b")}}, nsis.BuildOptions{Deflate: true}))
	return append(setup, zipBytes(t, files)...)
}

// An NSIS installer with a zip appended: the installer's files and the
// zip's are both inventoried, the zip's once, under the installer's path
// as verify checks them; its bytes stay the one file $NSIS/trailing-data
// (no second copy of its entries under it). Without the zip, only the
// installer's files.
func TestSBOMNSISWithAppendedZip(t *testing.T) {
	t.Parallel()
	for _, where := range []string{"release", "folder"} {
		t.Run(where, func(t *testing.T) {
			b := nsisWithZip(t, sfxPayload(t, "1.0.0.0", "a"))
			p, at := filepath.Join(t.TempDir(), "Setup.exe"), "Setup.exe"
			if where == "folder" {
				p, at = writeFolder(t, map[string][]byte{"dist/Setup.exe": b}), "dist/Setup.exe"
			} else if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
			inv := openInv(t, p)
			wantSFXContents(t, inv, at)
			ps := filePaths(t, inv)
			if binaryAt(inv, at+"/$INSTDIR/b.dll") == nil {
				t.Errorf("the installer's own DLL is missing: %q", ps)
			}
			if !slices.Contains(ps, at+"/$NSIS/trailing-data") {
				t.Errorf("the trailing data is not a file: %q", ps)
			}
			for _, q := range ps {
				if strings.HasPrefix(q, at+"/$NSIS/trailing-data/") {
					t.Errorf("the appended zip is inventoried twice: %s", q)
				}
			}
		})
	}
	p := filepath.Join(t.TempDir(), "Setup.exe")
	setup := nsis.Stub(peImage(t, ""), nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\b.dll`, Data: versionedDLL(t, "2.0.0.0", "b")}}, nsis.BuildOptions{Deflate: true}))
	if err := os.WriteFile(p, setup, 0o644); err != nil {
		t.Fatal(err)
	}
	if ps := filePaths(t, openInv(t, p)); !slices.Equal(ps, []string{"Setup.exe", "Setup.exe/$INSTDIR/b.dll"}) {
		t.Errorf("paths %q", ps)
	}
}

// An NSIS installer whose last block, stored, is a self-extractor: the
// zip ending the installer's data is in the file's last bytes, where an
// appended zip is looked for, but it is the installed self-extractor's,
// listed under its path and not again under the installer's (a zip
// appended after the data still is: see TestSBOMNSISWithAppendedZip).
func TestSBOMNSISStoredSelfExtractorListedOnce(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "Setup.exe")
	files := []nsis.BuildFile{{Name: `$INSTDIR\b.dll`, Data: versionedDLL(t, "2.0.0.0", "b")}, {Name: `$INSTDIR\tools\setup.exe`, Data: sfxOf(t, sfxPayload(t, "1.0.0.0", "a"))}}
	if err := os.WriteFile(p, nsis.Stub(peImage(t, ""), nsis.Build(files, nsis.BuildOptions{})), 0o644); err != nil {
		t.Fatal(err)
	}
	inv := openInv(t, p)
	wantSFXContents(t, inv, "Setup.exe/$INSTDIR/tools/setup.exe")
	for _, q := range filePaths(t, inv) {
		if strings.HasPrefix(q, "Setup.exe/app/") {
			t.Errorf("the installed self-extractor's zip is listed again as the installer's: %s", q)
		}
	}
}

// squirrelSetupWith returns a Squirrel Setup.exe whose package holds
// lib/net45/app.dll, with appended (when not nil) after it.
func squirrelSetupWith(t *testing.T, appended []byte) []byte {
	pkg := zipBytes(t, map[string][]byte{"lib/net45/app.dll": versionedDLL(t, "3.0.0.0", "c")})
	img, err := pefixtures.SquirrelSetup([]squirrel.BuildResource{{Type: "DATA", ID: squirrel.PackageID, Data: pkg}})
	if err != nil {
		t.Fatal(err)
	}
	return append(img, appended...)
}

// A Squirrel Setup.exe with a zip appended: its package's files and the
// zip's are both inventoried. Without one, the package, whose end record
// lies in the file's last bytes where an appended zip's is looked for, is
// listed once (verify's rule: a record inside a resource zip is that
// zip's).
func TestSBOMSquirrelWithAppendedZip(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "Setup.exe")
	if err := os.WriteFile(p, squirrelSetupWith(t, zipBytes(t, sfxPayload(t, "1.0.0.0", "a"))), 0o644); err != nil {
		t.Fatal(err)
	}
	inv := openInv(t, p)
	wantSFXContents(t, inv, "Setup.exe")
	if binaryAt(inv, "Setup.exe/lib/net45/app.dll") == nil {
		t.Errorf("the package's DLL is missing: %q", filePaths(t, inv))
	}

	if err := os.WriteFile(p, squirrelSetupWith(t, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	if ps := filePaths(t, openInv(t, p)); !slices.Equal(ps, []string{"Setup.exe", "Setup.exe/lib/net45/app.dll"}) {
		t.Errorf("paths %q", ps)
	}
}

// sameVersionPaths returns the paths of the diff's findings of rule
// changed-same-version.
func sameVersionPaths(d *DiffResult) []string {
	var ps []string
	for _, f := range d.Findings {
		if f.Rule == RuleChangedSameVersion {
			ps = append(ps, f.Path)
		}
	}
	return ps
}

// A DLL changed inside a self-extractor of a folder release, or inside
// the zip appended to an NSIS installer, its version unchanged, is
// reported as diff/changed-same-version; changed with its version, it is
// not.
func TestDiffSelfExtractorChangedSameVersion(t *testing.T) {
	t.Parallel()
	folder := func(version, code string) *Inventory {
		return openInv(t, writeFolder(t, map[string][]byte{"tools/setup.exe": sfxOf(t, sfxPayload(t, version, code))}))
	}
	installer := func(name, version, code string) *Inventory {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, nsisWithZip(t, sfxPayload(t, version, code)), 0o644); err != nil {
			t.Fatal(err)
		}
		return openInv(t, p)
	}
	cases := []struct {
		name     string
		old, new *Inventory
		want     []string
	}{
		{"folder", folder("1.0.0.0", "clean"), folder("1.0.0.0", "clean with a payload"), []string{"tools/setup.exe/app/ffmpeg.dll"}},
		{"folder, version bumped", folder("1.0.0.0", "clean"), folder("1.0.0.1", "fixed"), nil},
		{"folder, unchanged", folder("1.0.0.0", "clean"), folder("1.0.0.0", "clean"), nil},
		{"nsis appended zip", installer("Setup-1.0.exe", "1.0.0.0", "clean"), installer("Setup-1.1.exe", "1.0.0.0", "clean with a payload"), []string{"Setup-1.1.exe/app/ffmpeg.dll"}},
		{"nsis appended zip, version bumped", installer("Setup-1.0.exe", "1.0.0.0", "clean"), installer("Setup-1.1.exe", "1.0.0.1", "fixed"), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The self-extractor's own bytes changed too (and so the
			// application's): those findings are not this test's.
			var got []string
			for _, p := range sameVersionPaths(Diff(c.old, c.new)) {
				if strings.HasSuffix(p, "/app/ffmpeg.dll") {
					got = append(got, p)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("%s findings at %q, want %q", RuleChangedSameVersion, got, c.want)
			}
		})
	}
}

// withCertTable returns img (a PE) followed by between, then a
// certificate table (DataDirectory[4] set to it) of a WIN_CERTIFICATE
// header and blob: where a signed PE's signature is.
func withCertTable(t *testing.T, img, between, blob []byte) []byte {
	t.Helper()
	in, err := pefile.Parse(img)
	if err != nil || in.SecDirOff < 0 {
		t.Fatalf("PE: %v", err)
	}
	b := append(append([]byte(nil), img...), between...)
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	off := len(b)
	cert := binary.LittleEndian.AppendUint32(nil, uint32(8+len(blob)))
	cert = append(cert, 0x00, 0x02, 0x02, 0x00) // revision 2, PKCS#7
	cert = append(cert, blob...)
	for len(cert)%8 != 0 {
		cert = append(cert, 0)
	}
	b = append(b, cert...)
	binary.LittleEndian.PutUint32(b[in.SecDirOff:], uint32(off))
	binary.LittleEndian.PutUint32(b[in.SecDirOff+4:], uint32(len(cert)))
	return b
}

// Attack: a zip end record planted in a PE's signature (its certificate
// table), describing no central directory, is no archive: the PE stays one
// file. A whole zip planted there (a decoy, what an extractor reading the
// file's end finds) does not hide the signed self-extractor's archive
// before the table: both are inventoried.
func TestAttackZipEndInSignature(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(b []byte) string { return writeFile(t, dir, "setup.exe", b) }
	record := []byte("PK\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00\x2e\x00\x00\x00\x00\x00\x00\x00\x00\x00")
	blob := append([]byte("\x30\x82\x00\x10 not really a signature"), record...)
	inv := openInv(t, write(withCertTable(t, peImage(t, ""), nil, blob)))
	if ps := filePaths(t, inv); !slices.Equal(ps, []string{"setup.exe"}) {
		t.Errorf("planted end record: paths %q, want setup.exe alone", ps)
	}

	stub := peImage(t, "")
	signed := zipBytes(t, sfxPayload(t, "1.0.0.0", "trojan"))
	decoy := zipBytes(t, map[string][]byte{"readme.txt": []byte("nothing to see")})
	inv = openInv(t, write(withCertTable(t, stub, signed, append([]byte("\x30\x82\x00\x10"), decoy...))))
	wantSFXContents(t, inv, "setup.exe")
	if ps := filePaths(t, inv); !slices.Contains(ps, "setup.exe/readme.txt") {
		t.Errorf("the archive in the signature is not inventoried: %q", ps)
	}
}

// Attack: an appended zip whose central directory lies outside the
// appended region. Past the record (in the certificate table that
// follows), it is no archive an extractor opens: the PE stays one file.
// Before the zip, inside the PE's image (the directory and the entry
// hidden in the stub), its entries are what an extractor extracts: they
// are inventoried, under the PE's path, and nothing escapes it.
func TestAttackAppendedZipDirectoryOutside(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(b []byte) string { return writeFile(t, dir, "setup.exe", b) }
	z := zipBytes(t, map[string][]byte{"app/ok.dll": versionedDLL(t, "1.0.0.0", "ok")})
	eocd := len(z) - 22
	dirSize := int(binary.LittleEndian.Uint32(z[eocd+12:]))
	cd := append([]byte(nil), z[eocd-dirSize:eocd]...)

	// The record points past itself, where the certificate table is.
	stub := peImage(t, "")
	past := append([]byte(nil), z[:eocd-dirSize]...)
	rec := append([]byte(nil), z[eocd:]...)
	body := append(past, rec...)
	b := withCertTable(t, stub, body, cd)
	binary.LittleEndian.PutUint32(b[len(stub)+len(past)+16:], uint32(len(b)-len(cd)-8-len(stub)))
	inv := openInv(t, write(b))
	if ps := filePaths(t, inv); !slices.Equal(ps, []string{"setup.exe"}) {
		t.Errorf("directory past the record: paths %q, want setup.exe alone", ps)
	}

	// The entries and the directory inside a section of the PE's image,
	// only the record appended: it describes the directory in the image,
	// and extractors take the entries from there.
	files := map[string][]byte{"../../evil.dll": versionedDLL(t, "1.0.0.0", "evil"), "app/ok.dll": versionedDLL(t, "1.0.0.0", "ok")}
	hidden := zipBytesAt(t, 0, files)
	img, err := pefile.Build(pefile.Spec{Sections: []pefile.Section{{Name: ".text", Data: []byte{0xc3}, Characteristics: pefile.SectionCode}, {Name: ".rdata", Data: hidden}}})
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(img, hidden)
	hidden = zipBytesAt(t, int64(at), files)
	copy(img[at:], hidden)
	b = append(img, hidden[len(hidden)-22:]...)
	if end := container.PESectionsEnd(bytes.NewReader(img), int64(len(img))); end <= int64(at+len(hidden)-22) {
		t.Fatalf("the directory is not inside the image (sections end at %d)", end)
	}
	inv = openInv(t, write(b))
	ps := filePaths(t, inv)
	if binaryAt(inv, "setup.exe/app/ok.dll") == nil {
		t.Errorf("directory before the appended record: paths %q, want setup.exe/app/ok.dll", ps)
	}
	for _, q := range ps {
		if q != "setup.exe" && !strings.HasPrefix(q, "setup.exe/") || strings.Contains(q, "..") {
			t.Errorf("path %q escapes the self-extractor", q)
		}
	}
	found := false
	for _, f := range inv.Findings {
		found = found || f.Rule == release.RuleInsecurePath && f.Path == "setup.exe"
	}
	if !found {
		t.Errorf("findings %+v: no %s for ../../evil.dll", inv.Findings, release.RuleInsecurePath)
	}
}

// zipBytesAt returns a zip archive of files, in name order, whose offsets
// count off bytes before it (an archive placed at offset off of a file).
func zipBytesAt(t *testing.T, off int64, files map[string][]byte) []byte {
	t.Helper()
	b, err := pefixtures.Zip(off, files)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
