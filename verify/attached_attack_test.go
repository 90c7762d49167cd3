package verify

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/pefile"
	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/sevenz"
	"github.com/shipgate/shipgate/internal/squirrel"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// sfx7z builds a signed 7-Zip self-extractor: a PE stub, the SFX
// module's configuration and a 7-Zip archive of files, then the
// certificate table.
func sfx7z(t *testing.T, files []sevenz.BuildFile) []byte {
	t.Helper()
	f := getFixtures(t)
	img := append([]byte(nil), f.peUnsigned...)
	img = append(img, ";!@Install@!UTF-8!\r\nRunProgram=\"app.exe\"\r\n;!@InstallEnd@!"...)
	img = append(img, sevenz.Build(files)...)
	signed, err := pefile.SignAttach(img, pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot}})
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// TestAttackSevenZipSFXPayload: a 7-Zip self-extractor (7zS.sfx, its
// configuration, a 7-Zip archive, all under one signature) extracts and
// runs the files of its archive, which 7-Zip lists (7z l -t7z). Only the
// PE was checked: its valid signature covers the archive's bytes, so a
// tampered or unsigned app.exe inside passed require: valid. Its files are
// now checked under the PE's path, as Squirrel's package is.
func TestAttackSevenZipSFXPayload(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	setup := sfx7z(t, []sevenz.BuildFile{{Name: "app.exe", Data: f.peTampered}, {Name: "lib/helper.dll", Data: f.peValid}})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.exe": setup})
	if tool, err := exec.LookPath("7z"); err == nil {
		out, err := exec.Command(tool, "l", "-t7z", filepath.Join(dir, "setup.exe")).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "app.exe") {
			t.Fatalf("7z does not list the self-extractor's app.exe: %v\n%s", err, out)
		}
	} else {
		t.Log("7-Zip is not installed; the cross-check was skipped")
	}
	r := mustFail(t, Options{Policy: requireValid()}, "setup.exe/app.exe", authenticode.RuleDigestMismatch, dir)
	if fi := fileByPath(r, "setup.exe"); fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
		t.Errorf("setup.exe: %+v", fi)
	}
	if fi := fileByPath(r, "setup.exe/lib/helper.dll"); fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
		t.Errorf("setup.exe/lib/helper.dll: %+v", fi)
	}
}

// TestSevenZipSFXSigned: a self-extractor whose files are all signed
// passes; a PE whose overlay holds the 7-Zip signature without a start
// header whose CRC matches is no self-extractor.
func TestSevenZipSFXSigned(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	fake := append(append([]byte(nil), f.peUnsigned...), sevenz.Signature+strings.Repeat("\x00", 26)...)
	fakeSigned, err := pefile.SignAttach(fake, pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot}})
	if err != nil {
		t.Fatal(err)
	}
	writeTree(t, dir, map[string][]byte{
		"setup.exe": sfx7z(t, []sevenz.BuildFile{{Name: "app.exe", Data: f.peValid}}),
		"other.exe": fakeSigned,
	})
	r := run(t, Options{Policy: requireValid()}, dir)
	if fi := fileByPath(r, "setup.exe/app.exe"); fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
		t.Errorf("setup.exe/app.exe: %+v", fi)
	}
	for _, fi := range r.Files {
		got := rulesFor(r, fi.Path)
		if fi.Path == "setup.exe" && len(got) == 1 && got[0] == "note "+string(RuleSFXCommand) {
			continue // RunProgram="app.exe"
		}
		if len(got) > 0 {
			t.Errorf("%s: %q", fi.Path, got)
		}
		if strings.HasPrefix(fi.Path, "other.exe/") {
			t.Errorf("%s: other.exe is no self-extractor", fi.Path)
		}
	}
}

