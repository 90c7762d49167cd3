package verify

// Red-team regression tests, third pass: each test is one attack on the
// gate (a false PASS, or a small input that costs too much).

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

func TestWindowsName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"app.exe":                  "app.exe",
		"app.exe.":                 "app.exe",
		"app.exe . .":              "app.exe",
		"app.exe::$DATA":           "app.exe",
		"app.exe:evil":             "app.exe",
		"windows./app.exe":         "windows/app.exe",
		"a b/c.d.dll":              "a b/c.d.dll",
		".config/x":                ".config/x",
		"rel.zip/win ./lib.dll...": "rel.zip/win/lib.dll",
		"app.exe\x00.txt":          "app.exe",
	} {
		if got := windowsName(in); got != want {
			t.Errorf("windowsName(%q) = %q, want %q", in, got, want)
		}
	}
}

// A rule requires our signer on windows/*.exe. A PE validly signed by
// someone else, named so that the rule does not match but Windows installs it
// as windows/app.exe, must not pass.
func TestWindowsAliasEvadesSignerRule(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	foreign := malloryPE(t, f)
	pol := &Policy{Rules: []Rule{
		{Match: []string{"**"}, Require: RequireValid},
		{Match: []string{"windows/*.exe"}, Signers: []Signer{{Subject: "CN=Example Vendor Ltd,O=Example Vendor Ltd", Issuer: "CN=Shipgate Test Root"}}},
	}}
	opts := Options{Policy: pol, Trust: f.trust, Time: checkTime}

	// The rule itself works: the foreign signer under the real name fails.
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"windows/app.exe": foreign})
	mustFail(t, opts, "windows/app.exe", ruleSignerNotAllow, dir)

	for _, name := range []string{"windows/app.exe.", "windows/app.exe ", "windows/app.exe::$DATA", "windows./app.exe"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"windows/readme.txt": []byte("hi")})
			writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), foreign)
			mustFail(t, opts, name, ruleWindowsAlias, dir)
		})
	}

	// A NUL cannot be in a name on disk, but can be in a zip entry's, and
	// an extractor written in C stops the name there: on every system, so
	// the entry is an unsafe path, not checked (TestAttackZipNULInName).
	z := writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), makeZip(t, []zipEntry{{name: "windows/app.exe\x00.txt", data: foreign}}))
	mustFail(t, opts, "", ruleInsecurePath, z)

	// Our own signature under its real name passes.
	dir = t.TempDir()
	writeTree(t, dir, map[string][]byte{"windows/app.exe": f.peValid, "docs/notes.txt.": []byte("text")})
	if r := run(t, opts, dir); !r.Summary.Passed {
		t.Errorf("clean release fails: %v", r.Findings)
	}
}

// A policy that tones down the verifier's own finding about a broken
// signature must not make the broken signature pass: policy/bad-signature
// takes over, as it does when no verifier finding explains the status.
func TestSeverityOverrideKeepsBrokenSignatureAnError(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"app.exe": f.peTampered})
	for _, sev := range []map[string]string{
		{"authenticode/digest-mismatch": "warning"},
		{"authenticode/digest-mismatch": "off"},
		{"authenticode/*": "note"},
	} {
		pol := &Policy{Severity: sev}
		r := mustFail(t, Options{Policy: pol, Trust: f.trust, Time: checkTime}, "app.exe", ruleBadSignature, dir)
		if s := fileByPath(r, "app.exe"); s == nil || len(s.Signatures) == 0 || s.Signatures[0].Status != signing.StatusInvalid {
			t.Errorf("%v: tampered PE not reported invalid: %+v", sev, s)
		}
	}
	// Turning policy/bad-signature off too is an explicit choice.
	pol := &Policy{Severity: map[string]string{"authenticode/digest-mismatch": "off", "policy/bad-signature": "off"}}
	if r := run(t, Options{Policy: pol, Trust: f.trust, Time: checkTime}, dir); !r.Summary.Passed {
		t.Errorf("both rules off: findings %v", r.Findings)
	}
}

