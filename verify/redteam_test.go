package verify

// Red-team regression tests: an attacker controls the release bytes and
// wants the gate to pass while shipping something it must refuse, or wants
// shipgate to crash, hang or exhaust memory. Each test is one attack.

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha1"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/demo"
	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/blocklist"
)

// requireValid is the strict gate: all native code validly signed, and no
// native code inside the asar.
func requireValid() *Policy {
	return &Policy{Rules: []Rule{
		{Match: []string{"**"}, Require: RequireValid},
		{Match: []string{"**/app.asar/**"}, ForbidKinds: []Kind{KindPE, KindMachO, KindMachOUniversal}},
	}}
}

// mustFail runs the gate over paths and fails the test unless it fails
// with a finding of rule at path p.
func mustFail(t *testing.T, opts Options, p string, rule signing.Rule, paths ...string) *Report {
	t.Helper()
	r := run(t, opts, paths...)
	if r.Summary.Passed {
		t.Errorf("the gate passed; findings %v", r.Findings)
	}
	found := false
	for _, f := range r.Findings {
		if f.Path == p && f.Rule == rule && f.Severity == signing.SeverityError {
			found = true
		}
	}
	if !found {
		t.Errorf("no error %s at %s; findings:", rule, p)
		for _, f := range r.Findings {
			t.Logf("  %s %s %s: %s", f.Severity, f.Rule, f.Path, f.Message)
		}
	}
	return r
}

// wantRules fails the test unless the gate failed and each of rules is an
// error finding at path p.
func wantRules(t *testing.T, r *Report, p string, rules ...signing.Rule) {
	t.Helper()
	if r.Summary.Passed {
		t.Errorf("the gate passed")
	}
	got := rulesFor(r, p)
	for _, rule := range rules {
		if !has(got, "error "+string(rule)) {
			t.Errorf("%s: no error %s in %q", p, rule, got)
		}
	}
}

func writeFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestRedTeamRenamedPE(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"resources/logo.png": f.peUnsigned})
	pol := &Policy{Rules: []Rule{{Match: []string{"resources/**"}, ForbidKinds: []Kind{KindPE}}}}
	mustFail(t, Options{Policy: pol}, "resources/logo.png", ruleForbiddenKind, dir)
}

func TestRedTeamPEInsideAsar(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"resources/app.asar": packAsar([]electronfix.AsarFile{
		{Path: "package.json", Data: []byte(`{"name":"x"}`)},
		{Path: "node_modules/ffmpeg/ffmpeg.txt", Data: f.peValid},
	})})
	mustFail(t, Options{Policy: requireValid()}, "resources/app.asar/node_modules/ffmpeg/ffmpeg.txt", ruleForbiddenKind, dir)
}

func TestRedTeamAsarInZip(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	asar := packAsar([]electronfix.AsarFile{{Path: "bin/x.node", Data: f.peUnsigned}})
	z := writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), makeZip(t, []zipEntry{{name: "resources/app.asar", data: asar}}))
	mustFail(t, Options{Policy: requireValid()}, "resources/app.asar/bin/x.node", ruleUnsigned, z)
}

func TestRedTeamUnpackedFolder(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	arch, unpacked := electronfix.PackAsar([]electronfix.AsarFile{
		{Path: "index.js", Data: []byte("1")},
		{Path: "native/x.node", Data: f.peUnsigned, Unpacked: true},
	})
	files := map[string][]byte{"resources/app.asar": arch}
	for p, b := range unpacked {
		files["resources/app.asar.unpacked/"+p] = b
	}
	writeTree(t, dir, files)
	mustFail(t, Options{Policy: requireValid()}, "resources/app.asar.unpacked/native/x.node", ruleUnsigned, dir)
}

// Bug fixed: an asar given on its own left its unpacked entries unchecked
// (nothing walked the folder beside it) and passed. They are now read from
// the folder beside it, and unreadable when there is none.
func TestRedTeamUnpackedEntryOfLoneAsar(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	arch, unpacked := electronfix.PackAsar([]electronfix.AsarFile{
		{Path: "index.js", Data: []byte("1")},
		{Path: "native/x.node", Data: f.peUnsigned, Unpacked: true},
	})
	a := writeFile(t, filepath.Join(t.TempDir(), "app.asar"), arch)
	mustFail(t, Options{Policy: requireValid()}, "app.asar/native/x.node", ruleUnreadable, a)
	for p, b := range unpacked {
		writeFile(t, filepath.Join(a+".unpacked", filepath.FromSlash(p)), b)
	}
	mustFail(t, Options{Policy: requireValid()}, "app.asar/native/x.node", ruleUnsigned, a)
}

