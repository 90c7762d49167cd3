package walk

import (
	"io/fs"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// PermFindings returns, for the file at report path p, an entry of a what
// ("tar", "zip", "folder", "package payload", "disk image"), the findings
// its mode gives (a zip's by release.ZipMode, a 7-Zip archive's, "7-Zip",
// as bsdtar reads it), in this order: file/setuid for a set-user-ID or
// set-group-ID bit (release.SetuidMessage), file/world-writable for an
// executable file that users other than its owner and group may write
// (release.WritableMessage; recs are a tar entry's pax records, or nil),
// then file/setuid for file capabilities in recs (release.CapabilityMessage).
// Every walker of a release's files (verify's, sbom's, git-audit's
// artifact comparison) asks for all three.
func PermFindings(p, what string, mode fs.FileMode, recs map[string]string) []signing.Finding {
	var out []signing.Finding
	if msg, ok := release.SetuidMessage(what, mode); ok {
		out = append(out, finding(release.RuleSetuid, signing.SeverityError, p, msg))
	}
	if msg, ok := release.WritableMessage(what, mode, recs); ok {
		out = append(out, finding(release.RuleWorldWritable, signing.SeverityWarning, p, msg))
	}
	if msg, ok := release.CapabilityMessage(recs); ok {
		out = append(out, finding(release.RuleSetuid, signing.SeverityError, p, msg))
	}
	return out
}
