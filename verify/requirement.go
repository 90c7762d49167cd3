package verify

import (
	"fmt"
	"path"
	"strings"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/codesign"
)

// compileRequirement compiles a policy's requirement text.
func compileRequirement(text string) (*codesign.Requirement, error) {
	r, err := codesign.CompileRequirement(text)
	if err != nil {
		return nil, fmt.Errorf("requirement %q: %w", text, err)
	}
	return r, nil
}

// reqSubject is one signature a policy requirement is evaluated against:
// a Mach-O slice's, a disk image's, or one of an installer package's.
type reqSubject struct {
	// what names it in messages, in lower case ("the arm64 slice").
	what string
	// isSig reports that what names the signature itself, not the signed
	// thing.
	isSig bool
	// index is its signature's index in the file's signatures; noIndex
	// says there is none to name.
	index   int
	noIndex bool
	// label names a package's signature among the package's others, by
	// index and format ("0 (apple-pkg)"); empty for other subjects.
	label string
	// sig is its verified signature; nil when there is none.
	sig *signing.Signature
	// eval evaluates a requirement against its facts; nil when they were
	// not gathered.
	eval func(*codesign.Requirement) (signing.RequirementResult, []string)
}

// reqSubjects returns what the policy's requirement is evaluated against
// in the file: every slice of a Mach-O file; a disk image's signature, its
// CodeDirectory's identifier and cdhash and its signer chain, as a slice's;
// every signature of an installer package, by its signer chain alone
// (terms about code are undecided there). A file with no signature gives
// one subject without one, so that it fails the requirement. Nil for other
// kinds.
func (c *check) reqSubjects() []reqSubject {
	n := c.native
	sigAt := func(i int) *signing.Signature {
		if i < len(n.sigs) {
			return &n.sigs[i]
		}
		return nil
	}
	var out []reqSubject
	switch c.f.Kind {
	case KindMachO, KindMachOUniversal:
		for i := range n.slices {
			s := &n.slices[i]
			what := "the file"
			if s.Arch != "" {
				what = "the " + s.Arch + " slice"
			}
			out = append(out, reqSubject{what: what, index: i, sig: sigAt(i), eval: s.Satisfies})
		}
		if len(out) == 0 {
			out = append(out, reqSubject{what: "the file", sig: sigAt(0), noIndex: sigAt(0) == nil})
		}
	case KindDMG:
		sub := reqSubject{what: "the disk image " + path.Base(c.f.Path), sig: sigAt(0), noIndex: sigAt(0) == nil}
		if len(n.slices) == 1 {
			sub.eval = n.slices[0].Satisfies
		}
		out = append(out, sub)
	case KindPkg:
		for i := range n.sigs {
			label := fmt.Sprintf("%d (%s)", i, n.sigs[i].Format)
			sub := reqSubject{what: "signature " + label + " of the package " + path.Base(c.f.Path), label: label, isSig: true, index: i, sig: &n.sigs[i]}
			if i < len(n.signers) && len(n.signers[i].Chain) > 0 {
				sc := n.signers[i]
				sub.eval = func(r *codesign.Requirement) (signing.RequirementResult, []string) {
					return r.SatisfiedBySigner(sc.Chain, sc.Trusted, "an installer package")
				}
			}
			out = append(out, sub)
		}
		if len(out) == 0 {
			out = append(out, reqSubject{what: "the package " + path.Base(c.f.Path), sig: &signing.Signature{Status: signing.StatusUnsigned}, noIndex: true})
		}
	}
	return out
}

// checkRequirement evaluates the policy's requirement against every
// signature of a Mach-O file, disk image or installer package (see
// reqSubjects), as `codesign --verify -R=…` does. Anything but satisfied
// is a finding: an unknown outcome is never a pass, and neither is a
// signature that is not intact, or intact but untrusted (anyone can mint a
// certificate with any subject). Ad-hoc signatures are evaluated: cdhash
// and identifier requirements mean something for them. Each slice of a
// Mach-O file is its own code and gets its own finding; a package's
// signatures all vouch for the same bytes, so a package gets one finding
// naming those that fail (see pkgRequirementMessage).
func (c *check) checkRequirement(text string, line int) {
	if c.native == nil || c.malformed {
		return
	}
	subs := c.reqSubjects()
	if len(subs) == 0 {
		return
	}
	req, err := compileRequirement(text)
	if err != nil {
		return // Validate refused it already
	}
	who := "set by the policy"
	if line > 0 {
		who = fmt.Sprintf("set by the policy rule at line %d", line)
	}
	outs := make([]reqOutcome, len(subs))
	for i, s := range subs {
		outs[i] = evalSubject(s, req, who)
	}
	add := func(msg string, s reqSubject) {
		f := c.add(RuleRequirementNotSatisfied, signing.SeverityError, msg)
		if !s.noIndex {
			*f = f.For(s.index)
		}
	}
	if c.f.Kind == KindPkg && len(outs) > 1 {
		msg, failed := pkgRequirementMessage(path.Base(c.f.Path), req, who, outs)
		switch {
		case len(failed) == 1:
			add(msg, failed[0])
		case len(failed) > 1:
			add(msg, reqSubject{noIndex: true})
		}
		return
	}
	for _, o := range outs {
		if !o.ok {
			add(o.msg, o.s)
		}
	}
}