// A zip entry whose attributes say directory but whose name has no trailing
// slash is extracted as a file by Info-ZIP's unzip; the walker skipped it as
// a directory, so an unsigned DLL went unchecked.
func TestZipDirectoryEntryWithData(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	z := writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), makeZip(t, []zipEntry{
		{name: "win/", mode: fs.ModeDir | 0o755},
		{name: "win/evil.dll", data: f.peUnsigned, mode: fs.ModeDir | 0o755},
		{name: "win/readme.txt", data: []byte("hi")},
	}))
	mustFail(t, Options{Policy: requireValid()}, "win/evil.dll", ruleMalformed, z)

	// Empty directories, with or without the trailing slash, are fine.
	z = writeFile(t, filepath.Join(t.TempDir(), "ok.zip"), makeZip(t, []zipEntry{
		{name: "win/", mode: fs.ModeDir | 0o755},
		{name: "win/empty", mode: fs.ModeDir | 0o755},
		{name: "win/readme.txt", data: []byte("hi")},
	}))
	if r := run(t, Options{Policy: requireValid()}, z); !r.Summary.Passed {
		t.Errorf("empty directories fail the gate: %v", r.Findings)
	}
}

// A signers rule pins who signs a path. Unsigned or ad-hoc code there used
// to get only the default warning (no require set), or nothing at all when
// an earlier, broader rule allowed it: a trojan ad-hoc signed main
// executable passed a policy that names the team that must sign it.
func TestSignersRefuseUnsignedAndAdhoc(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	yes := true
	cases := []struct {
		name  string
		rules []Rule
		pass  bool
	}{
		{"signers only", []Rule{
			{Match: []string{"MacOS/*"}, Signers: []Signer{{TeamID: "ABCDE12345"}}},
		}, false},
		{"earlier allowance", []Rule{
			{Match: []string{"**"}, Require: RequireValid, AllowAdhoc: &yes, AllowUnsigned: &yes},
			{Match: []string{"MacOS/*"}, Signers: []Signer{{TeamID: "ABCDE12345"}}},
		}, false},
		{"later exception", []Rule{
			{Match: []string{"**"}, Signers: []Signer{{TeamID: "ABCDE12345"}}},
			{Match: []string{"MacOS/*"}, AllowAdhoc: &yes, AllowUnsigned: &yes},
		}, true},
		{"same rule", []Rule{
			{Match: []string{"MacOS/*"}, Signers: []Signer{{TeamID: "ABCDE12345"}}, AllowAdhoc: &yes, AllowUnsigned: &yes},
		}, true},
	}
	for _, c := range cases {
		for name, b := range map[string][]byte{"adhoc": f.machoAdhoc, "unsigned": f.machoUnsigned} {
			t.Run(c.name+"/"+name, func(t *testing.T) {
				dir := t.TempDir()
				writeTree(t, dir, map[string][]byte{"MacOS/app": b})
				opts := Options{Policy: &Policy{Rules: c.rules}, Trust: f.trust, Time: checkTime}
				if c.pass {
					if r := run(t, opts, dir); !r.Summary.Passed {
						t.Errorf("fails: %v", r.Findings)
					}
					return
				}
				rule := ruleSignerNotAllow
				if c.rules[0].Require == RequireValid {
					rule = map[string]signing.Rule{"adhoc": ruleAdhoc, "unsigned": ruleUnsigned}[name]
				}
				mustFail(t, opts, "MacOS/app", rule, dir)
			})
		}
	}
}

// NTFS compares upper-cased names, so "ınstaller.exe" (dotless i) is the
// installer.exe a signers rule names; lower-casing alone missed it.
func TestCaseFoldAliasEvadesSignerRule(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	foreign := malloryPE(t, f)
	pol := &Policy{Rules: []Rule{
		{Match: []string{"**"}, Require: RequireValid},
		{Match: []string{"windows/installer.exe"}, Signers: []Signer{{Subject: "CN=Example Vendor Ltd,O=Example Vendor Ltd", Issuer: "CN=Shipgate Test Root"}}},
	}}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"windows/ınstaller.exe": foreign})
	mustFail(t, Options{Policy: pol, Trust: f.trust, Time: checkTime}, "windows/ınstaller.exe", ruleSignerNotAllow, dir)
}

