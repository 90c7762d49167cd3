package verify

import (
	"fmt"
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

// checkRequirement evaluates the policy's requirement against every slice
// of a Mach-O file, as `codesign --verify -R=…` does. Anything but
// satisfied is a finding: an unknown outcome is never a pass, and neither
// is a signature that is not intact, or intact but untrusted (anyone can
// mint a certificate with any subject). Ad-hoc signatures are evaluated:
// cdhash and identifier requirements mean something for them.
func (c *check) checkRequirement(text string, line int) {
	if (c.f.Kind != KindMachO && c.f.Kind != KindMachOUniversal) || c.native == nil || c.malformed {
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
	for i := range c.native.slices {
		s := &c.native.slices[i]
		what := "the file"
		if s.Arch != "" {
			what = "the " + s.Arch + " slice"
		}
		add := func(msg string) {
			f := c.add(RuleRequirementNotSatisfied, signing.SeverityError, msg)
			*f = f.For(i)
		}
		var sig *signing.Signature
		if i < len(c.native.sigs) {
			sig = &c.native.sigs[i]
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
			add(fmt.Sprintf("%s's signature is %s, so it cannot satisfy the requirement %s (%s)", capital(what), sig.Status, req, who))
			continue
		}
		res, why := s.Satisfies(req)
		switch res {
		case signing.RequirementSatisfied:
		case signing.RequirementUnsatisfied:
			add(fmt.Sprintf("%s does not satisfy the requirement %s (%s)", capital(what), req, who))
		default:
			add(fmt.Sprintf("Whether %s satisfies the requirement %s (%s) cannot be decided offline: %s", what, req, who, strings.Join(why, "; ")))
		}
	}
}