// Bug fixed: an archive inside an archive on disk (asar in asar) lost its
// parent's bytes once its own check was done, so its entries could not be
// read (file/unreadable instead of their real findings: a fail-closed
// error, but the wrong one, and a valid entry failed too).
func TestRedTeamAsarInAsar(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	inner := packAsar([]electronfix.AsarFile{{Path: "x.node", Data: f.peUnsigned}, {Path: "y.node", Data: f.peValid}})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"app.asar": packAsar([]electronfix.AsarFile{{Path: "inner.asar", Data: inner}})})
	for _, w := range []int{1, 3} {
		pol := &Policy{Rules: []Rule{{Match: []string{"**"}, Require: RequireValid}}}
		r := mustFail(t, Options{Workers: w, Policy: pol}, "app.asar/inner.asar/x.node", ruleUnsigned, dir)
		if got := rulesFor(r, "app.asar/inner.asar/y.node"); len(got) != 0 {
			t.Errorf("workers %d: valid entry: %v", w, got)
		}
	}
}

func TestRedTeamDeepNesting(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	b := packAsar([]electronfix.AsarFile{{Path: "x.node", Data: f.peUnsigned}})
	for i := 0; i < 6; i++ {
		b = packAsar([]electronfix.AsarFile{{Path: "inner.asar", Data: b}})
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"app.asar": b})
	r := run(t, Options{Policy: requireValid()}, dir)
	if r.Summary.Passed {
		t.Errorf("deeply nested archive passed: %v", r.Findings)
	}
}

func TestRedTeamZipDuplicateEntry(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	z := writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), makeZip(t, []zipEntry{
		{name: "win/app.exe", data: f.peValid},
		{name: "win/app.exe", data: f.peUnsigned},
	}))
	mustFail(t, Options{}, "win/app.exe", ruleDuplicateEntry, z)
}

func TestRedTeamZipCaseCollision(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	z := writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), makeZip(t, []zipEntry{
		{name: "win/app.exe", data: f.peValid},
		{name: "win/APP.exe", data: f.peUnsigned},
	}))
	mustFail(t, Options{Policy: requireValid()}, "win/APP.exe", ruleUnsigned, z)
}

func TestRedTeamZipDotDot(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	z := writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), makeZip(t, []zipEntry{
		{name: "win/app.exe", data: f.peValid},
		{name: "win/../../evil.dll", data: f.peUnsigned},
	}))
	mustFail(t, Options{}, "", ruleInsecurePath, z)
}

func TestRedTeamSymlinkOut(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"win/app.exe": f.peValid})
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "win/x.dll")); err != nil {
		t.Skip(err)
	}
	if err := os.Symlink("../../outside.dll", filepath.Join(dir, "win/y.dll")); err != nil {
		t.Fatal(err)
	}
	mustFail(t, Options{}, "win/x.dll", ruleSymlinkEscape, dir)
	mustFail(t, Options{}, "win/y.dll", ruleSymlinkEscape, dir)
}

func TestRedTeamSecondCertEntry(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	blob, err := pefile.Sign(f.peUnsigned, pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot}})
	if err != nil {
		t.Fatal(err)
	}
	payload := pefile.RawEntry(pefile.RevisionV2, pefile.TypePKCSSigned, []byte("MZ encrypted stage two payload"), true)
	img, err := pefile.Attach(f.peUnsigned, pefile.Entry(blob), payload)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"d3dcompiler_47.dll": img})
	wantRules(t, run(t, Options{Policy: requireValid()}, dir), "d3dcompiler_47.dll", "authenticode/malformed-signature")
}

func TestRedTeamAppendedAfterCertTable(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	img := append(append([]byte(nil), f.peValid...), []byte("stage two payload.......")...)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"x.dll": img})
	wantRules(t, run(t, Options{Policy: requireValid()}, dir), "x.dll", "authenticode/data-after-cert-table", "authenticode/digest-mismatch")
}

func TestRedTeamPayloadInsideSignatureBlob(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	blob, err := pefile.Sign(f.peUnsigned, pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot}})
	if err != nil {
		t.Fatal(err)
	}
	// CVE-2013-3900: bytes after the PKCS#7 inside the same entry.
	blob = append(blob, []byte("encrypted payload encrypted payload")...)
	img, err := pefile.Attach(f.peUnsigned, pefile.Entry(blob))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"x.dll": img})
	wantRules(t, run(t, Options{Policy: requireValid()}, dir), "x.dll", "authenticode/cert-table-padding")
}

func TestRedTeamFatHiddenThirdSlice(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	x86 := machofile.Build(machofile.Spec{CPU: machofile.CPUX86_64, Seed: 9})
	fat := machofile.Fat([]machofile.Arch{{Data: f.machoValid}, {Data: x86}}, false)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"mac/lib.dylib": fat})
	mustFail(t, Options{Policy: requireValid()}, "mac/lib.dylib", ruleUnsigned, dir)
}

