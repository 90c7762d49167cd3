package sbom

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/squirrel"
)

// TestAttackSBOMZipDuplicateKeepsLast: version 2 keeps lib/foo.dll of
// version 1 and adds a second lib/foo.dll, before or after it. Extractors
// disagree on which they leave installed (unzip -o, 7z -y and bsdtar the
// last; unzip without a terminal, 7z -aos and Explorer's "skip" the
// first). sbom listed the first, then the last, so the diff saw no DLL
// change when the other copy was the new one; it now lists every copy,
// as verify checks every one, with file/duplicate-entry, and the diff
// shows the DLL changed in either order. unzip, when installed, confirms
// that -o keeps the last.
func TestAttackSBOMZipDuplicateKeepsLast(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dll, evil := peImage(t, "checked"), peImage(t, "installed")
	old := openInv(t, namedZip(t, dir, "v1.zip", zipEntry{"README", []byte("hi"), nil}, zipEntry{"lib/foo.dll", dll, nil}))
	for _, order := range [][2][]byte{{dll, evil}, {evil, dll}} {
		v2 := namedZip(t, dir, "v2.zip", zipEntry{"README", []byte("hi"), nil}, zipEntry{"lib/foo.dll", order[0], nil}, zipEntry{"lib/foo.dll", order[1], nil})
		nw := openInv(t, v2)
		if got := pathsOf(nw); got != "lib/foo.dll,lib/foo.dll" {
			t.Errorf("binaries %q, want lib/foo.dll twice", got)
		}
		var sums []string
		for _, b := range nw.Binaries {
			sums = append(sums, b.SHA256)
		}
		if want := []string{sum(dll), sum(evil)}; !slices.Contains(sums, want[0]) || !slices.Contains(sums, want[1]) || !slices.IsSorted(sums) {
			t.Errorf("lib/foo.dll listed with digests %q, want both copies' in digest order", sums)
		}
		if got, want := findingsOf(nw), string(release.RuleDuplicateEntry)+" lib/foo.dll"; got != want {
			t.Errorf("findings %q, want %q", got, want)
		}
		d := Diff(old, nw)
		if len(d.Binaries) != 1 || d.Binaries[0].Path != "lib/foo.dll" || d.Binaries[0].Change != "changed" || d.Binaries[0].New.SHA256 != sum(evil) {
			t.Errorf("diff binaries %+v, want lib/foo.dll changed to the new copy", d.Binaries)
		}
		if unzip, err := exec.LookPath("unzip"); err == nil {
			out := t.TempDir()
			exec.Command(unzip, "-o", "-q", v2, "-d", out).Run()
			if got, err := os.ReadFile(filepath.Join(out, "lib", "foo.dll")); err != nil || !bytes.Equal(got, order[1]) {
				t.Errorf("unzip -o installs other bytes than the last entry's (%v)", err)
			}
		} else {
			t.Log("unzip is not installed; the extractor cross-check was skipped")
		}
	}
}

// withLocalUnicodePath returns z, whose entry name carries a Unicode Path
// extra field in both headers, with the central directory's field's tag
// changed to an unknown one: only the local header names the entry
// otherwise, as streaming extractors read it.
func withLocalUnicodePath(t *testing.T, z []byte) []byte {
	t.Helper()
	tag := binary.LittleEndian.AppendUint16(nil, release.ZipUnicodePathID)
	i := bytes.LastIndex(z, tag)
	if i < 0 || bytes.Index(z, tag) == i {
		t.Fatal("no Unicode Path field in both headers")
	}
	z = bytes.Clone(z)
	z[i]++
	return z
}

// TestAttackSBOMZipLocalUnicodePath: win/readme.txt's local header alone
// carries a Unicode Path field naming it win/readme.dll, the name a
// streaming extractor installs it under. verify reports it
// (release.ZipLocalHeaders); sbom reported nothing. It now reports the same
// file/malformed at the entry, listed under its central name, and a plain
// archive has no such finding.
func TestAttackSBOMZipLocalUnicodePath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	z := rawZip(t, zipEntry{"README", []byte("hi"), nil}, zipEntry{"win/readme.txt", peImage(t, "v2"), unicodePath("win/readme.txt", "win/readme.dll")})
	p := filepath.Join(dir, "v2.zip")
	if err := os.WriteFile(p, withLocalUnicodePath(t, z), 0o644); err != nil {
		t.Fatal(err)
	}
	inv := openInv(t, p)
	if got, want := findingsOf(inv), string(release.RuleMalformed)+" win/readme.txt"; got != want {
		t.Errorf("findings %q, want %q", got, want)
	}
	if len(inv.Findings) == 1 && !strings.Contains(inv.Findings[0].Message, "local header") {
		t.Errorf("message %q does not say the local header names it otherwise", inv.Findings[0].Message)
	}
	if got := pathsOf(inv); got != "win/readme.txt" {
		t.Errorf("binaries %q", got)
	}
	// A local header whose name differs from the central record's.
	z = rawZip(t, zipEntry{"README", []byte("hi"), nil}, zipEntry{"win/readme.txt", peImage(t, "v2"), nil})
	k := bytes.Index(z, []byte("win/readme.txt"))
	copy(z[k:], "win/readme.dll")
	if err := os.WriteFile(p, z, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, want := findingsOf(openInv(t, p)), string(release.RuleMalformed)+" win/readme.txt"; got != want {
		t.Errorf("local name: findings %q, want %q", got, want)
	}
	plain := openInv(t, namedZip(t, dir, "ok.zip", zipEntry{"README", []byte("text holding PK\x03\x04 like a header"), nil}, zipEntry{"win/readme.txt", peImage(t, "v2"), nil}))
	if got := findingsOf(plain); got != "" {
		t.Errorf("plain archive: findings %q", got)
	}
}