// A symbolic link is a file where it lies to whatever installs the release.
// "windows/app.exe" as a link to a DLL signed by someone else escaped the
// signers rule for windows/*.exe: links were left to be checked at their
// targets, under the targets' rules.
func TestSymlinkAliasEvadesSignerRule(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	foreign := malloryPE(t, f)
	pol := &Policy{Rules: []Rule{
		{Match: []string{"**"}, Require: RequireValid},
		{Match: []string{"windows/*.exe", "windows/bin/**"}, Signers: []Signer{{Subject: "CN=Example Vendor Ltd,O=Example Vendor Ltd", Issuer: "CN=Shipgate Test Root"}}},
	}}
	opts := Options{Policy: pol, Trust: f.trust, Time: checkTime}
	symlink := func(t *testing.T, target, name string) {
		t.Helper()
		if err := os.Symlink(target, name); err != nil {
			t.Skip("no symbolic links here:", err)
		}
	}

	t.Run("file link", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"windows/lib/codec.dll": foreign})
		symlink(t, "lib/codec.dll", filepath.Join(dir, "windows", "app.exe"))
		mustFail(t, opts, "windows/app.exe", ruleSignerNotAllow, dir)
	})
	t.Run("directory link", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"windows/lib/codec.dll": foreign})
		symlink(t, "lib", filepath.Join(dir, "windows", "bin"))
		mustFail(t, opts, "windows/bin/codec.dll", ruleSignerNotAllow, dir)
	})
	t.Run("link to link", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"windows/lib/codec.dll": foreign})
		symlink(t, "lib", filepath.Join(dir, "windows", "lib2"))
		symlink(t, "lib2/codec.dll", filepath.Join(dir, "windows", "app.exe"))
		mustFail(t, opts, "windows/app.exe", ruleSignerNotAllow, dir)
	})
	t.Run("zip link", func(t *testing.T) {
		z := writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), makeZip(t, []zipEntry{
			{name: "windows/lib/codec.dll", data: foreign},
			{name: "windows/app.exe", data: []byte("lib/codec.dll"), mode: fs.ModeSymlink | 0o777},
		}))
		mustFail(t, opts, "windows/app.exe", ruleSignerNotAllow, z)
	})
	t.Run("asar link", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"windows/resources/app.asar": packAsar([]electronfix.AsarFile{
			{Path: "package.json", Data: []byte(`{"name":"x"}`)},
			{Path: "lib/codec.node", Data: foreign},
			{Path: "native/addon.node", Link: "lib/codec.node"},
		})})
		pol := &Policy{Rules: []Rule{
			{Match: []string{"**"}, Require: RequireValid},
			{Match: []string{"**/app.asar/native/**"}, Signers: []Signer{{Subject: "CN=Example Vendor Ltd,O=Example Vendor Ltd", Issuer: "CN=Shipgate Test Root"}}},
		}}
		mustFail(t, Options{Policy: pol, Trust: f.trust, Time: checkTime}, "windows/resources/app.asar/native/addon.node", ruleSignerNotAllow, dir)
	})
	t.Run("loop and same rules", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"windows/app.exe": f.peValid, "windows/lib/codec.dll": f.peValid})
		symlink(t, "b", filepath.Join(dir, "windows", "a"))
		symlink(t, "a", filepath.Join(dir, "windows", "b"))
		symlink(t, "app.exe", filepath.Join(dir, "windows", "current.exe"))
		symlink(t, "..", filepath.Join(dir, "windows", "lib", "up"))
		if r := run(t, opts, dir); !r.Summary.Passed {
			t.Errorf("links to allowed files fail: %v", r.Findings)
		}
	})
}

