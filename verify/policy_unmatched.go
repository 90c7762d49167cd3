package verify

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// checkUnmatchedRules reports each policy rule that requires something of
// the files it matches (a status, signers, a Sigstore bundle, a code
// requirement, notarization, or refuses an allowance), whose globs are
// anchored at the input's root, and that matched no file of the release
// (policy/rule-unmatched, a warning): its globs were written for another
// layout —
// `Contents/MacOS/**` for a bundle verified inside its zip, as
// `MyApp.app/Contents/MacOS/…` — or misspelt, and the requirement checked
// nothing while the gate passed. Not reported: a rule that only allows
// (allowUnsigned, require: none) or forbids kinds, which weakens nothing
// where it does not apply; and one with a glob that starts with "**",
// which matches at any depth, so that matching nothing means the release
// holds no such file (a policy's "**/*.dll" rule on a macOS release).
// It is a warning, not an error: one policy may gate several artifacts of
// a release, each verified alone (the demo's gates its .msi, .dmg and
// .pkg), and its rules for one match nothing in the others.
func (e *engine) checkUnmatchedRules() {
	var finds []signing.Finding
	for i := range e.pol.Rules {
		r := &e.pol.Rules[i]
		if e.ruleSeen[i].Load() || !r.restricts() || !r.anchored() {
			continue
		}
		where := "at line " + strconv.Itoa(r.line)
		if r.line == 0 {
			where = fmt.Sprintf("%d", i+1) // a policy built in code
		}
		globs := make([]string, len(r.Match))
		for j, g := range r.Match {
			globs[j] = strconv.Quote(g)
		}
		finds = append(finds, finding(RuleRuleUnmatched, signing.SeverityWarning, "", fmt.Sprintf(
			"the policy rule %s (match %s) requires %s of the files it matches, and matches no file of the release: it checked nothing (globs are relative to the input, \"/\"-separated)",
			where, strings.Join(globs, ", "), r.requirements())))
	}
	e.addFindings(finds...)
}

// restricts reports whether r requires something of the files it matches,
// so that a release none of whose files it matches escapes a check.
func (r *Rule) restricts() bool {
	return r.requirements() != ""
}

// anchored reports whether every glob of r starts at the input's root: a
// glob that starts with "**" fits any layout.
func (r *Rule) anchored() bool {
	for _, g := range r.Match {
		if g == "**" || strings.HasPrefix(g, "**/") {
			return false
		}
	}
	return true
}

// requirements names what r requires of its files, "" when it only allows.
func (r *Rule) requirements() string {
	var what []string
	if r.Require == RequireValid || r.Require == RequireSigned {
		what = append(what, "a "+string(r.Require)+" signature")
	}
	if len(r.Signers) > 0 {
		what = append(what, "signers")
	}
	if r.AllowAdhoc != nil && !*r.AllowAdhoc {
		what = append(what, "no ad-hoc signature")
	}
	if r.AllowUnsigned != nil && !*r.AllowUnsigned {
		what = append(what, "a signature")
	}
	if r.Sigstore != nil {
		what = append(what, "a Sigstore bundle")
	}
	if r.Requirement != "" {
		what = append(what, "a code requirement")
	}
	if r.RequireNotarized == NotarizedStapled || r.RequireNotarized == NotarizedVerified {
		what = append(what, "notarization")
	}
	return strings.Join(what, ", ")
}