// Bug fixed: a universal header with 45 or more entries (where Java class
// versions start) was "other", so an unsigned slice passed require: valid;
// dyld reads up to (4096-8)/20 entries.
func TestRedTeamFatManyArches(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	arches := []machofile.Arch{{Data: f.machoUnsigned}}
	for i := 0; i < 49; i++ {
		arches = append(arches, machofile.Arch{CPU: 0x7f000000 + uint32(i), Align: 4, Data: []byte("junkjunk")})
	}
	fat := machofile.Fat(arches, false)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"mac/libffmpeg.dylib": fat})
	r := mustFail(t, Options{Policy: requireValid()}, "mac/libffmpeg.dylib", ruleUnsigned, dir)
	if k := fileByPath(r, "mac/libffmpeg.dylib").Kind; k != KindMachOUniversal {
		t.Errorf("kind %s, want %s", k, KindMachOUniversal)
	}
	// A Java class file keeps its kind: its "table" does not hold.
	class := []byte{0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0x34, 0, 0x1d, 0x0a, 0, 0x06, 0, 0x0f, 0x09, 0, 0x10, 0, 0x11}
	class = append(class, make([]byte, 2000)...)
	if k := detectKind(class, int64(len(class))); k != KindOther {
		t.Errorf("java class detected as %s", k)
	}
}

// Bug fixed: a PE whose header lies beyond the first 4096 bytes was "other"
// and passed require: valid unsigned; Windows accepts e_lfanew far into the
// file.
func TestRedTeamPEHeaderFarAway(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	img := shiftPEHeader(t, f.peUnsigned, 0x2000)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"win/ffmpeg.dll": img})
	r := mustFail(t, Options{Policy: requireValid()}, "win/ffmpeg.dll", ruleUnsigned, dir)
	if k := fileByPath(r, "win/ffmpeg.dll").Kind; k != KindPE {
		t.Errorf("kind %s, want pe", k)
	}
	// The same, deflated in a zip (read as a stream), and signed validly.
	signed, err := pefile.SignAttach(img, pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot}})
	if err != nil {
		t.Fatal(err)
	}
	z := writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), makeZip(t, []zipEntry{{name: "ffmpeg.dll", data: img}, {name: "ok.dll", data: signed}}))
	r = mustFail(t, Options{Policy: requireValid()}, "ffmpeg.dll", ruleUnsigned, z)
	if got := rulesFor(r, "ok.dll"); len(got) != 0 {
		t.Errorf("validly signed PE with a far header: %v", got)
	}
}

// shiftPEHeader moves the NT headers of img n bytes further into the file,
// shifting everything after the DOS header.
func shiftPEHeader(t *testing.T, img []byte, n uint32) []byte {
	t.Helper()
	le := binary.LittleEndian
	lfanew := le.Uint32(img[0x3c:])
	out := append([]byte(nil), img[:lfanew]...)
	out = append(out, make([]byte, n)...)
	out = append(out, img[lfanew:]...)
	le.PutUint32(out[0x3c:], lfanew+n)
	nt := lfanew + n
	nsec := uint32(le.Uint16(out[nt+6:]))
	optSize := uint32(le.Uint16(out[nt+20:]))
	opt := nt + 24
	le.PutUint32(out[opt+60:], le.Uint32(out[opt+60:])+n) // SizeOfHeaders
	sec := opt + optSize
	for i := uint32(0); i < nsec; i++ {
		s := out[sec+40*i:]
		if p := le.Uint32(s[20:]); p != 0 {
			le.PutUint32(s[20:], p+n)
		}
	}
	pefile.SetChecksum(out)
	return out
}

// blocklistFor returns a list blocking certificate c by SHA-1 thumbprint
// from at (always when nil) for reason.
func blocklistFor(c *testpki.Cert, at *time.Time, reason blocklist.Reason) *blocklist.List {
	l := blocklist.New()
	sum := sha1.Sum(c.Cert.Raw)
	if err := l.Add(blocklist.Entry{Kind: blocklist.KindCertSHA1, Value: hex.EncodeToString(sum[:]), RevokedAt: at, Reason: reason, Source: "test"}); err != nil {
		panic(err)
	}
	return l
}

func TestRedTeamBlocklistedIntermediate(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	inter := f.winRoot.Issue(testpki.Spec{CommonName: "Compromised Intermediate", CA: true, MaxPathLen: -1, KeyN: 4})
	leaf := inter.Issue(testpki.Spec{CommonName: "Example Vendor Ltd", Organization: "Example Vendor Ltd", KeyN: 5})
	img, err := pefile.SignAttach(f.peUnsigned, pefile.SignSpec{Signer: leaf, Certs: []*testpki.Cert{inter, f.winRoot}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"x.dll": img})
	mustFail(t, Options{Blocklist: blocklistFor(inter, nil, blocklist.ReasonUnspecified)}, "x.dll", "signer/blocklisted", dir)
}

// Signed with a blocklisted leaf whose chain is not trusted: still revoked,
// not merely an untrusted warning.
func TestRedTeamBlocklistedUntrustedLeaf(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"x.dll": f.peUntrusted})
	mustFail(t, Options{Blocklist: blocklistFor(f.otherLeaf, nil, blocklist.ReasonUnspecified)}, "x.dll", "signer/blocklisted", dir)
}

