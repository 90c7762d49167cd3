package verify

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/internal/squirrel"
)

// TestAttackSquirrelPackagePrefixed: Squirrel.Windows' Setup opens its
// package resource with a minizip-derived reader, which finds the end
// record from the resource's end and counts the archive's offsets from the
// bytes before it, so a package resource starting with other bytes is
// still extracted and run. A resource after it keeps the archive out of
// reach of the search from the PE's end. It passed before: the resource
// was opened only when it started with a zip signature.
func TestAttackSquirrelPackagePrefixed(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	after := squirrel.BuildResource{TypeID: 3, ID: 2, Data: make([]byte, 200<<10)}
	setup := func(exe []byte) []byte {
		pkg := makeZip(t, []zipEntry{{name: "Update.exe", data: exe}})
		return squirrelSetup(t, append([]byte("junk"), pkg...), after)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"Setup.exe": setup(f.peUnsigned)})
	mustFail(t, Options{Policy: requireValid()}, "Setup.exe/Update.exe", ruleUnsigned, dir)
	// The same package with a signed Update.exe passes, checked.
	ok := t.TempDir()
	writeTree(t, ok, map[string][]byte{"Setup.exe": setup(f.peValid)})
	r := run(t, Options{Policy: requireValid()}, ok)
	if !r.Summary.Passed || fileByPath(r, "Setup.exe/Update.exe") == nil {
		t.Errorf("signed package: passed %v, findings %v", r.Summary.Passed, r.Findings)
	}
}

// TestAttackTwoZipsAfterPEZip64Last: TestAttackTwoZipsAfterPE with the
// last archive (the one read from the file's end) in ZIP64 form, whose
// predecessors AppendedZips does not look for: the first archive, which a
// stub knowing where its payload starts extracts, must still fail the
// gate: its local headers, before the last archive's first entry, are
// zip-unlisted-entry errors (caught).
func TestAttackTwoZipsAfterPEZip64Last(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	stub := f.peUnsigned
	for _, adjust := range []bool{false, true} {
		first := zipAt(t, len(stub), adjust, []zipEntry{{name: "app/evil.dll", data: f.peUnsigned}})
		b := append(append([]byte(nil), stub...), first...)
		base := 0
		if adjust {
			base = len(b)
		}
		b = append(b, toZip64(t, zipAt(t, len(b), adjust, []zipEntry{{name: "readme.txt", data: []byte("decoy")}}), int64(base))...)
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"setup.exe": signInstaller(t, b)})
		r := run(t, Options{Policy: requireValid()}, dir)
		if r.Summary.Passed || len(zipFindings(r, "setup.exe", ruleZipUnlisted)) == 0 {
			t.Errorf("adjusted=%v: passed %v, findings %v", adjust, r.Summary.Passed, r.Findings)
		}
	}
}

// TestAttackMSIShadowFileTable: a second File table stream, its stored
// name written out rather than packed, decodes to the File table's name.
// Windows Installer opens the packed one; shipgate read the decoy (empty
// here), so the DLL the installer puts at Acme App/app.dll was reported
// under its cabinet key, out of reach of a policy rule for its installed
// path. The real table is read, and the decoy checked as an unreferenced
// stream.
func TestAttackMSIShadowFileTable(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	tables, streams := installer{dll: f.peUnsigned, customAction: f.peValid}.node()
	root := msi.BuildNode(tables, streams)
	root.Children = append(root.Children, &cfb.Node{Name: "\u4840File", Data: []byte{}})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.msi": signMSI(t, root)})
	r := mustFail(t, Options{Policy: requireValid()}, innerDLL, ruleUnsigned, dir)
	if got := rulesFor(r, "setup.msi/_Streams/File"); !has(got, "warning "+string(RuleMSIUnreferencedData)) {
		t.Errorf("decoy table: %q", got)
	}
}

// decoyDirZip returns a zip archive whose end record's directory offset
// points at a decoy central directory (listing decoy's entry), while the
// directory right before the end record lists real's entry: archive/zip
// takes a directory header at the recorded offset; Info-ZIP and minizip
// (Squirrel.Windows' Setup) count the offset from the bytes before the
// archive and read the other.
func decoyDirZip(t *testing.T, decoy, real []zipEntry) []byte {
	t.Helper()
	a, b := makeZip(t, decoy), makeZip(t, real)
	le := binary.LittleEndian
	split := func(z []byte) (local, dir []byte) {
		e := len(z) - eocdLen
		size, off := int(le.Uint32(z[e+12:])), int(le.Uint32(z[e+16:]))
		return z[:off], z[off : off+size]
	}
	la, da := split(a)
	lb, db := split(b)
	if len(la) < len(lb) {
		t.Fatal("the decoy's data must be at least the real entry's")
	}
	db = append([]byte(nil), db...)
	le.PutUint32(db[42:], uint32(len(la)-len(lb)))
	out := append(append(append(append([]byte(nil), la...), da...), lb...), db...)
	eocd := append([]byte(nil), b[len(b)-eocdLen:]...)
	le.PutUint32(eocd[16:], uint32(len(la)))
	return append(out, eocd...)
}

// TestAttackZipDecoyDirectory: a zip whose recorded directory offset
// holds a decoy directory, the real one sitting before the end record.
// Go and 7-Zip list the decoy, Info-ZIP's unzip (cross-checked when
// installed) and Squirrel's Setup the real one. Caught: the real
// directory is bytes between the directory read and the end record, a
// file/zip-trailing-data error, in a plain zip and in a Squirrel package.
func TestAttackZipDecoyDirectory(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	pad := make([]byte, len(f.peUnsigned)+4096)
	z := decoyDirZip(t, []zipEntry{{name: "readme.txt", data: pad, store: true}}, []zipEntry{{name: "Update.exe", data: f.peUnsigned}})
	if unzip, err := exec.LookPath("unzip"); err != nil {
		t.Log("unzip is not installed; the cross-check was skipped")
	} else {
		p := filepath.Join(t.TempDir(), "a.zip")
		os.WriteFile(p, z, 0o644)
		out, _ := exec.Command(unzip, "-l", p).CombinedOutput()
		if !bytes.Contains(out, []byte("Update.exe")) || bytes.Contains(out, []byte("readme.txt")) {
			t.Errorf("unzip lists otherwise: %s", out)
		}
	}
	for name, b := range map[string][]byte{"app.zip": z, "Setup.exe": squirrelSetup(t, z)} {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{name: b})
		r := run(t, Options{Policy: requireValid()}, dir)
		if r.Summary.Passed || len(zipFindings(r, name, RuleZipTrailing)) != 1 {
			t.Errorf("%s: passed %v, findings %v", name, r.Summary.Passed, r.Findings)
		}
	}
}
