package verify

import (
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/sevenz"
)

// sevenzLink is the attributes p7zip and 7-Zip on Unix give a symbolic
// link, which they extract as one.
const sevenzLink = 0xA1FF8000

// A 7-Zip archive's symbolic links were checked as files holding their
// targets: "windows", a link to "other", put other/app.dll (signed by
// someone else) at windows/app.dll once extracted by 7z on Linux or macOS,
// and the vendor-signers rule for windows/*.dll never saw it; a link out of
// the archive passed too.
func TestAttack7zSymlink(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	foreign := malloryPE(t, f)
	pol := &Policy{Rules: []Rule{
		{Match: []string{"**"}, Require: RequireValid},
		{Match: []string{"rel.7z/windows/*.dll"}, Signers: []Signer{{Subject: "CN=Example Vendor Ltd,O=Example Vendor Ltd", Issuer: "CN=Shipgate Test Root"}}},
	}}
	opts := Options{Policy: pol, Trust: f.trust, Time: checkTime}
	write := func(files ...sevenz.BuildFile) string {
		return writeFile(t, filepath.Join(t.TempDir(), "rel.7z"), sevenz.Build(files))
	}
	p := write(sevenz.BuildFile{Name: "other/app.dll", Data: foreign}, sevenz.BuildFile{Name: "windows", Data: []byte("other"), Attrib: sevenzLink})
	mustFail(t, opts, "rel.7z/windows/app.dll", ruleSignerNotAllow, p)
	p = write(sevenz.BuildFile{Name: "readme.txt", Data: []byte("hi")}, sevenz.BuildFile{Name: "lib/x.so", Data: []byte("/usr/lib/evil.so"), Attrib: sevenzLink})
	mustFail(t, Options{}, "rel.7z/lib/x.so", ruleSymlinkEscape, p)
	// A link to the vendor's DLL passes.
	p = write(sevenz.BuildFile{Name: "other/app.dll", Data: f.peValid}, sevenz.BuildFile{Name: "windows", Data: []byte("other"), Attrib: sevenzLink})
	if r := run(t, opts, p); !r.Summary.Passed {
		t.Errorf("a link to the vendor's DLL fails: %v", r.Findings)
	}
}