// TestAttackBurnAttachedCabinets: a WiX Burn bundle carries its
// containers after its sections, under its signature: the bootstrapper
// application's cabinet (u0, …), then the payloads' (a0, …: MSI packages,
// executables), which the engine extracts and runs. Only the PE was
// checked, so a tampered payload passed require: valid. Each attached
// cabinet's files are now checked under <PE>/$ATTACHED/<offset>/.
func TestAttackBurnAttachedCabinets(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	ux := cab.Build([]cab.BuildFile{{Name: "u0", Data: f.peValid}}, cab.BuildOptions{Method: cab.MethodMSZIP})
	payloads := cab.Build([]cab.BuildFile{{Name: "a0", Data: f.peTampered}}, cab.BuildOptions{Method: cab.MethodMSZIP})
	img := append(append(append([]byte(nil), f.peUnsigned...), ux...), payloads...)
	bundle, err := pefile.SignAttach(img, pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"bundle.exe": bundle})
	if tool, err := exec.LookPath("cabextract"); err == nil {
		// The second cabinet, cut from the bundle, is one cabextract reads.
		p := filepath.Join(t.TempDir(), "a.cab")
		writeFile(t, p, payloads)
		if out, err := exec.Command(tool, "-l", p).CombinedOutput(); err != nil || !strings.Contains(string(out), "a0") {
			t.Fatalf("cabextract does not list a0: %v\n%s", err, out)
		}
	} else {
		t.Log("cabextract is not installed; the cross-check was skipped")
	}
	at := fmt.Sprintf("bundle.exe/$ATTACHED/%d/", len(f.peUnsigned)+len(ux))
	r := mustFail(t, Options{Policy: requireValid()}, at+"a0", authenticode.RuleDigestMismatch, dir)
	if fi := fileByPath(r, "bundle.exe"); fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
		t.Errorf("bundle.exe: %+v", fi)
	}
	ua := fmt.Sprintf("bundle.exe/$ATTACHED/%d/u0", len(f.peUnsigned))
	if fi := fileByPath(r, ua); fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
		t.Errorf("%s: %+v", ua, fi)
	}
}

// TestAttackRARSFXPayloadUnreported: a WinRAR self-extractor's module is
// followed by its RAR archive, which it extracts and runs; shipgate opens
// no RAR archive, and the PE, validly signed, passed without a word. The
// archive is reported as unchecked.
func TestAttackRARSFXPayloadUnreported(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	img := append(append([]byte(nil), f.peUnsigned...), "Rar!\x1a\x07\x01\x00payload"...)
	sfx, err := pefile.SignAttach(img, pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.exe": sfx, "plain.exe": f.peValid})
	r := run(t, Options{}, dir)
	if got := rulesFor(r, "setup.exe"); !has(got, "warning "+string(RuleUncheckedArchive)) {
		t.Errorf("setup.exe: %q, want warning %s", got, RuleUncheckedArchive)
	}
	if got := rulesFor(r, "plain.exe"); len(got) > 0 {
		t.Errorf("plain.exe: %q", got)
	}
}

// TestAttackBurnAttachedAfterEngineSignature: a WiX Burn bundle built as
// WiX signs one (insignia): the engine (stub and the bootstrapper
// application's container) is signed, the attached container appended
// after the engine's signature, the ".wixburn" section updated and the
// whole bundle signed again. The payloads' cabinet follows the engine's
// old certificate table, not the sections; the engine finds it through
// ".wixburn", and so must the walk.
func TestAttackBurnAttachedAfterEngineSignature(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	ux := cab.Build([]cab.BuildFile{{Name: "u0", Data: f.peValid}}, cab.BuildOptions{Method: cab.MethodMSZIP})
	payloads := cab.Build([]cab.BuildFile{{Name: "a0", Data: f.peTampered}}, cab.BuildOptions{Method: cab.MethodMSZIP})
	sec := make([]byte, 56)
	le := binary.LittleEndian
	le.PutUint32(sec, 0x00f14300)
	le.PutUint32(sec[4:], 2)
	le.PutUint32(sec[40:], 1) // cabinets
	le.PutUint32(sec[44:], 2)
	le.PutUint32(sec[48:], uint32(len(ux)))
	le.PutUint32(sec[52:], uint32(len(payloads)))
	spec := pefile.Spec{Sections: []pefile.Section{{Name: ".text", Data: []byte{0xc3}, Characteristics: 0x60000020}, {Name: ".wixburn", Data: sec}}}
	stub, err := pefile.Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(stub, sec[:4])
	le.PutUint32(stub[at+24:], uint32(len(stub)))
	engine, err := pefile.SignAttach(append(stub, ux...), pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot}})
	if err != nil {
		t.Fatal(err)
	}
	sigOff := (len(stub) + len(ux) + 7) &^ 7
	le.PutUint32(engine[at+32:], uint32(sigOff))
	le.PutUint32(engine[at+36:], uint32(len(engine)-sigOff))
	bundle := append(engine, payloads...)
	if err := pefile.SetCertDirectory(bundle, 0, 0); err != nil {
		t.Fatal(err)
	}
	if bundle, err = pefile.SignAttach(bundle, pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot}}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"bundle.exe": bundle})
	r := mustFail(t, Options{Policy: requireValid()}, fmt.Sprintf("bundle.exe/$ATTACHED/%d/a0", len(engine)), authenticode.RuleDigestMismatch, dir)
	if fi := fileByPath(r, "bundle.exe"); fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
		t.Errorf("bundle.exe: %+v", fi)
	}
	if fi := fileByPath(r, fmt.Sprintf("bundle.exe/$ATTACHED/%d/u0", len(stub))); fi == nil {
		t.Error("the bootstrapper application's container was not walked")
	}
}

