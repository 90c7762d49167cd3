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
			sub := reqSubject{what: fmt.Sprintf("signature %d (%s) of the package %s", i, n.sigs[i].Format, path.Base(c.f.Path)), isSig: true, index: i, sig: &n.sigs[i]}
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
// and identifier requirements mean something for them.
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
	for _, s := range subs {
		what, sig := s.what, s.sig
		whose := capital(what) + "'s signature"
		if s.isSig {
			whose = capital(what)
		}
		add := func(msg string) {
			f := c.add(RuleRequirementNotSatisfied, signing.SeverityError, msg)
			if !s.noIndex {
				*f = f.For(s.index)
			}
		}
		switch {
		case sig == nil:
			add(fmt.Sprintf("%s has no verified signature, so it cannot satisfy the requirement %s (%s)", capital(what), req, who))
			continue
		case sig.Status == signing.StatusUnsigned:
			add(fmt.Sprintf("%s is unsigned, so it cannot satisfy the requirement %s (%s)", capital(what), req, who))
			continue
		case sig.Status != signing.StatusValid && sig.Status != signing.StatusAdhoc:
			// An untrusted chain names whoever minted it, and a broken
			// signature vouches for nothing: as with signers, neither
			// can satisfy a requirement.
			add(fmt.Sprintf("%s is %s, so it cannot satisfy the requirement %s (%s)", whose, sig.Status, req, who))
			continue
		case s.eval == nil:
			add(fmt.Sprintf("%s was not verified far enough to evaluate the requirement %s (%s)", whose, req, who))
			continue
		}
		res, why := s.eval(req)
		switch res {
		case signing.RequirementSatisfied:
		case signing.RequirementUnsatisfied:
			add(fmt.Sprintf("%s does not satisfy the requirement %s (%s)", capital(what), req, who))
		default:
			add(fmt.Sprintf("Whether %s satisfies the requirement %s (%s) cannot be decided offline: %s", what, req, who, strings.Join(why, "; ")))
		}
	}
}
