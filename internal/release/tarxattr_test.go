package release

import (
	"archive/tar"
	"bytes"
	"encoding/base64"
	"io/fs"
	"strings"
	"testing"
)

// TestAttackTarHiddenXattr: every SCHILY. and LIBARCHIVE. pax record was
// taken as applied to the file, so an extended attribute (a macOS resource
// fork or decmpfs data holding code, a user.* payload) carried bytes that
// extractors write beside the file and no check reads. They are reported
// now (file/tar-hidden-data), as is a vendor record no extractor applies;
// the attributes that only say where a file came from (quarantine,
// provenance, small) and the records extractors apply are not, and
// security.capability stays file/setuid's.
func TestAttackTarHiddenXattr(t *testing.T) {
	code := strings.Repeat("\xcf\xfa\xed\xfe payload ", 20)
	for _, c := range []struct {
		name string
		recs map[string]string
		want string // in the one problem's message; "" for none
	}{
		{"quarantine", map[string]string{"SCHILY.xattr.com.apple.quarantine": "0083;5f1a2b3c;Safari;"}, ""},
		{"provenance libarchive", map[string]string{"LIBARCHIVE.xattr.com.apple.provenance": base64.StdEncoding.EncodeToString([]byte("\x01\x02\x00\x11\x22\x33\x44\x55\x66\x77\x88"))}, ""},
		{"selinux and acl", map[string]string{"SCHILY.xattr.security.selinux": "system_u:object_r:bin_t:s0", "SCHILY.acl.access": "user::rwx,group::r-x,other::r-x", "SCHILY.fflags": "nodump"}, ""},
		{"capability", map[string]string{"SCHILY.xattr.security.capability": "\x01\x00\x00\x02"}, ""},
		{"resource fork", map[string]string{"SCHILY.xattr.com.apple.ResourceFork": code}, `"com.apple.ResourceFork"`},
		{"resource fork libarchive", map[string]string{"LIBARCHIVE.xattr.com.apple.ResourceFork": base64.StdEncoding.EncodeToString([]byte(code))}, `"com.apple.ResourceFork"`},
		{"decmpfs", map[string]string{"SCHILY.xattr.com.apple.decmpfs": "fpmc\x03"}, `"com.apple.decmpfs"`},
		{"user", map[string]string{"SCHILY.xattr.user.x": "1"}, `"user.x"`},
		{"escaped name", map[string]string{"LIBARCHIVE.xattr.user%2Epayload": "cGF5bG9hZA"}, `"user.payload"`},
		{"large quarantine", map[string]string{"SCHILY.xattr.com.apple.quarantine": strings.Repeat(code, 10)}, `"com.apple.quarantine"`},
		{"sandbox access list", map[string]string{"SCHILY.xattr.com.apple.macl": "\x04\x00" + strings.Repeat("\x01", 70)}, `"com.apple.macl"`},
		{"unknown vendor record", map[string]string{"SCHILY.payload": code}, `"SCHILY.payload"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			tw := tar.NewWriter(&b)
			if err := tw.WriteHeader(&tar.Header{Name: "bin/tool", Typeflag: tar.TypeReg, Size: 1, Mode: 0o755, PAXRecords: c.recs, Format: tar.FormatPAX}); err != nil {
				t.Fatal(err)
			}
			tw.Write([]byte("x"))
			tw.Close()
			checkTarRead(t, b.Bytes(), false, "bin/tool:1", c.want)
		})
	}
}

// TestWritableMessage: an executable that its mode lets every user write,
// or whose ACL lets another user, a group or everyone write, is warned
// of; the owner's and owning group's write, a mask without write, and
// files that are not executable are not.
func TestWritableMessage(t *testing.T) {
	for _, c := range []struct {
		mode fs.FileMode
		recs map[string]string
		want bool
	}{
		{0o777, nil, true},
		{0o757, nil, true},
		{0o775, nil, false},
		{0o666, nil, false},
		{0o755, map[string]string{"SCHILY.acl.access": "user::rwx,group::r-x,other::rwx"}, true},
		{0o755, map[string]string{"SCHILY.acl.access": "user::rwx,user:mallory:rwx:1001,group::r-x,mask::rwx,other::r-x"}, true},
		{0o755, map[string]string{"SCHILY.acl.access": "user::rwx,group:staff:rw-,group::r-x,mask::rwx,other::r-x"}, true},
		{0o755, map[string]string{"SCHILY.acl.access": "user::rwx,user:mallory:rwx,group::r-x,mask::r-x,other::r-x"}, false},
		{0o755, map[string]string{"SCHILY.acl.access": "user::rwx,group::rwx,other::r-x"}, false},
		{0o644, map[string]string{"SCHILY.acl.access": "user::rw-,group::r--,other::rw-"}, false},
		{0o755, map[string]string{"SCHILY.acl.ace": "owner@:rwxpaARWcCos::allow,everyone@:rwxpa-R-c--s::allow"}, true},
		{0o755, map[string]string{"SCHILY.acl.ace": "owner@:rwxpaARWcCos::allow,user:mallory:-w------------::allow:1001"}, true},
		{0o755, map[string]string{"SCHILY.acl.ace": "owner@:rwxpaARWcCos::allow,everyone@:rwxpa-R-c--s::deny,everyone@:r-x---a-R-c--s::allow"}, false},
	} {
		if _, got := WritableMessage("tar", c.mode, c.recs); got != c.want {
			t.Errorf("mode %v, %v: warned %v, want %v", c.mode, c.recs, got, c.want)
		}
	}
}
