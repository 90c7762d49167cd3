package git

import (
	"fmt"

	"github.com/shipgate/shipgate/signing"
)

// checkTagNames reports an end of the range named by a tag ref whose
// annotated tag object, or a tag object it leads to, carries another name
// (git describe warns "tag 'X' is externally known as 'Y'"). A tag
// object's signature covers its "tag" header, not the ref: pointing refs/tags/v2.0 at the signed tag object of
// v1.0 replays v1.0's signature, so an audit of "v2.0" would vouch for the
// old release's commit under the new name.
func (a *auditor) checkTagNames(ends ...resolvedRev) {
	for _, e := range ends {
		if e.refTag == "" {
			continue
		}
		// Every tag of the chain (resolve read their names): an unsigned
		// tag named right can wrap the signed tag object of another
		// release.
		for i, th := range e.tags {
			name := e.tagNames[i]
			if name == e.refTag {
				continue
			}
			how := "points at"
			if i > 0 {
				how = fmt.Sprintf("leads, through %d tag object(s), to", i)
			}
			a.finding(RuleTagNameMismatch, signing.SeverityError, "", th.String(), fmt.Sprintf(
				"refs/tags/%s %s the annotated tag object %s, which is named %q: its signature and message are those of another tag, replayed under this name (commit %s)",
				e.refTag, how, th, name, e.commit))
		}
	}
}