// Every link to the release's root stands for every file again: n links and
// n DLLs make n² paths to judge. The walk stops at a bound and fails closed.
func TestSymlinkAliasesBounded(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	var entries []zipEntry
	for i := range 130 {
		entries = append(entries, zipEntry{name: fmt.Sprintf("lib/%d.dll", i), data: f.peUnsigned})
	}
	for i := range 130 {
		entries = append(entries, zipEntry{name: fmt.Sprintf("a%03d", i), data: []byte("."), mode: fs.ModeSymlink | 0o777})
	}
	z := writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), makeZip(t, entries))
	// The DLLs may be unsigned where they lie, not under the links: every
	// path judged through a link gives a finding, which counts the work.
	pol := &Policy{Rules: []Rule{{Match: []string{"lib/**"}, Require: RequireNone}, {Match: []string{"a*/**"}, Require: RequireValid}}}
	r := run(t, Options{Policy: pol}, z)
	// The work is counted by its findings: each path judged gives at most
	// one, so the bound holds them to maxLinkAliases rather than n².
	linked := 0
	for _, x := range r.Findings {
		if strings.HasPrefix(x.Path, "a") {
			linked++
		}
	}
	if linked > maxLinkAliases+1 {
		t.Errorf("%d findings at link paths: more than %d paths judged", linked, maxLinkAliases)
	}
	found := false
	for _, x := range r.Findings {
		found = found || (x.Rule == ruleUnreadable && strings.Contains(x.Message, "symbolic links reach native code"))
	}
	if !found || r.Summary.Passed {
		t.Errorf("no bound finding; passed %v", r.Summary.Passed)
	}
}

// A leaf under a trusted root that is not Apple's claims a team ID with
// Apple's leaf marker and the team in its OU: a teamID signer rule must not
// take the claim (the codesign verifier wants the Developer ID CA marker on
// the issuer, so the chain is untrusted and the signer not allowed).
func TestTeamIDClaimUnderNonAppleCA(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	rogue := f.winRoot.Issue(testpki.Spec{
		CommonName: "Developer ID Application: Mallory (" + machofile.TeamID + ")", OrganizationalUnit: machofile.TeamID,
		KeyN: 21, ExtraExtensions: machofile.DeveloperIDLeafExtensions(),
	})
	spec := f.apple.DeveloperIDSpec("com.example.app")
	s := f.apple.Signer()
	s.Leaf, s.Chain = rogue, nil
	spec.CMS = s.CMS
	b, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 5}), spec)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"MacOS/app": b})
	pol := &Policy{Rules: []Rule{{Match: []string{"**"}, Signers: []Signer{{TeamID: machofile.TeamID}}}}}
	mustFail(t, Options{Policy: pol, Trust: f.trust, Time: checkTime}, "MacOS/app", ruleSignerNotAllow, dir)
}

// An unsigned DLL packed into an archive shipgate does not open (bzip2, or
// gzip holding no tar archive) was never seen: the gate that requires every
// native file to be signed passed without a word.
func TestUncheckedArchiveReported(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(f.peUnsigned)
	zw.Close()
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"resources/codec.dll.gz":    gz.Bytes(),
		"resources/plugins.tar.bz2": append([]byte("BZh91AY&SY"), f.peUnsigned...),
		"resources/notes.txt":       []byte("plain text"),
	})
	r := run(t, Options{Policy: requireValid()}, dir)
	for _, p := range []string{"resources/codec.dll.gz", "resources/plugins.tar.bz2"} {
		if got := rulesFor(r, p); !has(got, "warning "+string(ruleUncheckedArchive)) {
			t.Errorf("%s: findings %q", p, got)
		}
	}
	if got := rulesFor(r, "resources/notes.txt"); len(got) != 0 {
		t.Errorf("plain text: findings %q", got)
	}
	pol := requireValid()
	pol.Severity = map[string]string{string(ruleUncheckedArchive): "error"}
	mustFail(t, Options{Policy: pol}, "resources/codec.dll.gz", ruleUncheckedArchive, dir)
}

// A native file that cannot be parsed is not verified, even when the policy
// turns down the finding that says why.
func TestSeverityOverrideKeepsMalformedNativeAnError(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"app.exe": f.peValid[:0x120]})
	pol := &Policy{Severity: map[string]string{"file/*": "warning", "authenticode/*": "warning"}}
	mustFail(t, Options{Policy: pol, Trust: f.trust, Time: checkTime}, "app.exe", ruleBadSignature, dir)
	pol.Severity["policy/bad-signature"] = "off"
	if r := run(t, Options{Policy: pol, Trust: f.trust, Time: checkTime}, dir); !r.Summary.Passed {
		t.Errorf("every rule off: %v", r.Findings)
	}
}

