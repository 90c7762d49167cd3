package verify

import (
	"encoding/binary"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/nsis"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/signing"
)

// pathsUnder returns the report's file paths under prefix.
func pathsUnder(r *Report, prefix string) []string {
	var ps []string
	for _, f := range r.Files {
		if strings.HasPrefix(f.Path, prefix) {
			ps = append(ps, f.Path)
		}
	}
	return ps
}

// appendedFindings returns the report's findings of rule whose message holds
// text.
func appendedFindings(r *Report, rule signing.Rule, text string) []signing.Finding {
	var out []signing.Finding
	for _, f := range r.Findings {
		if f.Rule == rule && strings.Contains(f.Message, text) {
			out = append(out, f)
		}
	}
	return out
}

// Attack (issue #14, gap 1): a zip appended to an NSIS installer is both
// the installer's self-extractor payload and its $NSIS/trailing-data. Its
// entries are checked once, under the installer's path (as sbom lists
// them), whether its offsets count the installer or not; the trailing
// data stays a file with its nsis/trailing-data finding. An unsigned DLL
// in it fails the gate once, at setup.exe/app/evil.dll.
func TestAttackNSISAppendedZipCheckedTwice(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	in := goInstaller(t, []nsis.BuildFile{{Name: `$INSTDIR\app.dll`, Data: f.peValid}}, nsis.BuildOptions{Deflate: true})
	// The installer signed or not: signed, the zip ends before the
	// certificate table, where the trailing data ends too.
	for _, tc := range []struct{ adjust, sign bool }{{false, false}, {true, false}, {true, true}} {
		adjust, sign := tc.adjust, tc.sign
		seal := func(b []byte) []byte {
			if sign {
				return signInstaller(t, b)
			}
			return b
		}
		// Passing: a text file, checked under the installer's path.
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"setup.exe": seal(append(append([]byte(nil), in...), zipAt(t, len(in), adjust, []zipEntry{{name: "app/readme.txt", data: []byte("hello")}})...))})
		r := run(t, Options{}, dir)
		if fileByPath(r, "setup.exe/app/readme.txt") == nil || fileByPath(r, "setup.exe/$NSIS/trailing-data") == nil {
			t.Errorf("adjusted=%v signed=%v: appended zip or trailing data not checked: %q", adjust, sign, pathsUnder(r, "setup.exe"))
		}
		if ps := pathsUnder(r, "setup.exe/$NSIS/trailing-data/"); len(ps) != 0 {
			t.Errorf("adjusted=%v signed=%v: the appended zip is checked twice: %q", adjust, sign, ps)
		}
		if got := rulesFor(r, "setup.exe"); !slices.Contains(got, "warning "+string(RuleNSISTrailingData)) || len(zipFindings(r, "setup.exe", ruleZipUnlisted)) != 0 {
			t.Errorf("adjusted=%v signed=%v: installer findings %q, want %s and no %s", adjust, sign, got, RuleNSISTrailingData, ruleZipUnlisted)
		}

		// Failing: an unsigned DLL, reported once.
		dir = t.TempDir()
		writeTree(t, dir, map[string][]byte{"setup.exe": seal(append(append([]byte(nil), in...), zipAt(t, len(in), adjust, []zipEntry{{name: "app/evil.dll", data: f.peUnsigned}})...))})
		r = mustFail(t, Options{Policy: requireValid()}, "setup.exe/app/evil.dll", ruleUnsigned, dir)
		n := 0
		for _, x := range r.Findings {
			if x.Rule == ruleUnsigned && strings.HasSuffix(x.Path, "/evil.dll") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("adjusted=%v signed=%v: %d unsigned findings for evil.dll, want 1: %q", adjust, sign, n, pathsUnder(r, "setup.exe"))
		}
	}
}

// stuffCertTable returns the signed PE b with extra appended inside its
// WIN_CERTIFICATE (its length and DataDirectory[4]'s size grown to cover
// it, 8-byte aligned): CVE-2013-3900 stuffing, which leaves the signature
// valid.
func stuffCertTable(t *testing.T, b, extra []byte) []byte {
	t.Helper()
	in, err := pefile.Parse(b)
	if err != nil || in.SecDirOff < 0 {
		t.Fatalf("PE: %v", err)
	}
	le := binary.LittleEndian
	off := int(le.Uint32(b[in.SecDirOff:]))
	if off+int(le.Uint32(b[in.SecDirOff+4:])) != len(b) {
		t.Fatal("the certificate table does not end the file")
	}
	out := append(append([]byte(nil), b...), extra...)
	for len(out)%8 != 0 {
		out = append(out, 0)
	}
	le.PutUint32(out[off:], uint32(len(out)-off))
	le.PutUint32(out[in.SecDirOff+4:], uint32(len(out)-off))
	return out
}