// TestAttackSBOMSquirrelZipNames: the .nupkg in a Squirrel Setup.exe is
// read with the release archive's rules: both lib/net45/app.dll are
// listed (file/duplicate-entry), app.dll\x00.txt is listed as the
// lib/net45/app2.dll extractors write (file/insecure-path), a Unicode
// Path name is the name listed, and a local-header name is reported. The
// .nupkg listed the first duplicate and the names as Go reads them.
func TestAttackSBOMSquirrelZipNames(t *testing.T) {
	t.Parallel()
	first, last, nul, up := peImage(t, "first"), peImage(t, "last"), peImage(t, "nul"), peImage(t, "up")
	nupkg := rawZip(t,
		zipEntry{"lib/net45/app.dll", first, nil},
		zipEntry{"lib/net45/app.dll", last, nil},
		zipEntry{"lib/net45/app2.dll\x00.txt", nul, nil},
		zipEntry{"lib/net45/readme.txt", up, unicodePath("lib/net45/readme.txt", "lib/net45/codec.dll")},
	)
	pkg := rawZip(t, zipEntry{"Update.exe", peImage(t, "update"), nil}, zipEntry{"App-1.0.0-full.nupkg", withLocalUnicodePath(t, rawZip(t, zipEntry{"x.txt", []byte("x"), unicodePath("x.txt", "x.dll")})), nil}, zipEntry{"Chatterbox-1.4.0-full.nupkg", nupkg, nil})
	img, err := pefixtures.SquirrelSetup([]squirrel.BuildResource{{Type: "DATA", ID: squirrel.PackageID, Data: pkg}})
	if err != nil {
		t.Fatal(err)
	}
	inv := openRelease(t, writeFile(t, t.TempDir(), "Setup.exe", img))
	at := "Setup.exe/Chatterbox-1.4.0-full.nupkg/lib/net45/"
	for name, data := range map[string][]byte{"app2.dll": nul, "codec.dll": up} {
		if b := binaryAt(inv, at+name); b == nil || b.SHA256 != sum(data) {
			t.Errorf("%s: %+v", name, b)
		}
	}
	var copies []string
	for _, b := range inv.Binaries {
		if b.Path == at+"app.dll" {
			copies = append(copies, b.SHA256)
		}
	}
	if len(copies) != 2 || !slices.Contains(copies, sum(first)) || !slices.Contains(copies, sum(last)) {
		t.Errorf("app.dll: digests %q, want both copies'", copies)
	}
	got := map[string]bool{}
	for _, f := range inv.Findings {
		got[string(f.Rule)+" "+f.Path] = true
	}
	for _, want := range []string{
		string(release.RuleDuplicateEntry) + " " + at + "app.dll",
		string(release.RuleInsecurePath) + " Setup.exe/Chatterbox-1.4.0-full.nupkg",
		string(release.RuleMalformed) + " " + at + "codec.dll",
		string(release.RuleMalformed) + " Setup.exe/App-1.0.0-full.nupkg/x.txt",
	} {
		if !got[want] {
			t.Errorf("no finding %s; findings %v", want, got)
		}
	}
}

// TestSBOMZipUnicodePathReportedOnce: a Unicode Path field in the central
// record alone was reported twice, once as the central record's second
// name and once as a local header naming the entry otherwise (by its
// header name, the one Go reads). It is one finding, as when both
// headers carry it.
func TestSBOMZipUnicodePathReportedOnce(t *testing.T) {
	t.Parallel()
	z := rawZip(t, zipEntry{"README", []byte("hi"), nil}, zipEntry{"win/readme.txt", peImage(t, "v2"), unicodePath("win/readme.txt", "win/readme.dll")})
	tag := binary.LittleEndian.AppendUint16(nil, release.ZipUnicodePathID)
	central := bytes.Clone(z)
	central[bytes.Index(central, tag)]++
	for name, z := range map[string][]byte{"both": z, "central": central} {
		p := filepath.Join(t.TempDir(), "v2.zip")
		if err := os.WriteFile(p, z, 0o644); err != nil {
			t.Fatal(err)
		}
		if got, want := findingsOf(openInv(t, p)), string(release.RuleMalformed)+" win/readme.dll"; got != want {
			t.Errorf("Unicode Path in %s: findings %q, want %q", name, got, want)
		}
	}
}