// A timestamp from an authority nobody trusts, dated before the
// revocation, must not lift the block.
func TestRedTeamUntrustedTSADodgesRevocation(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	rogueRoot := testpki.NewRoot(testpki.Spec{CommonName: "Rogue TSA Root", CA: true, MaxPathLen: -1, KeyN: 6})
	rogueTSA := rogueRoot.Issue(testpki.Spec{CommonName: "Rogue TSA", KeyN: 7, EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}})
	img, err := pefile.SignAttach(f.peUnsigned, pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot},
		Stamp: &pefile.Stamp{TSA: rogueTSA, Chain: []*testpki.Cert{rogueRoot}, At: testpki.Epoch.Add(-30 * 24 * time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	revoked := testpki.Epoch
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"x.dll": img})
	pol := &Policy{Trust: Trust{RevocationPolicy: "windows"}}
	mustFail(t, Options{Policy: pol, Blocklist: blocklistFor(f.winLeaf, &revoked, blocklist.ReasonSuperseded)}, "x.dll", "signer/blocklisted", dir)
}

// An expired signer with a timestamp from an untrusted authority claiming a
// time inside its validity is not valid.
func TestRedTeamExpiredSignerForgedTimestamp(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	old := f.winRoot.Issue(testpki.Spec{CommonName: "Example Vendor Ltd", Organization: "Example Vendor Ltd", KeyN: 8,
		NotBefore: testpki.Epoch.Add(-400 * 24 * time.Hour), NotAfter: testpki.Epoch.Add(-300 * 24 * time.Hour)})
	rogueRoot := testpki.NewRoot(testpki.Spec{CommonName: "Rogue TSA Root", CA: true, MaxPathLen: -1, KeyN: 6})
	rogueTSA := rogueRoot.Issue(testpki.Spec{CommonName: "Rogue TSA", KeyN: 7, EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}})
	img, err := pefile.SignAttach(f.peUnsigned, pefile.SignSpec{Signer: old, Certs: []*testpki.Cert{f.winRoot},
		Stamp: &pefile.Stamp{TSA: rogueTSA, Chain: []*testpki.Cert{rogueRoot}, At: testpki.Epoch.Add(-350 * 24 * time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"x.dll": img})
	r := run(t, Options{Policy: requireValid()}, dir)
	wantRules(t, r, "x.dll", "policy/untrusted")
	if s := fileByPath(r, "x.dll").Signatures[0]; s.Status == signing.StatusValid || (s.Timestamp != nil && s.Timestamp.Verified) {
		t.Errorf("forged timestamp counted: %s %+v", s.Status, s.Timestamp)
	}
}

// The main executable replaced by a symbolic link to an unsigned binary
// elsewhere in the bundle.
func TestRedTeamBundleMainExeSymlink(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	writeBundle(t, dir)
	app := filepath.Join(dir, "Example.app")
	exe := filepath.Join(app, "Contents", "MacOS", "Example")
	writeFile(t, filepath.Join(app, "Contents", "Resources", "payload"), f.machoUnsigned)
	os.Remove(exe)
	if err := os.Symlink("../Resources/payload", exe); err != nil {
		t.Fatal(err)
	}
	r := run(t, Options{Policy: requireValid()}, dir)
	wantRules(t, r, "Example.app/Contents/MacOS/Example", "codesign/malformed", "codesign/resource-modified")
	wantRules(t, r, "Example.app/Contents/Resources/payload", "policy/unsigned")
}

// A file the seal does not list, added after signing.
func TestRedTeamBundleAddedFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeBundle(t, dir)
	app := filepath.Join(dir, "Example.app")
	writeFile(t, filepath.Join(app, "Contents", "Resources", "preload.js"), []byte("require('child_process').exec('curl evil')"))
	wantRules(t, run(t, Options{}, dir), "Example.app/Contents/Resources/preload.js", "codesign/resource-modified")
}

// An asar header declaring an entry far larger than the archive, and one
// declaring a huge header size: no allocation from the declared size.
func TestRedTeamAsarHugeSizes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	hdr := []byte(`{"files":{"a.node":{"size":9007199254740991,"offset":"0"},"b":{"size":4,"offset":"18446744073709551615"}}}`)
	writeTree(t, dir, map[string][]byte{"app.asar": electronfix.PackAsarRaw(hdr, []byte("data"))})
	huge := electronfix.PackAsarRaw([]byte(`{"files":{}}`), nil)
	binary.LittleEndian.PutUint32(huge[4:], 0xfffffff0)
	binary.LittleEndian.PutUint32(huge[8:], 0xffffffec)
	writeTree(t, dir, map[string][]byte{"x/app.asar": huge})
	r := run(t, Options{}, dir)
	wantRules(t, r, "app.asar/a.node", "asar/out-of-bounds")
	wantRules(t, r, "app.asar/b", "asar/malformed-entry")
	wantRules(t, r, "x/app.asar", "asar/malformed")
}