// reqOutcome is one subject's outcome against a requirement: ok when it
// satisfies it, else why not, as a sentence (msg) and, for naming several
// signatures in one finding, as a predicate (one and many are its singular
// and plural forms: "does not satisfy it", "do not satisfy it").
type reqOutcome struct {
	s         reqSubject
	ok        bool
	msg       string
	one, many string
}

// evalSubject evaluates req against one subject; who names the policy
// rule that set it.
func evalSubject(s reqSubject, req *codesign.Requirement, who string) reqOutcome {
	what, sig := s.what, s.sig
	whose := capital(what) + "'s signature"
	if s.isSig {
		whose = capital(what)
	}
	o := reqOutcome{s: s}
	switch {
	case sig == nil:
		o.msg = fmt.Sprintf("%s has no verified signature, so it cannot satisfy the requirement %s (%s)", capital(what), req, who)
		o.one, o.many = "has no verified signature", "have no verified signature"
		return o
	case sig.Status == signing.StatusUnsigned:
		o.msg = fmt.Sprintf("%s is unsigned, so it cannot satisfy the requirement %s (%s)", capital(what), req, who)
		o.one, o.many = "is unsigned", "are unsigned"
		return o
	case sig.Status != signing.StatusValid && sig.Status != signing.StatusAdhoc:
		// An untrusted chain names whoever minted it, and a broken
		// signature vouches for nothing: as with signers, neither can
		// satisfy a requirement.
		o.msg = fmt.Sprintf("%s is %s, so it cannot satisfy the requirement %s (%s)", whose, sig.Status, req, who)
		o.one, o.many = fmt.Sprintf("is %s, so it cannot satisfy it", sig.Status), fmt.Sprintf("are %s, so they cannot satisfy it", sig.Status)
		return o
	case s.eval == nil:
		o.msg = fmt.Sprintf("%s was not verified far enough to evaluate the requirement %s (%s)", whose, req, who)
		o.one, o.many = "was not verified far enough to evaluate it", "were not verified far enough to evaluate it"
		return o
	}
	res, why := s.eval(req)
	switch res {
	case signing.RequirementSatisfied:
		o.ok = true
	case signing.RequirementUnsatisfied:
		o.msg = fmt.Sprintf("%s does not satisfy the requirement %s (%s)", capital(what), req, who)
		o.one, o.many = "does not satisfy it", "do not satisfy it"
	default:
		reason := strings.Join(why, "; ")
		o.msg = fmt.Sprintf("Whether %s satisfies the requirement %s (%s) cannot be decided offline: %s", what, req, who, reason)
		o.one = "is undecided: whether it satisfies it cannot be decided offline (" + reason + ")"
		o.many = "are undecided: whether they satisfy it cannot be decided offline (" + reason + ")"
	}
	return o
}

// pkgRequirementMessage words the one finding about an installer package
// whose signatures do not all satisfy req, and returns the subjects that
// fail (none when every signature satisfies it). The signatures that fail
// for the same reason are named together; when some satisfy req and
// others do not, the message says that they disagree.
func pkgRequirementMessage(base string, req *codesign.Requirement, who string, outs []reqOutcome) (string, []reqSubject) {
	var failed []reqSubject
	var passed []string
	var reasons []string // in order of first appearance
	byReason := map[string][]reqOutcome{}
	for _, o := range outs {
		if o.ok {
			passed = append(passed, o.s.label)
			continue
		}
		failed = append(failed, o.s)
		if _, seen := byReason[o.one]; !seen {
			reasons = append(reasons, o.one)
		}
		byReason[o.one] = append(byReason[o.one], o)
	}
	if len(failed) == 0 {
		return "", nil
	}
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		g := byReason[r]
		labels := make([]string, len(g))
		for j, o := range g {
			labels[j] = o.s.label
		}
		if len(g) == 1 {
			parts[i] = "signature " + labels[0] + " " + g[0].one
		} else {
			parts[i] = "signatures " + andList(labels) + " " + g[0].many
		}
	}
	if len(passed) > 0 {
		sat := "signature " + andList(passed) + " satisfies it"
		if len(passed) > 1 {
			sat = "signatures " + andList(passed) + " satisfy it"
		}
		return fmt.Sprintf("The signatures of the package %s disagree on the requirement %s (%s): %s, but %s",
			base, req, who, sat, strings.Join(parts, "; ")), failed
	}
	return fmt.Sprintf("The package %s fails the requirement %s (%s): %s", base, req, who, strings.Join(parts, "; ")), failed
}

// andList joins items as "a", "a and b", "a, b and c".
func andList(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
