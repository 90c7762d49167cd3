package release

import (
	"archive/tar"
	"encoding/base64"
	"fmt"
	"io/fs"
	"net/url"
	"slices"
	"strings"

	"github.com/shipgate/shipgate/internal/hfsplus"
)

// Extended attributes and ACLs in a tarball's pax records: GNU tar
// (--xattrs, --acls) and bsdtar write them as SCHILY.xattr.NAME (the raw
// value), LIBARCHIVE.xattr.NAME (URL-encoded name, base64 value),
// SCHILY.acl.access, SCHILY.acl.default (POSIX.1e ACLs as text) and
// SCHILY.acl.ace (NFSv4 ACLs), and apply them when they extract as root,
// or with --xattrs / --acls. An attribute's value is bytes beside the file
// that no check reads (a macOS resource fork or decmpfs data can hold
// code), and an ACL can grant what the mode does not.

// tolerateXattr reports whether an extended attribute of n bytes is
// metadata that holds no content: the Finder and download metadata a disk
// image's files may carry (hfsplus.TolerateAttribute, so that a file is
// judged alike in a tarball and in a .dmg), or an SELinux label of at
// most 256 bytes. security.capability is reported as RuleSetuid
// (CapabilityMessage).
func tolerateXattr(name string, n int) bool {
	if name == "security.selinux" {
		return n <= 256
	}
	return hfsplus.TolerateAttribute(name, uint64(n))
}

// vendorRecord reports whether k is a SCHILY. or LIBARCHIVE. pax record
// that GNU tar, star or bsdtar write and apply to the file: its extended
// attributes (checked by hiddenXattr), ACLs (WritableMessage), file
// flags, device and inode numbers, file type, real size (checkRecords),
// creation time and the kind of a Windows symbolic link.
func vendorRecord(k string) bool {
	if strings.HasPrefix(k, "SCHILY.xattr.") || strings.HasPrefix(k, "LIBARCHIVE.xattr.") {
		return true
	}
	switch k {
	case "SCHILY.acl.access", "SCHILY.acl.default", "SCHILY.acl.ace", "SCHILY.fflags",
		"SCHILY.dev", "SCHILY.ino", "SCHILY.nlink", "SCHILY.filetype", "SCHILY.realsize",
		"LIBARCHIVE.creationtime", "LIBARCHIVE.symlinktype":
		return true
	}
	return false
}

// xattrOf returns the extended attribute the pax record k sets, with the
// length of its value v, or false.
func xattrOf(k, v string) (string, int, bool) {
	if name, ok := strings.CutPrefix(k, "SCHILY.xattr."); ok {
		return name, len(v), true
	}
	name, ok := strings.CutPrefix(k, "LIBARCHIVE.xattr.")
	if !ok {
		return "", 0, false
	}
	if u, err := url.PathUnescape(name); err == nil {
		name = u
	}
	n := len(v)
	if b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(v, "=")); err == nil {
		n = len(b)
	}
	return name, n, true
}

// hiddenXattr returns the first (by key) pax record of h that sets an
// extended attribute other than security.capability and the tolerated
// ones (tolerateXattr), with the attribute's name and
// length, or "".
func hiddenXattr(h *tar.Header) (key, name string, n int) {
	var keys []string
	for k := range h.PAXRecords {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		name, n, ok := xattrOf(k, h.PAXRecords[k])
		if !ok || name == "security.capability" || tolerateXattr(name, n) {
			continue
		}
		return k, name, n
	}
	return "", "", 0
}

// xattrProblemMessage is the message of a ProblemHiddenData for entry idx
// whose pax record key sets extended attribute name, of n bytes.
func xattrProblemMessage(idx int, key, name string, n int) string {
	return fmt.Sprintf("tar entry %d carries the extended attribute %q (pax record %s), %d bytes that GNU tar --xattrs and bsdtar write beside the file and no check reads (a resource fork or compressed data there can hold code)", idx, name, key, n)
}

// WritableMessage returns the finding (RuleWorldWritable) for a file of a
// what ("tar", "zip", "folder") whose mode has an execute bit and which
// users other than its owner and group may write: its mode grants write to
// others, or its ACL (recs, a tar entry's pax records; nil for other
// containers) grants write to another user or group, or to everyone. Such
// a program, installed, can be replaced by any local user, who then runs
// code as whoever starts it.
func WritableMessage(what string, mode fs.FileMode, recs map[string]string) (string, bool) {
	if mode&0o111 == 0 {
		return "", false
	}
	subject := what + " entry"
	if what == "folder" {
		subject = "file of the release folder"
	}
	if mode&0o002 != 0 {
		return fmt.Sprintf("%s is executable and writable by every user (mode %v): installed so, any local user can replace the program others run", subject, mode), true
	}
	for _, k := range []string{"SCHILY.acl.access", "SCHILY.acl.ace"} {
		v, ok := recs[k]
		if !ok {
			continue
		}
		who := aclWriters(v)
		if k == "SCHILY.acl.ace" {
			who = aceWriters(v)
		}
		if who != "" {
			return fmt.Sprintf("%s is executable and its ACL (pax record %s) grants write to %s: extracted with its ACLs (tar --acls, bsdtar as root), that user can replace the program others run", subject, k, who), true
		}
	}
	return "", false
}

// aclWriters returns the first entry of a POSIX.1e text ACL
// ("user::rwx,user:bob:rw-,group::r-x,mask::rwx,other::r--") that grants
// write to a user other than the owner or the owning group ("other", a
// named user or group, subject to the mask), or "".
func aclWriters(acl string) string {
	entries := strings.FieldsFunc(acl, func(r rune) bool { return r == ',' || r == '\n' })
	maskW := true
	for _, e := range entries {
		f := strings.Split(strings.TrimSpace(e), ":")
		if len(f) >= 3 && (f[0] == "mask" || f[0] == "m") {
			maskW = strings.Contains(f[2], "w")
		}
	}
	for _, e := range entries {
		f := strings.Split(strings.TrimSpace(e), ":")
		if len(f) < 3 || !strings.Contains(f[2], "w") {
			continue
		}
		switch tag := f[0]; {
		case tag == "other" || tag == "o":
			return "every user (" + strings.TrimSpace(e) + ")"
		case (tag == "user" || tag == "u" || tag == "group" || tag == "g") && f[1] != "" && maskW:
			return strings.TrimSpace(e)
		}
	}
	return ""
}

// aceWriters returns the first allow entry of an NFSv4 ACL as bsdtar
// writes it ("owner@:rwxp…:-------:allow,everyone@:rw…::allow") that grants
// write or append to everyone@ or to a named user or group, or "".
func aceWriters(acl string) string {
	for _, e := range strings.Split(acl, ",") {
		f := strings.Split(strings.TrimSpace(e), ":")
		if len(f) < 4 || f[len(f)-2] != "allow" && f[len(f)-1] != "allow" {
			continue
		}
		tag, perms := f[0], f[1]
		if tag == "user" || tag == "group" {
			if len(f) < 5 {
				continue
			}
			perms = f[2]
		}
		if !strings.ContainsAny(perms, "wp") {
			continue
		}
		if tag == "everyone@" || tag == "user" || tag == "group" {
			return strings.TrimSpace(e)
		}
	}
	return ""
}