// Entry names climbing out of the asar, and a link out of it.
func TestRedTeamAsarDotDot(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	hdr := []byte(`{"files":{"..":{"files":{"evil.dll":{"size":` + itoa(len(f.peUnsigned)) + `,"offset":"0"}}},"l":{"link":"../../etc/passwd"}}}`)
	writeTree(t, dir, map[string][]byte{"app.asar": electronfix.PackAsarRaw(hdr, f.peUnsigned)})
	r := run(t, Options{}, dir)
	wantRules(t, r, `app.asar/".."`, "asar/unsafe-name")
	wantRules(t, r, "app.asar/l", "asar/link-escape")
}

// Bug fixed: a zip inside the release was hashed but not opened, so an
// unsigned DLL in it passed require: valid. Zips found in a release are
// now opened as archives, also inside an asar and inside a deflated zip.
func TestRedTeamNestedZip(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	inner := makeZip(t, []zipEntry{{name: "ffmpeg.dll", data: f.peUnsigned}, {name: "ok.dll", data: f.peValid, store: true}})
	writeTree(t, dir, map[string][]byte{
		"resources/plugins.zip": inner,
		"resources/app.asar":    packAsar([]electronfix.AsarFile{{Path: "vendor/bin.zip", Data: inner}}),
		"resources/outer.zip":   makeZip(t, []zipEntry{{name: "inner.zip", data: inner}}),
	})
	for _, p := range []string{"resources/plugins.zip/ffmpeg.dll", "resources/app.asar/vendor/bin.zip/ffmpeg.dll", "resources/outer.zip/inner.zip/ffmpeg.dll"} {
		r := mustFail(t, Options{Policy: requireValid()}, p, ruleUnsigned, dir)
		if got := rulesFor(r, strings.Replace(p, "ffmpeg.dll", "ok.dll", 1)); len(got) != 0 && !strings.Contains(p, "app.asar") {
			t.Errorf("%s: validly signed entry: %v", p, got)
		}
	}
	// A zip bomb of nested zips stops at the nesting limit.
	b := inner
	for i := 0; i < 6; i++ {
		b = makeZip(t, []zipEntry{{name: "z.zip", data: b}})
	}
	writeTree(t, dir, map[string][]byte{"bomb.zip": b})
	mustFail(t, Options{}, "bomb.zip/z.zip/z.zip/z.zip/z.zip", ruleUnreadable, dir)
}

// Bug fixed: zip entries whose data overlap (the way Fifield's zip bombs
// reach terabytes from megabytes, and two names show one tool's bytes)
// were each decompressed in full. They are now refused unread.
func TestRedTeamZipOverlappingEntries(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	z := overlapZip(t, makeZip(t, []zipEntry{{name: "a.dll", data: f.peUnsigned}}), "b.dll")
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"x.zip": z})
	for _, in := range []string{filepath.Join(dir, "x.zip"), dir} {
		prefix := ""
		if in == dir {
			prefix = "x.zip/"
		}
		r := mustFail(t, Options{}, prefix+"b.dll", ruleMalformed, in)
		if fileByPath(r, prefix+"a.dll") != nil || fileByPath(r, prefix+"b.dll") != nil {
			t.Errorf("overlapping entries were read")
		}
	}
}

// overlapZip returns z (one entry) with a second central directory record
// named name (as long as the first's) pointing at the same data.
func overlapZip(t *testing.T, z []byte, name string) []byte {
	t.Helper()
	le := binary.LittleEndian
	eocd := len(z) - 22
	cdSize, cdOff := int(le.Uint32(z[eocd+12:])), int(le.Uint32(z[eocd+16:]))
	rec := append([]byte(nil), z[cdOff:cdOff+cdSize]...)
	nl := int(le.Uint16(rec[28:]))
	if nl != len(name) {
		t.Fatalf("name length %d, want %d", len(name), nl)
	}
	copy(rec[46:], name)
	out := append([]byte(nil), z[:cdOff+cdSize]...)
	out = append(out, rec...)
	end := append([]byte(nil), z[eocd:]...)
	le.PutUint16(end[8:], 2)
	le.PutUint16(end[10:], 2)
	le.PutUint32(end[12:], uint32(2*cdSize))
	return append(out, end...)
}

// Two fat entries pointing at the same bytes, and one overlapping the next
// slice: the slices' signatures cover different bytes than a loader reads.
func TestRedTeamFatOverlappingSlices(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	fat := append([]byte(nil), f.fat...)
	be := binary.BigEndian
	// Second entry := first entry's range, with the x86_64 cpu type kept.
	copy(fat[8+20+8:8+20+16], fat[8+8:8+16])
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"mac/universal": fat})
	wantRules(t, run(t, Options{}, dir), "mac/universal", "codesign/malformed")
	// First slice's size grown into the second slice.
	fat = append([]byte(nil), f.fat...)
	be.PutUint32(fat[8+12:], be.Uint32(fat[8+20+8:])+16)
	writeTree(t, dir, map[string][]byte{"mac/universal": fat})
	wantRules(t, run(t, Options{}, dir), "mac/universal", "codesign/data-outside-slices")
}

