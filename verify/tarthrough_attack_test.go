package verify

import (
	"archive/tar"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// An archive holding the link "w" to "windows" and the file "w/evil.dll"
// put a DLL signed by someone else into windows/ once extracted by tools
// that follow links in a path's folders (GNU tar, Python's tarfile), while
// shipgate held it to the rules for w/evil.dll: only a name-collision
// warning, so the gate passed at --fail-on error.
func TestAttackArchiveEntryThroughOwnSymlink(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	foreign := malloryPE(t, f)
	vendor := []Signer{{Subject: "CN=Example Vendor Ltd,O=Example Vendor Ltd", Issuer: "CN=Shipgate Test Root"}}
	pol := &Policy{Rules: []Rule{
		{Match: []string{"**"}, Require: RequireValid},
		{Match: []string{"windows/*.dll"}, Signers: vendor},
	}}
	opts := Options{Policy: pol, Trust: f.trust, Time: checkTime}
	for name, link := range map[string]string{"same case": "w", "other case": "W", "trailing dot": "w.", "trailing space": "W "} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			p := writeFile(t, filepath.Join(dir, "rel.tar"), makeTar(t,
				tarEntry{name: "windows/ok.dll", data: f.peValid},
				tarEntry{name: link, typ: tar.TypeSymlink, link: "windows"},
				tarEntry{name: "w/evil.dll", data: foreign},
			))
			mustFail(t, opts, "w/evil.dll", ruleInsecurePath, p)
			z := writeFile(t, filepath.Join(dir, "rel.zip"), makeZip(t, []zipEntry{
				{name: "windows/ok.dll", data: f.peValid},
				{name: link, data: []byte("windows"), mode: fs.ModeSymlink | 0o777},
				{name: "w/evil.dll", data: foreign},
			}))
			mustFail(t, opts, "w/evil.dll", ruleInsecurePath, z)
		})
	}
	// A hard or symbolic link stored through the link is the file it
	// reaches, in windows/ once extracted.
	p := writeFile(t, filepath.Join(t.TempDir(), "rel.tar"), makeTar(t,
		tarEntry{name: "other/foreign.dll", data: foreign},
		tarEntry{name: "w", typ: tar.TypeSymlink, link: "windows"},
		tarEntry{name: "w/hard.dll", typ: tar.TypeLink, link: "other/foreign.dll"},
		tarEntry{name: "w/soft.dll", typ: tar.TypeSymlink, link: "../other/foreign.dll"},
	))
	mustFail(t, opts, "w/hard.dll", ruleInsecurePath, p)
	mustFail(t, opts, "w/soft.dll", ruleInsecurePath, p)
	// A link beside the file, not on its path, is no finding.
	p = writeFile(t, filepath.Join(t.TempDir(), "rel.tar"), makeTar(t,
		tarEntry{name: "windows/ok.dll", data: f.peValid},
		tarEntry{name: "w", typ: tar.TypeSymlink, link: "windows"},
		tarEntry{name: "wx/other.dll", data: foreign},
	))
	if r := run(t, opts, p); !r.Summary.Passed {
		t.Errorf("a link beside a file fails: %v", r.Findings)
	}
}

// Two inputs whose names differ in case are two roots: a link of one is on
// no path of the other's files.
func TestThroughLinkOtherInput(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	writeTree(t, base, map[string][]byte{"a/x/readme.txt": []byte("hi"), "A/readme.txt": []byte("hi")})
	if _, err := os.Stat(filepath.Join(base, "a", "x")); err != nil {
		t.Skip("case-insensitive file system")
	}
	symlinkTree(t, filepath.Join(base, "A"), [][2]string{{"x", "readme.txt"}})
	if r := run(t, Options{}, filepath.Join(base, "A"), filepath.Join(base, "a")); !r.Summary.Passed {
		t.Errorf("a link of another input fails: %v", r.Findings)
	}
}
