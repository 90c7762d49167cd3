package verify

import (
	"archive/tar"
	"path/filepath"
	"testing"
)

// A link is held to the rules for its path with the file it reaches, but
// the file was looked up by its exact name: windows/app.exe, a link to
// "../other/EVIL.DLL", reaches other/evil.dll (signed by someone else) on
// APFS and NTFS, yet was judged as reaching nothing and passed the rule
// allowing only the vendor's signature under windows/.
func TestAttackSymlinkCaseAliasEvadesSignerRule(t *testing.T) {
	f := getFixtures(t)
	foreign := malloryPE(t, f)
	pol := &Policy{Rules: []Rule{
		{Match: []string{"**"}, Require: RequireValid},
		{Match: []string{"rel.tar/windows/**/*.exe"}, Signers: []Signer{{Subject: "CN=Example Vendor Ltd,O=Example Vendor Ltd", Issuer: "CN=Shipgate Test Root"}}},
	}}
	opts := Options{Policy: pol, Trust: f.trust, Time: checkTime}
	for _, l := range [][2]string{
		{"windows/app.exe", "../other/EVIL.DLL"},
		{"windows/app.exe", "../OTHER/evil.dll"},
		{"windows/bin", "../Other"}, // a folder: windows/bin/evil.dll
	} {
		t.Run(l[1], func(t *testing.T) {
			p := writeFile(t, filepath.Join(t.TempDir(), "rel.tar"), makeTar(t,
				tarEntry{name: "other/evil.dll", data: foreign},
				tarEntry{name: l[0], typ: tar.TypeSymlink, link: l[1]},
			))
			at := "rel.tar/" + l[0]
			if l[0] == "windows/bin" {
				at += "/evil.dll"
				pol.Rules[1].Match = []string{"rel.tar/windows/**"}
			}
			mustFail(t, opts, at, ruleSignerNotAllow, p)
		})
	}
	// The vendor's DLL reached in another case passes.
	p := writeFile(t, filepath.Join(t.TempDir(), "rel.tar"), makeTar(t,
		tarEntry{name: "other/good.dll", data: f.peValid},
		tarEntry{name: "windows/app.exe", typ: tar.TypeSymlink, link: "../OTHER/GOOD.dll"},
	))
	if r := run(t, opts, p); !r.Summary.Passed {
		t.Errorf("a link to the vendor's DLL in another case fails: %v", r.Findings)
	}
}