// End to end on the demo: the clean release passes its policy, and each
// way of smuggling an unsigned DLL into it fails the gate.
func TestRedTeamDemoSmuggling(t *testing.T) {
	t.Parallel()
	m, err := demo.Build(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pol, err := LoadPolicy(m.Policy)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Policy: pol}
	gate := func() *Report {
		r, err := Release(context.Background(), opts, m.Clean)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := gate(); !r.Summary.Passed {
		t.Fatalf("clean demo release fails: %v", r.Findings)
	}
	f := getFixtures(t)
	far := shiftPEHeader(t, f.peUnsigned, 0x2000)
	for name, b := range map[string][]byte{
		"windows/resources/plugins.zip": makeZip(t, []zipEntry{{name: "codec.dll", data: f.peUnsigned}}),
		"windows/resources/codec.bin":   far,
	} {
		p := writeFile(t, filepath.Join(m.Clean, filepath.FromSlash(name)), b)
		if r := gate(); r.Summary.Passed {
			t.Errorf("%s smuggled through: %v", name, r.Findings)
		}
		os.Remove(p)
	}
}

// A valid primary signature carrying a nested signature by a blocklisted
// certificate: every signature of the file is matched.
func TestRedTeamNestedSignatureBlocklisted(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	bad := f.winRoot.Issue(testpki.Spec{CommonName: "Stolen Cert Ltd", KeyN: 9})
	nested, err := pefile.Sign(f.peUnsigned, pefile.SignSpec{Signer: bad, Certs: []*testpki.Cert{f.winRoot}})
	if err != nil {
		t.Fatal(err)
	}
	img, err := pefile.SignAttach(f.peUnsigned, pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot}, Nested: [][]byte{nested}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"x.dll": img})
	r := run(t, Options{Blocklist: blocklistFor(bad, nil, blocklist.ReasonKeyCompromise)}, dir)
	if n := len(fileByPath(r, "x.dll").Signatures); n != 2 {
		t.Fatalf("%d signatures, want 2", n)
	}
	wantRules(t, r, "x.dll", "signer/blocklisted")
}

// Zips nested in a release may declare at most 100 times the outermost
// archive's size (at least 4 GiB) in entries: a 42.zip-style bomb is
// refused before anything is inflated.
func TestRedTeamNestedZipBomb(t *testing.T) {
	bomb := makeZip(t, []zipEntry{{name: "a", data: []byte("x")}, {name: "b", data: []byte("y")}})
	// Declare 4 GiB - 16 for each entry in the central directory.
	le := binary.LittleEndian
	eocd := len(bomb) - 22
	cd := int(le.Uint32(bomb[eocd+16:]))
	for i := 0; i < 2; i++ {
		le.PutUint32(bomb[cd+24:], 0xfffffff0)
		cd += 46 + int(le.Uint16(bomb[cd+28:])) + int(le.Uint16(bomb[cd+30:])) + int(le.Uint16(bomb[cd+32:]))
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"bomb.zip": bomb})
	z := writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), makeZip(t, []zipEntry{{name: "bomb.zip", data: bomb}}))
	alloc := allocatedBytes(func() {
		wantRules(t, run(t, Options{}, dir), "bomb.zip", ruleUnreadable)
		wantRules(t, run(t, Options{}, z), "bomb.zip", ruleUnreadable)
	})
	// Nothing is sized from the declared 8 GiB: checking the two small
	// zips allocates a couple of MiB.
	if alloc > 64<<20 {
		t.Errorf("checking the bomb allocated %d bytes", alloc)
	}
}

// allocatedBytes returns the bytes the process allocated while f ran
// (f's own, when no parallel test runs meanwhile).
func allocatedBytes(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A small input zip that declares terabytes of entries is refused unread,
// not hashed for days.
func TestRedTeamInputZipBomb(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	fw.Write(make([]byte, 1<<20))
	fw.Close()
	for i := 0; i < 4; i++ {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: fmt.Sprintf("zeros%d.bin", i), Method: zip.Deflate,
			CompressedSize64: uint64(comp.Len()), UncompressedSize64: 1 << 40})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(comp.Bytes())
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "release.zip")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Release(context.Background(), Options{}, p)
	if err != nil {
		t.Fatal(err)
	}
	if r.Summary.Passed || len(r.Files) != 0 {
		t.Fatalf("bomb zip: passed=%v, %d files checked", r.Summary.Passed, len(r.Files))
	}
	found := false
	for _, f := range r.Findings {
		found = found || (f.Rule == "file/unreadable" && strings.Contains(f.Message, "zip bomb"))
	}
	if !found {
		t.Fatalf("no file/unreadable finding: %v", r.Findings)
	}
}

