package verify

import (
	"archive/tar"
	"fmt"
	"path"
	"path/filepath"
	"testing"
)

// A link is held to the rules for its path with the file it reaches, but
// the file was looked up by its exact name: windows/app.exe, a link to
// "../other/EVIL.DLL", reaches other/evil.dll (signed by someone else) on
// APFS and NTFS, yet was judged as reaching nothing and passed the rule
// allowing only the vendor's signature under windows/.
func TestAttackSymlinkCaseAliasEvadesSignerRule(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	foreign := malloryPE(t, f)
	pol := &Policy{Rules: []Rule{
		{Match: []string{"**"}, Require: RequireValid},
		{Match: []string{"windows/**/*.exe"}, Signers: []Signer{{Subject: "CN=Example Vendor Ltd,O=Example Vendor Ltd", Issuer: "CN=Shipgate Test Root"}}},
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
			at := l[0]
			if l[0] == "windows/bin" {
				at += "/evil.dll"
				pol.Rules[1].Match = []string{"windows/**"}
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

// A link was looked up only by its case-insensitive key, and of a pair of
// case twins (lib/A.dll and lib/a.dll, a file/name-collision warning) the
// key kept whichever came last: a link to the foreign twin was judged with
// the vendor's and passed (on Linux it reaches the foreign one), and a
// link to the vendor's twin could be judged with the foreign one and fail.
// Lookups are exact first; a target only a key finds is judged with every
// twin of that key.
func TestAttackSymlinkCaseTwins(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	foreign := malloryPE(t, f)
	pol := &Policy{Rules: []Rule{
		{Match: []string{"**"}, Require: RequireValid},
		{Match: []string{"windows/**"}, Signers: []Signer{{Subject: "CN=Example Vendor Ltd,O=Example Vendor Ltd", Issuer: "CN=Shipgate Test Root"}}},
	}}
	opts := Options{Policy: pol, Trust: f.trust, Time: checkTime}
	for _, c := range []struct {
		evil, good, link string
		pass             bool
	}{
		{"lib/A.dll", "lib/a.dll", "../lib/A.dll", false},
		{"lib/a.dll", "lib/A.dll", "../lib/a.dll", false},
		{"lib/A.dll", "lib/a.dll", "../lib/a.dll", true},
		{"lib/a.dll", "lib/A.dll", "../lib/A.dll", true},
		{"lib/A.dll", "lib/a.dll", "../LIB/a.DLL", false}, // only the key finds them: both judged
		{"lib/a.dll", "lib/A.dll", "../lib/A.DLL", false},
		{"lib/A.dll", "lib/a.dll", "../lib", false}, // a folder: both files under it
	} {
		for _, order := range []bool{false, true} {
			name := fmt.Sprintf("%s->%s/evil-first=%v", c.link, map[bool]string{true: "good", false: "evil"}[c.pass], order)
			t.Run(name, func(t *testing.T) {
				ents := []tarEntry{{name: c.evil, data: foreign}, {name: c.good, data: f.peValid}}
				if order {
					ents[0], ents[1] = ents[1], ents[0]
				}
				at := "windows/app.exe"
				if c.link == "../lib" {
					at = "windows/bin"
				}
				ents = append(ents, tarEntry{name: at, typ: tar.TypeSymlink, link: c.link})
				p := writeFile(t, filepath.Join(t.TempDir(), "rel.tar"), makeTar(t, ents...))
				if !c.pass {
					if at == "windows/bin" {
						at += "/" + path.Base(c.evil)
					}
					mustFail(t, opts, at, ruleSignerNotAllow, p)
					return
				}
				r := run(t, opts, p)
				if got := findingsOf(r, ruleSignerNotAllow); !r.Summary.Passed || len(got) != 0 {
					t.Errorf("a link to the vendor's twin: passed %v, findings %v", r.Summary.Passed, r.Findings)
				}
				if len(findingsOf(r, ruleNameCollision)) == 0 {
					t.Errorf("the twins are not a %s finding", ruleNameCollision)
				}
			})
		}
	}
}

// Links that are case twins (other/Cur.dll to the vendor's DLL,
// other/cur.dll to a foreign one) are one link on APFS or NTFS, to either
// DLL: a link reaching them only by key is judged with both; one naming a
// twin exactly with that twin's target.
func TestAttackSymlinkCaseTwinLinks(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	pol := &Policy{Rules: []Rule{
		{Match: []string{"**"}, Require: RequireValid},
		{Match: []string{"windows/**"}, Signers: []Signer{{Subject: "CN=Example Vendor Ltd,O=Example Vendor Ltd", Issuer: "CN=Shipgate Test Root"}}},
	}}
	opts := Options{Policy: pol, Trust: f.trust, Time: checkTime}
	tarball := func(link string) string {
		return writeFile(t, filepath.Join(t.TempDir(), "rel.tar"), makeTar(t,
			tarEntry{name: "other/good.dll", data: f.peValid},
			tarEntry{name: "other/evil.dll", data: malloryPE(t, f)},
			tarEntry{name: "other/Cur.dll", typ: tar.TypeSymlink, link: "good.dll"},
			tarEntry{name: "other/cur.dll", typ: tar.TypeSymlink, link: "evil.dll"},
			tarEntry{name: "windows/app.exe", typ: tar.TypeSymlink, link: link},
		))
	}
	mustFail(t, opts, "windows/app.exe", ruleSignerNotAllow, tarball("../other/CUR.dll"))
	mustFail(t, opts, "windows/app.exe", ruleSignerNotAllow, tarball("../other/cur.dll"))
	if r := run(t, opts, tarball("../other/Cur.dll")); len(findingsOf(r, ruleSignerNotAllow)) != 0 {
		t.Errorf("a link to the vendor's twin link fails: %v", r.Findings)
	}
}
