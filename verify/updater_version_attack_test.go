package verify

import (
	"encoding/binary"
	"fmt"
	"slices"
	"testing"
	"unicode/utf16"

	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/squirrel"
)

// versionInfo returns a VS_VERSIONINFO holding only a VS_FIXEDFILEINFO
// whose file and product versions are a.b.c.d.
func versionInfo(a, b, c, d uint16) []byte {
	le := binary.LittleEndian
	out := make([]byte, 40+52)
	le.PutUint16(out[0:], uint16(len(out)))
	le.PutUint16(out[2:], 52)
	for i, u := range utf16.Encode([]rune("VS_VERSION_INFO")) {
		le.PutUint16(out[6+2*i:], u)
	}
	ffi := out[40:]
	le.PutUint32(ffi[0:], 0xfeef04bd)
	le.PutUint32(ffi[4:], 0x10000)
	for _, at := range []int{8, 16} { // file, then product version
		le.PutUint32(ffi[at:], uint32(a)<<16|uint32(b))
		le.PutUint32(ffi[at+4:], uint32(c)<<16|uint32(d))
	}
	return out
}

// TestAttackUpdaterFeedVersion: electron-updater installs what its feed
// lists when the feed's version is newer than the running application's,
// and keeps the download when its digest is the feed's. A release whose
// latest.yml gives version 1.4.1 for an installer that is the older 1.3.0
// build (signed, with a known hole, republished under a newer feed)
// passed: url, size and sha512 all named the release's file. The feed's
// version is now compared with the installer's version resource
// (VS_FIXEDFILEINFO's product version, which electron-builder writes as
// major.minor.patch.build): another major, minor or patch is
// file/update-not-in-release. A pre-release or build suffix of the feed's
// version, and an installer without a version resource, are not.
func TestAttackUpdaterFeedVersion(t *testing.T) {
	t.Parallel()
	build := func(rs ...squirrel.BuildResource) []byte {
		b, err := pefixtures.SquirrelSetup(rs)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	v := func(a, b, c, d uint16) squirrel.BuildResource {
		return squirrel.BuildResource{TypeID: 16, ID: 1, Data: versionInfo(a, b, c, d)}
	}
	const name = "Chatterbox-Setup-1.4.1.exe"
	for _, c := range []struct {
		what, version string
		exe           []byte
		want          []string
	}{
		{"the installer of the feed's version", "1.4.1", build(v(1, 4, 1, 0)), nil},
		{"a pre-release of it", "1.4.1-beta.2", build(v(1, 4, 1, 7)), nil},
		{"an installer without a version resource", "1.4.1", build(squirrel.BuildResource{TypeID: 10, ID: 1, Data: []byte("data")}), nil},
		{"an older installer", "1.4.1", build(v(1, 3, 0, 0)), []string{"error latest.yml"}},
		{"a newer feed of the same build", "2.0.0", build(v(1, 4, 1, 0)), []string{"error latest.yml"}},
		{"two version resources, one older", "1.4.1", build(v(1, 4, 1, 0), squirrel.BuildResource{TypeID: 16, ID: 2, Data: versionInfo(1, 3, 0, 0)}), []string{"error latest.yml"}},
	} {
		feed := fmt.Sprintf("version: %s\nfiles:\n  - url: %s\n    sha512: %s\n    size: %d\npath: %s\nsha512: %s\n", c.version, name, sha512B64(c.exe), len(c.exe), name, sha512B64(c.exe))
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{name: c.exe, "latest.yml": []byte(feed)})
		if got := feedFindings(run(t, Options{}, dir)); !slices.Equal(got, c.want) {
			t.Errorf("%s: findings %q, want %q", c.what, got, c.want)
		}
	}
}
