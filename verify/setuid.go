package verify

import (
	"fmt"
	"io/fs"

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