// TestAttackInnoSetupPayloadUnreported: an Inno Setup installer keeps
// its setup program and the files it installs after its sections, found
// through the offset table of its RT_RCDATA resource 11111; shipgate
// reads no Inno Setup data, and the validly signed loader passed without
// a word. It is reported as an unchecked archive.
func TestAttackInnoSetupPayloadUnreported(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	img, err := pefixtures.SquirrelSetup([]squirrel.BuildResource{{TypeID: squirrel.RTRCData, ID: 11111, Data: []byte("rDlPtS\xcd\xe6\xd7\x7b\x0b\x2a\x01\x00\x00\x00")}})
	if err != nil {
		t.Fatal(err)
	}
	img = append(img, "zlb\x1apayload"...)
	wantUncheckedArchive(t, f, "setup.exe", img)
}

// wantUncheckedArchive signs img with f's Windows leaf, verifies it alone
// as name and wants it reported as an unchecked archive.
func wantUncheckedArchive(t *testing.T, f *fixtures, name string, img []byte) {
	t.Helper()
	signed, err := pefile.SignAttach(img, pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{name: signed})
	if got := rulesFor(run(t, Options{}, dir), name); !has(got, "warning "+string(RuleUncheckedArchive)) {
		t.Errorf("%s: %q, want warning %s", name, got, RuleUncheckedArchive)
	}
}

// TestAttackPyInstallerPayloadUnreported: a PyInstaller executable's
// bootloader extracts and loads the modules, native extensions and DLLs
// of the archive after its sections (found by the MEI cookie at its end);
// the validly signed bootloader passed without a word while a tampered
// .pyd inside was never seen. It is reported as an unchecked archive.
func TestAttackPyInstallerPayloadUnreported(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	toc := make([]byte, 24)
	img := append(append([]byte(nil), f.peUnsigned...), "x\x9cpayload"...)
	img = append(append(img, "MEI\x0c\x0b\x0a\x0b\x0e"...), toc...)
	wantUncheckedArchive(t, f, "app.exe", img)
}

