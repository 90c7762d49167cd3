package git

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/shipgate/shipgate/signing"
)

// committerDate returns the committer date of commit h, memoized: those of
// the range are recorded as checkCommit parses them, others (the parents at
// the range's boundary) are read once.
func (a *auditor) committerDate(h plumbing.Hash) (time.Time, error) {
	if t, ok := a.committed[h]; ok {
		return t, nil
	}
	b, err := a.r.raw(h, plumbing.CommitObject)
	if err != nil {
		return time.Time{}, err
	}
	c, err := parseCommit(b)
	if err != nil {
		return time.Time{}, fmt.Errorf("git: commit %s: %w", h, err)
	}
	a.noteCommitted(h, c.committer.When)
	return c.committer.When, nil
}

func (a *auditor) noteCommitted(h plumbing.Hash, t time.Time) {
	if a.committed == nil {
		a.committed = map[plumbing.Hash]time.Time{}
	}
	a.committed[h] = t
}

// latestParent returns the latest committer date of c's parents (zero for
// a root commit) and the parent that has it. Dates in the future (reported
// as such by checkDates) are left out: they bound nothing.
func (a *auditor) latestParent(c *rawCommit) (time.Time, string, error) {
	var latest time.Time
	var which string
	for _, p := range c.parents {
		t, err := a.committerDate(plumbing.NewHash(p))
		if err != nil {
			return time.Time{}, "", err
		}
		if t.After(latest) && !a.inFuture(t) {
			latest, which = t, p
		}
	}
	return latest, which, nil
}

// checkSignedAfterParents re-checks a valid SSH signature, which git checks
// at the commit's committer date (allowed_signers valid-after and
// valid-before), at the latest committer date of its parents when the
// commit claims to be older than that by more than the clock skew, and at
// the audit time when it claims to be newer: a commit is made after its
// parents and before the audit, and a committer date is written by whoever
// holds the key, so a key retired by valid-before would otherwise sign new
// commits dated before its retirement, and one not valid yet sign commits
// dated into its validity. It returns the signature to use.
func (a *auditor) checkSignedAfterParents(c *rawCommit, sig *Signature) (*Signature, error) {
	if sig == nil || sig.Format != FormatSSH || sig.Status != signing.StatusValid {
		return sig, nil
	}
	if a.inFuture(c.committer.When) {
		return a.recheck(sig, c.sigs[0], c.payload, a.now, fmt.Sprintf("committed at %s, after the audit time %s",
			c.committer.When.UTC().Format(time.RFC3339), a.now.UTC().Format(time.RFC3339))), nil
	}
	latest, parent, err := a.latestParent(c)
	if err != nil {
		return nil, err
	}
	if !latest.After(c.committer.When.Add(a.pol.clockSkew())) {
		return sig, nil
	}
	return a.recheck(sig, c.sigs[0], c.payload, latest, fmt.Sprintf("committed at %s, before its parent %s (committed at %s)",
		c.committer.When.UTC().Format(time.RFC3339), parent, latest.UTC().Format(time.RFC3339))), nil
}

// recheck verifies the signature armored over payload again at time at,
// the bound of the time it can have been made that why explains, and
// returns sig when it is valid then too, else the result at that time.
//
// When it is valid at both times, only the principals allowed at both
// count: a key with an allowed_signers line for alice that ended and one
// for bob that did not is bob's alone at the later time.
func (a *auditor) recheck(sig *Signature, armored string, payload []byte, at time.Time, why string) *Signature {
	again := a.ver.verify(armored, payload, at)
	if again.Status != signing.StatusValid {
		again.Detail = fmt.Sprintf("%s; at that date: %s", why, again.Detail)
		return again
	}
	out := *sig
	out.Identities = slices.DeleteFunc(slices.Clone(sig.Identities), func(id string) bool { return !slices.Contains(again.Identities, id) })
	out.principalLines = slices.DeleteFunc(slices.Clone(sig.principalLines), func(l []string) bool {
		return !slices.ContainsFunc(again.principalLines, func(m []string) bool { return slices.Equal(l, m) })
	})
	if len(out.Identities) == len(sig.Identities) && len(out.principalLines) == len(sig.principalLines) {
		return sig
	}
	out.Signer = strings.Join(out.Identities, ",")
	if len(out.Identities) == 0 {
		out.Status = signing.StatusUntrusted
	}
	out.Detail = fmt.Sprintf("%s; only the principals allowed then too count: %s", why, orNone(out.Signer))
	return &out
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// checkTagSignedAfterTarget is checkSignedAfterParents for an annotated
// tag: a tag is made before the audit and after the commit it names, so a
// valid SSH signature dated after the audit time is checked at that time,
// and one dated before the commit's committer date at that date.
func (a *auditor) checkTagSignedAfterTarget(t *rawTag, sig *Signature) (*Signature, error) {
	if sig == nil || sig.Format != FormatSSH || sig.Status != signing.StatusValid {
		return sig, nil
	}
	if a.inFuture(t.tagger.When) {
		return a.recheck(sig, t.sig, t.payload, a.now, fmt.Sprintf("tagged at %s, after the audit time %s",
			t.tagger.When.UTC().Format(time.RFC3339), a.now.UTC().Format(time.RFC3339))), nil
	}
	target, ok := parseHex([]byte(t.object))
	if !ok || t.typ != "commit" {
		return sig, nil
	}
	if typ, _, err := a.r.rawTyped(target, plumbing.AnyObject); err != nil || typ != plumbing.CommitObject {
		return sig, nil
	}
	when, err := a.committerDate(target)
	if err != nil {
		return nil, err
	}
	if !when.After(t.tagger.When.Add(a.pol.clockSkew())) || a.inFuture(when) {
		return sig, nil
	}
	return a.recheck(sig, t.sig, t.payload, when, fmt.Sprintf("tagged at %s, before the commit it names %s (committed at %s)",
		t.tagger.When.UTC().Format(time.RFC3339), target, when.UTC().Format(time.RFC3339))), nil
}

// inFuture reports whether t is after the audit time by more than the
// clock skew.
func (a *auditor) inFuture(t time.Time) bool { return t.After(a.now.Add(a.pol.clockSkew())) }

// checkParentDates reports the commits of the range whose committer date is
// earlier than one of their parents' by more than the clock skew: a commit
// is made after its parents, so the date is false (a clock set wrong, or a
// commit backdated to pass a date-bound check). A parent dated in the
// future is reported itself and bounds nothing.
func (a *auditor) checkParentDates(commits []plumbing.Hash) error {
	skew := a.pol.clockSkew()
	for _, h := range commits {
		when, err := a.committerDate(h)
		if err != nil {
			return err
		}
		pc, err := a.r.commit(h)
		if err != nil {
			return err
		}
		for _, p := range pc.parents {
			pt, err := a.committerDate(p)
			if err != nil {
				return err
			}
			if pt.After(when.Add(skew)) && !a.inFuture(pt) {
				id := h.String()
				a.finding(RuleDateAnomaly, signing.SeverityWarning, "", id, fmt.Sprintf("commit %s: committer date %s is earlier than that of its parent %s (%s)",
					id[:12], when.UTC().Format(time.RFC3339), p, pt.UTC().Format(time.RFC3339)))
				break
			}
		}
	}
	return nil
}
