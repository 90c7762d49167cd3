package verify

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// setuidFindings returns the finding for the file at report path p, an
// entry of a what ("tar", "zip", "package payload"), whose mode has the
// set-user-ID or set-group-ID bit, or none. The mode is what the archive
// stores; extractors running as root (tar -p, bsdtar as root) and macOS
// Installer apply it, so the file runs with its owner's or group's rights
// whoever starts it, a privilege the release hands out without a check
// noticing.
func setuidFindings(p, what string, mode fs.FileMode) []signing.Finding {
	var bits string
	switch {
	case mode&fs.ModeSetuid != 0 && mode&fs.ModeSetgid != 0:
		bits = "set-user-ID and set-group-ID bits"
	case mode&fs.ModeSetuid != 0:
		bits = "set-user-ID bit"
	case mode&fs.ModeSetgid != 0:
		bits = "set-group-ID bit"
	default:
		return nil
	}
	return []signing.Finding{finding(RuleSetuid, signing.SeverityError, p,
		fmt.Sprintf("%s entry has the %s (mode %v): extracted as root, or installed, it runs with its owner's or group's rights whoever starts it", what, bits, mode))}
}

// capabilityFindings returns the finding for the tar file entry at report
// path p whose pax records set its security.capability extended attribute
// (SCHILY.xattr.…, or LIBARCHIVE.xattr.… as bsdtar writes it), or none:
// GNU tar --xattrs and bsdtar running as root apply it, and file
// capabilities (cap_setuid, cap_sys_admin…) give the file root's powers as
// a set-user-ID bit does.
func capabilityFindings(p string, recs map[string]string) []signing.Finding {
	var keys []string
	for k := range recs {
		if name, ok := strings.CutPrefix(k, "SCHILY.xattr."); ok && name == "security.capability" {
			keys = append(keys, k)
		} else if name, ok := strings.CutPrefix(k, "LIBARCHIVE.xattr."); ok && name == "security.capability" {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.Sort(keys)
	return []signing.Finding{finding(RuleSetuid, signing.SeverityError, p,
		fmt.Sprintf("tar entry carries file capabilities (pax record %s): extracted as root with extended attributes, it runs with the privileges they grant whoever starts it", keys[0]))}
}
