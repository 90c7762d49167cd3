package codesign

import (
	"fmt"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// verifyOtherVersions verifies each version of a framework beside the
// current one that carries a seal of its own (versions, paths in the
// fs.FS) as a bundle of its own: its files against its seal, its code as
// items. macOS's strict validation does the same (validateOtherVersions),
// against the requirement the framework is sealed with, so a version's
// main executable must carry the current version's identifier and team.
// A version that cannot be verified that way is reported: a seal file
// alone would otherwise hide whatever sits beside it.
func (b *bundleCheck) verifyOtherVersions(versions []string) error {
	var cur *Slice
	if b.mainItem >= 0 && b.out.Items[b.mainItem].Result != nil {
		cur = signedSlice(b.out.Items[b.mainItem].Result)
	}
	for _, v := range versions {
		rel := strings.TrimPrefix(v, b.dir+"/")
		if b.depth+1 > maxNestedDepth {
			b.add(RuleMalformed, signing.SeverityError, v, fmt.Sprintf("bundles nested deeper than %d levels are not verified", maxNestedDepth))
			continue
		}
		if _, ok := locate(b.fsys, v); !ok {
			b.add(RuleResourceModified, signing.SeverityError, v, fmt.Sprintf("framework version %q has a seal but no Info.plist, so it cannot be verified, as macOS verifies every version: nothing covers its files", rel))
			continue
		}
		before := len(b.out.Items)
		if err := verifyBundle(b.fsys, v, b.opts, b.out, b.depth+1, false, b.inherit()); err != nil {
			return err
		}
		var main *Slice
		for _, it := range b.out.Items[before:] {
			if it.Main && it.Bundle == v && it.Result != nil {
				main = signedSlice(it.Result)
			}
		}
		switch {
		case main == nil:
			b.add(RuleResourceModified, signing.SeverityError, v, fmt.Sprintf("framework version %q has no signed main executable, so nothing binds its seal, and macOS, which validates every version, refuses it", rel))
		case cur == nil:
		case main.TeamID != cur.TeamID:
			b.add(RuleTeamIDMismatch, signing.SeverityError, v, fmt.Sprintf("framework version %q is signed by team %q, the current version by team %q: macOS validates every version against the framework's requirement", rel, main.TeamID, cur.TeamID))
		case main.Identifier != cur.Identifier:
			b.add(RuleResourceModified, signing.SeverityError, v, fmt.Sprintf("framework version %q is signed as %q, the current version as %q: macOS validates every version against the framework's requirement", rel, main.Identifier, cur.Identifier))
		}
	}
	return nil
}

// signedSlice returns the first slice of r with a CodeDirectory, nil when
// there is none.
func signedSlice(r *Result) *Slice {
	for i := range r.Slices {
		if len(r.Slices[i].CDHashes) > 0 {
			return &r.Slices[i]
		}
	}
	return nil
}