// TestAttackSevenZipSFXPaddedPayload: 7-Zip's SFX modules search the
// first 4 MiB (7zS2.sfx's FindSignature) or 8 MiB (7zS.sfx, as 7-Zip
// opens archives) of their file for the archive's start header, so junk padded between the stub's configuration and
// the archive does not stop them, and 7-Zip lists the files (7z l -t7z).
// shipgate searched only the first 4 KiB (64 KiB after a configuration)
// of the overlay: the signed self-extractor passed require: valid with a
// tampered app.exe inside, never opened.
func TestAttackSevenZipSFXPaddedPayload(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	// 1 MiB: within 7zS2.sfx's search; 5 MiB: within 7zS.sfx's (as
	// 7-Zip's own), past 7zS2.sfx's.
	for _, n := range []int{1 << 20, 5 << 20} {
		img := append([]byte(nil), f.peUnsigned...)
		img = append(img, ";!@Install@!UTF-8!\r\nRunProgram=\"app.exe\"\r\n;!@InstallEnd@!"...)
		pad := make([]byte, n)
		testpki.NewRand(7).Read(pad)
		img = append(img, bytes.ReplaceAll(pad, []byte("7z"), []byte("8z"))...)
		img = append(img, sevenz.Build([]sevenz.BuildFile{{Name: "app.exe", Data: f.peTampered}})...)
		setup, err := pefile.SignAttach(img, pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot}})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"setup.exe": setup})
		if tool, err := exec.LookPath("7z"); err == nil {
			out, err := exec.Command(tool, "l", "-t7z", filepath.Join(dir, "setup.exe")).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "app.exe") {
				t.Fatalf("7z does not list the padded self-extractor's app.exe: %v\n%s", err, out)
			}
		} else {
			t.Log("7-Zip is not installed; the cross-check was skipped")
		}
		mustFail(t, Options{Policy: requireValid()}, "setup.exe/app.exe", authenticode.RuleDigestMismatch, dir)
	}
}

// TestAttackInstallShieldPayloadUnreported: an InstallShield setup.exe
// carries after its sections, behind an "InstallShield" (or, from 2015 or
// so, "ISSetupStream") header, the MSI package, cabinets and script its
// stub decrypts, extracts and runs; the validly signed stub passed
// without a word while the files were never seen. It is reported as an
// unchecked archive, and a signed PE with no such header (nor any
// overlay) is not.
func TestAttackInstallShieldPayloadUnreported(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	tree := map[string][]byte{"plain.exe": f.peValid}
	for name, magic := range map[string]string{"old.exe": "InstallShield\x00", "new.exe": "ISSetupStream\x00"} {
		img := append([]byte(nil), f.peUnsigned...)
		img = append(img, "NB10"...)
		img = append(img, magic...)
		img = append(img, "\x02\x00\x00\x00\x00\x00"...) // two files, then their attributes
		img = append(img, bytes.Repeat([]byte{0x5a}, 600)...)
		setup, err := pefile.SignAttach(img, pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot}})
		if err != nil {
			t.Fatal(err)
		}
		tree[name] = setup
	}
	dir := t.TempDir()
	writeTree(t, dir, tree)
	r := run(t, Options{}, dir)
	for _, name := range []string{"old.exe", "new.exe"} {
		if got := rulesFor(r, name); !has(got, "warning "+string(RuleUncheckedArchive)) {
			t.Errorf("%s: %q, want warning %s", name, got, RuleUncheckedArchive)
		}
	}
	if got := rulesFor(r, "plain.exe"); len(got) > 0 {
		t.Errorf("plain.exe: %q", got)
	}
}

// TestAttackRARSFXPaddedPayloadUnreported: UnRAR, and the WinRAR SFX
// modules built from it, search the first 4 MiB of a file that does not
// start with a RAR marker for one (MAXSFXSIZE); shipgate looked for it
// only where the PE's sections end, so junk between the module and its
// archive kept the self-extractor's payload from being reported.
func TestAttackRARSFXPaddedPayloadUnreported(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	pad := make([]byte, 300<<10)
	testpki.NewRand(11).Read(pad)
	pad = bytes.ReplaceAll(pad, []byte("Rar!"), []byte("Raz!"))
	img := append(append([]byte(nil), f.peUnsigned...), pad...)
	img = append(img, "Rar!\x1a\x07\x01\x00payload"...)
	sfx, err := pefile.SignAttach(img, pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.exe": sfx, "plain.exe": f.peValid})
	r := run(t, Options{}, dir)
	if got := rulesFor(r, "setup.exe"); !has(got, "warning "+string(RuleUncheckedArchive)) {
		t.Errorf("setup.exe: %q, want warning %s", got, RuleUncheckedArchive)
	}
	if got := rulesFor(r, "plain.exe"); len(got) > 0 {
		t.Errorf("plain.exe: %q", got)
	}
}