// zipAt returns a zip archive of entries meant to follow prefix bytes of
// other data: with adjust, its offsets count the prefix (as a
// self-extractor's archive is built); without, they start at the archive
// (as when a zip is appended with cat).
func zipAt(t *testing.T, prefix int, adjust bool, entries []zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	if adjust {
		zw.SetOffset(int64(prefix))
	}
	for _, e := range entries {
		m := zip.Deflate
		if e.store {
			m = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: m, Modified: testpki.Epoch})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestZipAfterJunkPrefixOpened: a zip after other bytes is found by its
// end record, whether its offsets count the prefix or not, in a
// directory, given alone, and as a compressed entry of another zip; a
// tampered PE inside is reported.
func TestZipAfterJunkPrefixOpened(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	junk := bytes.Repeat([]byte("not a zip header; "), 100)
	for _, adjust := range []bool{false, true} {
		t.Run(fmt.Sprintf("adjusted=%v", adjust), func(t *testing.T) {
			b := append(append([]byte(nil), junk...), zipAt(t, len(junk), adjust, []zipEntry{
				{name: "bin/ffmpeg.dll", data: f.peTampered},
				{name: "bin/ok.dll", data: f.peValid, store: true},
			})...)
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{
				"data.bin":  b,
				"outer.zip": makeZip(t, []zipEntry{{name: "inner.bin", data: b}}),
			})
			r := mustFail(t, Options{Policy: requireValid()}, "data.bin/bin/ffmpeg.dll", digestMismatch, dir)
			wantRules(t, r, "outer.zip/inner.bin/bin/ffmpeg.dll", digestMismatch)
			for _, p := range []string{"data.bin/bin/ok.dll", "outer.zip/inner.bin/bin/ok.dll"} {
				if fileByPath(r, p) == nil || len(rulesFor(r, p)) != 0 {
					t.Errorf("%s: %v", p, rulesFor(r, p))
				}
			}
			mustFail(t, Options{Policy: requireValid()}, "data.bin/bin/ffmpeg.dll", digestMismatch, filepath.Join(dir, "data.bin"))
		})
	}
}

// TestSelfExtractorCheckedAsPEAndZip: a PE followed by a zip (a
// self-extractor) is verified as a PE and its zip's entries are checked,
// whether the zip is signed with the stub, comes before a certificate
// table larger than the end record's search window, or is appended
// unsigned.
func TestSelfExtractorCheckedAsPEAndZip(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	stub := f.peUnsigned
	payload := []zipEntry{{name: "payload/ffmpeg.dll", data: f.peTampered}, {name: "payload/readme.txt", data: []byte("hello")}}
	sfx := append(append([]byte(nil), stub...), zipAt(t, len(stub), true, payload)...)
	signed, err := pefile.SignAttach(sfx, pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot}})
	if err != nil {
		t.Fatal(err)
	}
	// An unsigned attribute of 80 KB puts the archive's end record more
	// than 64 KiB before the end of the file.
	bigTable, err := pefile.SignAttach(sfx, pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot},
		Unsigned: []testpki.Attr{{Type: []int{1, 3, 6, 1, 4, 1, 99999, 1}, Values: [][]byte{append([]byte{0x04, 0x83, 0x01, 0x38, 0x80}, make([]byte, 80000)...)}}}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(bigTable) - len(sfx); n <= zipTailLen {
		t.Fatalf("certificate table of %d bytes", n)
	}
	appended := append(append([]byte(nil), f.peValid...), zipAt(t, len(f.peValid), false, payload)...)
	cases := []struct {
		name      string
		b         []byte
		peRules   []signing.Rule // error rules of the PE itself
		validStub bool
	}{
		{"signed", signed, nil, true},
		{"big certificate table", bigTable, nil, false},
		{"appended after the signature", appended, []signing.Rule{"authenticode/data-after-cert-table"}, false},
		{"unsigned", sfx, []signing.Rule{ruleUnsigned}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"setup.exe": c.b})
			r := mustFail(t, Options{Policy: requireValid()}, "setup.exe/payload/ffmpeg.dll", digestMismatch, dir)
			pe := fileByPath(r, "setup.exe")
			if pe == nil || pe.Kind != KindPE || len(pe.Signatures) == 0 && c.validStub {
				t.Fatalf("setup.exe: %+v", pe)
			}
			if c.validStub && len(rulesFor(r, "setup.exe")) != 0 {
				t.Errorf("setup.exe: %v", rulesFor(r, "setup.exe"))
			}
			if len(c.peRules) > 0 {
				wantRules(t, r, "setup.exe", c.peRules...)
			}
			if fileByPath(r, "setup.exe/payload/readme.txt") == nil {
				t.Errorf("the archive's other entry is not in the report")
			}
		})
	}
}