// Attack (issue #14, gap 2): a zip planted in a signed self-extractor's
// signature (stuffed in its WIN_CERTIFICATE) is what extractors reading
// the file from its end see; it hid the signed payload before the table
// from the walk, whose files went unchecked. The signed payload is walked
// (its unsigned DLL fails the gate), the planted archive is checked too
// and reported at its offset. Without it, the payload is checked and
// nothing is reported about the archive.
func TestAttackZipPlantedInSignature(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	stub := f.peUnsigned
	payload := zipAt(t, len(stub), true, []zipEntry{{name: "app/evil.dll", data: f.peUnsigned}})
	signed := signInstaller(t, append(append([]byte(nil), stub...), payload...))

	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.exe": signed})
	r := mustFail(t, Options{Policy: requireValid()}, "setup.exe/app/evil.dll", ruleUnsigned, dir)
	if got := zipFindings(r, "setup.exe", ruleZipUnlisted); len(got) != 0 {
		t.Errorf("signed self-extractor alone: %+v", got)
	}

	decoy := makeZip(t, []zipEntry{{name: "readme.txt", data: []byte("nothing to see")}})
	attacked := stuffCertTable(t, signed, decoy)
	dir = t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.exe": attacked})
	r = mustFail(t, Options{Policy: requireValid()}, "setup.exe/app/evil.dll", ruleUnsigned, dir)
	if fileByPath(r, "setup.exe/readme.txt") == nil {
		t.Errorf("the planted archive is not checked: %q", pathsUnder(r, "setup.exe"))
	}
	got := appendedFindings(r, ruleZipUnlisted, "certificate table")
	start := int64(len(signed))
	if len(got) != 1 || got[0].Path != "setup.exe" || got[0].Offset == nil || *got[0].Offset != start {
		t.Errorf("want one %s about the certificate table at offset %d: %+v", ruleZipUnlisted, start, r.Findings)
	}
}

// Attack (issue #14, gap 3): two zips concatenated after a PE stub. Tools
// reading the file from its end extract the last; the stub, knowing where
// its payload starts, the first. Both are checked under the PE's path (as
// sbom lists them) and the first is reported at its offset, whether the
// archives' offsets count what precedes them or not.
func TestAttackTwoZipsAfterPE(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	stub := f.peUnsigned
	for _, adjust := range []bool{false, true} {
		first := zipAt(t, len(stub), adjust, []zipEntry{{name: "app/evil.dll", data: f.peUnsigned}})
		b := append(append([]byte(nil), stub...), first...)
		b = append(b, zipAt(t, len(b), adjust, []zipEntry{{name: "readme.txt", data: []byte("decoy")}})...)
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"setup.exe": b})
		r := mustFail(t, Options{Policy: requireValid()}, "setup.exe/app/evil.dll", ruleUnsigned, dir)
		if fileByPath(r, "setup.exe/readme.txt") == nil {
			t.Errorf("adjusted=%v: the last archive is not checked", adjust)
		}
		got := zipFindings(r, "setup.exe", ruleZipUnlisted)
		if len(got) != 1 || got[0].Offset == nil || *got[0].Offset != int64(len(stub)) {
			t.Errorf("adjusted=%v: want one %s at offset %d: %+v", adjust, ruleZipUnlisted, len(stub), got)
		}

		// One archive: nothing to report.
		dir = t.TempDir()
		writeTree(t, dir, map[string][]byte{"setup.exe": append(append([]byte(nil), stub...), zipAt(t, len(stub), adjust, []zipEntry{{name: "readme.txt", data: []byte("ok")}})...)})
		r = run(t, Options{}, dir)
		if got := zipFindings(r, "setup.exe", ruleZipUnlisted); len(got) != 0 || fileByPath(r, "setup.exe/readme.txt") == nil {
			t.Errorf("adjusted=%v: one archive: %+v", adjust, got)
		}
	}
}

// A zip after NSIS data that is no PE's (an uninstaller's data, a file of
// its own) is checked under $NSIS/trailing-data, where sbom lists it
// (TestAttackZipAfterBareNSISData): there is no PE to check it under.
func TestZipAfterBareNSISDataChecked(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	data := nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\app.dll`, Data: f.peValid}}, nsis.BuildOptions{Deflate: true})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"uninst.dat": append(append([]byte(nil), data...), makeZip(t, []zipEntry{{name: "app/evil.dll", data: f.peUnsigned}})...)})
	mustFail(t, Options{Policy: requireValid()}, "uninst.dat/$NSIS/trailing-data/app/evil.dll", ruleUnsigned, dir)
}
