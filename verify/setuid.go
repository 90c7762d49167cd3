package verify

import (
	"io/fs"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// setuidFindings returns the finding for the file at report path p, an
// entry of a what ("tar", "zip", "package payload"), whose mode has the
// set-user-ID or set-group-ID bit, or none (release.SetuidMessage).
func setuidFindings(p, what string, mode fs.FileMode) []signing.Finding {
	if msg, ok := release.SetuidMessage(what, mode); ok {
		return []signing.Finding{finding(RuleSetuid, signing.SeverityError, p, msg)}
	}
	return nil
}

// writableFindings returns the warning for the executable file at report
// path p, an entry of a what ("tar", "zip", "folder", "package payload",
// "disk image"), that users other than its owner and group may write, or
// none (release.WritableMessage).
func writableFindings(p, what string, mode fs.FileMode, recs map[string]string) []signing.Finding {
	if msg, ok := release.WritableMessage(what, mode, recs); ok {
		return []signing.Finding{finding(RuleWorldWritable, signing.SeverityWarning, p, msg)}
	}
	return nil
}

// permFindings returns, for the file at report path p, an entry of a what,
// the findings its mode gives (setuidFindings, writableFindings; recs are
// a tar entry's pax records, or nil): each reader of a release's files
// asks for both.
func permFindings(p, what string, mode fs.FileMode, recs map[string]string) []signing.Finding {
	return append(setuidFindings(p, what, mode), writableFindings(p, what, mode, recs)...)
}

// capabilityFindings returns the finding for the tar file entry at report
// path p whose pax records set its security.capability extended attribute,
// or none (release.CapabilityMessage).
func capabilityFindings(p string, recs map[string]string) []signing.Finding {
	if msg, ok := release.CapabilityMessage(recs); ok {
		return []signing.Finding{finding(RuleSetuid, signing.SeverityError, p, msg)}
	}
	return nil
}