// TestZipEndWithoutDirectory: an end record that ends the file but
// describes no central directory is reported, and nothing crashes; an end
// record signature inside a file's data, ending nowhere, is not.
func TestZipEndWithoutDirectory(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	eocd := func(records uint16, dirSize, dirOff uint32, comment string) []byte {
		b := []byte("PK\x05\x06\x00\x00\x00\x00")
		b = binary.LittleEndian.AppendUint16(b, records)
		b = binary.LittleEndian.AppendUint16(b, records)
		b = binary.LittleEndian.AppendUint32(b, dirSize)
		b = binary.LittleEndian.AppendUint32(b, dirOff)
		b = binary.LittleEndian.AppendUint16(b, uint16(len(comment)))
		return append(b, comment...)
	}
	junk := bytes.Repeat([]byte("data "), 200)
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"fake.bin":       cat(junk, eocd(3, 200, 10, "")),
		"huge.bin":       cat(junk, eocd(0xfff0, 0xfffff000, 0xfffffff0, "c")),
		"zip64.bin":      cat(junk, eocd(0xffff, 0xffffffff, 0xffffffff, "")),
		"pe.exe":         cat(f.peUnsigned, eocd(1, 46, 0, "x")),
		"inner.bin":      cat(junk, eocd(1, 46, 0, ""), []byte("more data after the record")),
		"truncated.bin":  cat(junk, eocd(1, 46, 0, "")[:20]),
		"comment.bin":    cat(junk, eocd(1, 46, 0, "")[:20], []byte{0xff, 0xff}),
		"fake.zip.entry": makeZip(t, []zipEntry{{name: "x.bin", data: cat(junk, eocd(2, 92, 0, ""))}}),
	})
	r := run(t, Options{}, dir)
	for _, p := range []string{"fake.bin", "huge.bin", "zip64.bin", "pe.exe", "fake.zip.entry/x.bin"} {
		if !has(rulesFor(r, p), "error "+string(ruleZipInvalid)) {
			t.Errorf("%s: %v", p, rulesFor(r, p))
		}
	}
	for _, p := range []string{"inner.bin", "truncated.bin", "comment.bin"} {
		if got := rulesFor(r, p); len(got) != 0 {
			t.Errorf("%s: %v", p, got)
		}
	}
	for _, fi := range r.Findings {
		if fi.Rule == ruleZipInvalid && (fi.Offset == nil || *fi.Offset <= 0) {
			t.Errorf("%s: no offset", fi.Path)
		}
	}
}

// digestMismatch is the finding of a PE changed after signing.
const digestMismatch = "authenticode/digest-mismatch"

// TestZipEmptyEndRecordAppended: an empty archive's end record appended to
// a zip makes readers that take the last record see no entries; the walk
// still checks the archive before it, given as input or found in a
// release.
func TestZipEmptyEndRecordAppended(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	empty := []byte("PK\x05\x06" + strings.Repeat("\x00", 18))
	z := append(makeZip(t, []zipEntry{{name: "a.dll", data: f.peUnsigned}}), empty...)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"x.zip": z, "data.bin": append([]byte("junk before"), z...)})
	r := mustFail(t, Options{Policy: requireValid()}, "x.zip/a.dll", ruleUnsigned, dir)
	wantRules(t, r, "data.bin/a.dll", ruleUnsigned)
	mustFail(t, Options{Policy: requireValid()}, "a.dll", ruleUnsigned, filepath.Join(dir, "x.zip"))
}

// TestMachOFollowedByZipChecked: a Mach-O file followed by a zip is
// verified as a Mach-O file and its zip's entries are checked.
func TestMachOFollowedByZipChecked(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	for name, m := range map[string][]byte{"thin": f.machoValid, "universal": f.fat} {
		t.Run(name, func(t *testing.T) {
			b := append(append([]byte(nil), m...), zipAt(t, len(m), false, []zipEntry{{name: "payload/ffmpeg.dll", data: f.peTampered}})...)
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"tool": b})
			r := mustFail(t, Options{Policy: requireValid()}, "tool/payload/ffmpeg.dll", digestMismatch, dir)
			if m := fileByPath(r, "tool"); m == nil || !m.Kind.Native() || len(m.Signatures) == 0 {
				t.Errorf("tool: %+v", m)
			}
		})
	}
}

// TestZipLocalEntriesNotInDirectory: two zips end to end read as the
// second to directory readers and as the first to extractors that stream
// local headers from the start; the first one's unlisted entries are
// reported, for a zip in a release and for an input zip. A zip read the
// same both ways is not.
func TestZipLocalEntriesNotInDirectory(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	first := makeZip(t, []zipEntry{{name: "evil.dll", data: f.peUnsigned}})
	second := makeZip(t, []zipEntry{{name: "ok.dll", data: f.peValid}})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"x.zip": append(append([]byte(nil), first...), second...), "y.zip": second})
	r := mustFail(t, Options{Policy: requireValid()}, "x.zip", ruleZipUnlisted, dir)
	if got := rulesFor(r, "y.zip"); len(got) != 0 {
		t.Errorf("y.zip: %v", got)
	}
	mustFail(t, Options{Policy: requireValid()}, "x.zip", ruleZipUnlisted, filepath.Join(dir, "x.zip"))
	if r := run(t, Options{Policy: requireValid()}, filepath.Join(dir, "y.zip")); !r.Summary.Passed {
		t.Errorf("y.zip as input: %v", r.Findings)
	}
}
