package release

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// SetuidMessage returns the finding (RuleSetuid) for an archive entry of a
// what ("tar", "zip", "package payload", or "folder" for a file of a
// release folder) whose mode has the set-user-ID or set-group-ID bit, or
// false. The mode is what the archive stores;
// extractors running as root (tar -p, bsdtar as root) and macOS Installer
// apply it, so the file runs with its owner's or group's rights whoever
// starts it, a privilege the release hands out without a check noticing.
// A folder's file has it on disk already, and keeps it when the folder is
// archived, copied with its modes (cp -p, rsync -a) or run in place.
func SetuidMessage(what string, mode fs.FileMode) (string, bool) {
	var bits string
	switch {
	case mode&fs.ModeSetuid != 0 && mode&fs.ModeSetgid != 0:
		bits = "set-user-ID and set-group-ID bits"
	case mode&fs.ModeSetuid != 0:
		bits = "set-user-ID bit"
	case mode&fs.ModeSetgid != 0:
		bits = "set-group-ID bit"
	default:
		return "", false
	}
	if what == "folder" {
		return fmt.Sprintf("file of the release folder has the %s (mode %v): archived or copied with its modes, and extracted or installed as root, it runs with its owner's or group's rights whoever starts it", bits, mode), true
	}
	return fmt.Sprintf("%s entry has the %s (mode %v): extracted as root, or installed, it runs with its owner's or group's rights whoever starts it", what, bits, mode), true
}

// CapabilityMessage returns the finding (RuleSetuid) for a tar file entry
// whose pax records recs set its security.capability extended attribute
// (SCHILY.xattr.…, or LIBARCHIVE.xattr.… as bsdtar writes it), or false:
// GNU tar --xattrs and bsdtar running as root apply it, and file
// capabilities (cap_setuid, cap_sys_admin…) give the file root's powers as
// a set-user-ID bit does.
func CapabilityMessage(recs map[string]string) (string, bool) {
	var keys []string
	for k := range recs {
		if name, ok := strings.CutPrefix(k, "SCHILY.xattr."); ok && name == "security.capability" {
			keys = append(keys, k)
		} else if name, ok := strings.CutPrefix(k, "LIBARCHIVE.xattr."); ok && name == "security.capability" {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return "", false
	}
	slices.Sort(keys)
	return fmt.Sprintf("tar entry carries file capabilities (pax record %s): extracted as root with extended attributes, it runs with the privileges they grant whoever starts it", keys[0]), true
}

// TarSpecialMessage is the finding (RuleTarSpecialEntry) for a tar entry
// that is a device, a pipe or another special file (Entry.Special); it was
// not read (skipped is the walker's verb: "check", "inventory").
func TarSpecialMessage(special, skipped string) string {
	return fmt.Sprintf("tar entry is a %s, which extractors create as a device or pipe, or skip; it holds no file to %s", special, skipped)
}