// A zip entry whose local header names another file than its central
// directory record: Go, unzip and Python extract readme.txt, a streaming
// extractor (Java's ZipInputStream) writes the unsigned DLL as readme.dll,
// which the rule for *.dll never judged.
func TestZipLocalNameDiffers(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	pol := &Policy{Rules: []Rule{{Match: []string{"**/*.dll"}, Require: RequireValid}}}
	for _, store := range []bool{true, false} {
		z := makeZip(t, []zipEntry{
			{name: "win/a.txt", data: []byte("first")},
			{name: "win/readme.txt", data: f.peUnsigned, store: store},
			{name: "win/z.txt", data: []byte("last")},
		})
		i := bytes.Index(z, []byte("win/readme.txt"))
		copy(z[i:], "win/readme.dll") // the local header comes first
		p := writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), z)
		mustFail(t, Options{Policy: pol}, "win/readme.txt", ruleMalformed, p)
	}
	// Untouched archives, stored and deflated, with data descriptors, give
	// no such finding.
	z := writeFile(t, filepath.Join(t.TempDir(), "ok.zip"), makeZip(t, []zipEntry{
		{name: "win/a.txt", data: []byte("first")},
		{name: "win/readme.txt", data: []byte("text holding PK\x03\x04 like a header"), store: true},
		{name: "win/s.txt", data: []byte("stored"), store: true},
	}))
	if r := run(t, Options{Policy: pol}, z); len(r.Findings) != 0 {
		t.Errorf("clean zip: %v", r.Findings)
	}
}

// TestAsarTrailingBytesReported: bytes appended to an asar archive after
// its last file's data belong to no entry, and neither the header hash nor
// any file's integrity covers them. They are asar/unowned-data at the
// archive's path and offset, whether the archive is in a release folder,
// given on its own, or inside a zip.
func TestAsarTrailingBytesReported(t *testing.T) {
	t.Parallel()
	a := packAsar([]electronfix.AsarFile{{Path: "package.json", Data: []byte(`{"name":"x"}`)}, {Path: "index.js", Data: []byte("1")}})
	clean := int64(len(a))
	a = append(a, bytes.Repeat([]byte("MZ-hidden-payload"), 200)...)
	wantAt := func(t *testing.T, input, p string) {
		t.Helper()
		r := mustFail(t, Options{Policy: requireValid()}, p, "asar/unowned-data", input)
		for _, f := range r.Findings {
			if f.Rule == "asar/unowned-data" && f.Path == p {
				if f.Offset == nil || *f.Offset != clean || !strings.Contains(f.Message, "3400 bytes") {
					t.Errorf("finding at offset %v: %s; want offset %d, 3400 bytes", f.Offset, f.Message, clean)
				}
				return
			}
		}
	}
	t.Run("release", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"resources/app.asar": a})
		wantAt(t, dir, "resources/app.asar")
	})
	t.Run("lone", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "app.asar")
		os.WriteFile(p, a, 0o644)
		wantAt(t, p, "app.asar")
	})
	t.Run("zip", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "rel.zip")
		os.WriteFile(p, makeZip(t, []zipEntry{{name: "resources/app.asar", data: a}}), 0o644)
		wantAt(t, p, "resources/app.asar")
	})
}

// malloryPE returns the fixtures' unsigned PE validly signed by Mallory Ltd,
// a signer the test root issued that no vendor policy allows.
func malloryPE(t *testing.T, f *fixtures) []byte {
	t.Helper()
	mallory := f.winRoot.Issue(testpki.Spec{CommonName: "Mallory Ltd", Organization: "Mallory Ltd", KeyN: 11})
	foreign, err := pefile.SignAttach(f.peUnsigned, pefile.SignSpec{Signer: mallory, Certs: []*testpki.Cert{f.winRoot}})
	if err != nil {
		t.Fatal(err)
	}
	return foreign
}
