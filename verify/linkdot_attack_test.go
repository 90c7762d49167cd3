package verify

import (
	"archive/tar"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
)

// Windows drops the trailing dots and spaces of each name, so a link to
// "../Other./evil.dll" or "../Other /evil.dll" reaches other/evil.dll
// there (signed by someone else), yet was judged as reaching nothing and
// passed the rule allowing only the vendor's signature under windows/;
// and "up./../x", with the link "up" to "..", leads out of the release.
func TestAttackSymlinkTrailingDotTarget(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	mallory := f.winRoot.Issue(testpki.Spec{CommonName: "Mallory Ltd", Organization: "Mallory Ltd", KeyN: 11})
	foreign, err := pefile.SignAttach(f.peUnsigned, pefile.SignSpec{Signer: mallory, Certs: []*testpki.Cert{f.winRoot}})
	if err != nil {
		t.Fatal(err)
	}
	pol := &Policy{Rules: []Rule{
		{Match: []string{"**"}, Require: RequireValid},
		{Match: []string{"windows/**/*.exe"}, Signers: []Signer{{Subject: "CN=Example Vendor Ltd,O=Example Vendor Ltd", Issuer: "CN=Shipgate Test Root"}}},
	}}
	opts := Options{Policy: pol, Trust: f.trust, Time: checkTime}
	for _, target := range []string{"../Other./evil.dll", "../Other /evil.dll", "../other/evil.dll. ", "../Other../evil.dll"} {
		t.Run(target, func(t *testing.T) {
			p := writeFile(t, filepath.Join(t.TempDir(), "rel.tar"), makeTar(t,
				tarEntry{name: "other/evil.dll", data: foreign},
				tarEntry{name: "windows/app.exe", typ: tar.TypeSymlink, link: target},
			))
			mustFail(t, opts, "windows/app.exe", ruleSignerNotAllow, p)
		})
	}
	t.Run("escape", func(t *testing.T) {
		p := writeFile(t, filepath.Join(t.TempDir(), "rel.tar"), makeTar(t,
			tarEntry{name: "sub/up", typ: tar.TypeSymlink, link: ".."},
			tarEntry{name: "sub/b", typ: tar.TypeSymlink, link: "Up./../outside.dll"},
		))
		mustFail(t, Options{}, "sub/b", ruleSymlinkEscape, p)
	})
	// The vendor's DLL under an ordinary inside name passes.
	p := writeFile(t, filepath.Join(t.TempDir(), "rel.tar"), makeTar(t,
		tarEntry{name: "other/good.dll", data: f.peValid},
		tarEntry{name: "other/evil.dll", data: foreign},
		tarEntry{name: "windows/app.exe", typ: tar.TypeSymlink, link: "../other/good.dll"},
	))
	if r := run(t, opts, p); !r.Summary.Passed {
		t.Errorf("a link to the vendor's DLL fails: %v", r.Findings)
	}
}
