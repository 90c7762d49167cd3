package verify

import (
	"fmt"
	"strings"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
	"github.com/shipgate/shipgate/signing/codesign"
	"github.com/shipgate/shipgate/signing/pkg"
)

// applyPolicy adds the findings of the policy's settings s for file f to
// finds (the verifiers' and blocklists' findings about it) and returns them.
func (e *engine) applyPolicy(f *File, s settings, finds []signing.Finding, malformed bool) []signing.Finding {
	// The policy decides about unsigned, ad-hoc and untrusted code: the
	// verifiers' findings that restate those statuses give way to the
	// policy's, which carry their messages.
	restated := map[int]string{}
	if f.Kind.Native() {
		kept := finds[:0:0]
		for _, x := range finds {
			if _, ok := statusRules[x.Rule]; ok {
				restated[x.Signature] = x.Message
				continue
			}
			kept = append(kept, x)
		}
		finds = kept
	}
	because := func(i int) string {
		m := restated[i]
		if m == "" {
			m = restated[-1]
		}
		if m == "" {
			return ""
		}
		return " (" + m + ")"
	}
	add := func(rule signing.Rule, sev signing.Severity, sig int, msg string) {
		x := finding(rule, sev, f.Path, msg)
		finds = append(finds, x.For(sig))
	}
	for _, k := range s.forbid {
		if k == f.Kind {
			add(RuleForbiddenKind, signing.SeverityError, -1, fmt.Sprintf("files of kind %s are forbidden here by the policy", k))
		}
	}
	if f.Kind.Native() && malformed && !e.anyError(finds) {
		// The findings that say why the file cannot be parsed are turned
		// down or off by the policy; the file is still not verified.
		add(RuleBadSignature, signing.SeverityError, -1, fmt.Sprintf("%s file cannot be parsed, so its signatures were not verified", kindLabel(f.Kind)))
	}
	if !f.Kind.Native() || malformed {
		return finds
	}
	sigs := f.Signatures
	if len(sigs) == 0 {
		sigs = []signing.Signature{{Index: -1, Status: signing.StatusUnsigned}}
	}
	// strict is the severity of a failed requirement: an error when the
	// policy requires it, a warning under the default.
	strict := func(req ...Require) (signing.Severity, bool) {
		if s.require == "" {
			return signing.SeverityWarning, true
		}
		for _, r := range req {
			if s.require == r {
				return signing.SeverityError, true
			}
		}
		return 0, false
	}
	for _, sig := range sigs {
		what := sigName(f, sig)
		switch sig.Status {
		case signing.StatusUnsigned:
			if s.allowUnsigned && !s.signersOverride(s.unsignedRule) {
				continue
			}
			msg := fmt.Sprintf("%s file carries no signature", kindLabel(f.Kind))
			if sig.Arch != "" {
				msg = fmt.Sprintf("the %s slice carries no signature", sig.Arch)
			}
			if sev, ok := strict(RequireValid, RequireSigned); ok && (sev == signing.SeverityError || len(s.signers) == 0) {
				add(RuleUnsigned, sev, sig.Index, capital(msg)+because(sig.Index))
			} else if len(s.signers) > 0 {
				add(RuleSignerNotAllowed, signing.SeverityError, sig.Index, fmt.Sprintf("%s; the policy allows only %s", capital(msg), signersList(s.signers)))
			}
			continue
		case signing.StatusAdhoc:
			if s.allowAdhoc && !s.signersOverride(s.adhocRule) {
				continue
			}
			if sev, ok := strict(RequireValid, RequireSigned); ok && (sev == signing.SeverityError || len(s.signers) == 0) {
				add(RuleAdhocNotAllowed, sev, sig.Index, fmt.Sprintf("%s is ad-hoc signed: intact, but with no signing identity", capital(what))+because(sig.Index))
			} else if len(s.signers) > 0 {
				add(RuleSignerNotAllowed, signing.SeverityError, sig.Index, fmt.Sprintf("%s is ad-hoc signed, with no signing identity; the policy allows only %s", capital(what), signersList(s.signers)))
			}
			continue
		case signing.StatusUntrusted:
			if sev, ok := strict(RequireValid); ok {
				detail := because(sig.Index)
				if detail == "" {
					detail = failedDetail(sig, signing.CheckChain)
				}
				add(RuleUntrusted, sev, sig.Index, fmt.Sprintf("%s is intact but its chain does not reach a trusted root%s", capital(what), detail))
			}
		case signing.StatusRevoked, signing.StatusInvalid, signing.StatusMalformed:
			if !e.explained(finds, sig.Index) {
				add(RuleBadSignature, signing.SeverityError, sig.Index, fmt.Sprintf("%s is %s%s", capital(what), sig.Status, failedDetail(sig, "")))
			}
			continue
		}
		// Valid or untrusted: the identity must be an allowed one.
		if len(s.signers) > 0 {
			if sig.Status != signing.StatusValid {
				add(RuleSignerNotAllowed, signing.SeverityError, sig.Index, fmt.Sprintf("%s is %s, so its signer cannot be relied on; the policy allows only %s", capital(what), sig.Status, signersList(s.signers)))
				continue
			}
			ok := false
			for _, a := range s.signers {
				if a.matches(sig.Signer) && a.fitsFormat(sig.Format) {
					ok = true
					break
				}
			}
			if !ok {
				add(RuleSignerNotAllowed, signing.SeverityError, sig.Index, fmt.Sprintf("%s is by %s, which the policy does not allow (allowed: %s)", capital(what), signerName(sig.Signer), signersList(s.signers)))
			}
		}
	}
	return finds
}

// statusRules are the verifiers' rule IDs that only restate a signature's
// status (unsigned, ad-hoc, untrusted); package verify reports the policy's
// judgement of that status instead.
var statusRules = map[signing.Rule]signing.Status{
	codesign.RuleUnsigned:           signing.StatusUnsigned,
	codesign.RuleAdhoc:              signing.StatusAdhoc,
	codesign.RuleUntrustedChain:     signing.StatusUntrusted,
	authenticode.RuleUntrustedChain: signing.StatusUntrusted,
	pkg.RuleUntrustedChain:          signing.StatusUntrusted,
}

// explained reports whether an error finding about signature i (or about the
// whole file) is already present, at the severity the policy gives it: a
// finding the policy turns off or down explains nothing, or overriding one
// tolerated rule would silence every broken signature of the file.
func (e *engine) explained(finds []signing.Finding, i int) bool {
	for _, f := range finds {
		if f.Signature != i && f.Signature >= 0 {
			continue
		}
		if sev, on := e.pol.severityFor(f.Rule, f.Severity); on && sev == signing.SeverityError {
			return true
		}
	}
	return false
}

// anyError reports whether one of finds is an error at the severity the
// policy gives it.
func (e *engine) anyError(finds []signing.Finding) bool {
	for _, f := range finds {
		if sev, on := e.pol.severityFor(f.Rule, f.Severity); on && sev == signing.SeverityError {
			return true
		}
	}
	return false
}

func sigName(f *File, s signing.Signature) string {
	switch {
	case s.Index < 0:
		return "the file"
	case s.Arch != "":
		return fmt.Sprintf("the %s slice's signature", s.Arch)
	}
	return fmt.Sprintf("signature %d", s.Index)
}

// kindLabel names kind k in a message: "PE", "Mach-O", "universal Mach-O",
// not the lowercase report values ("pe"), which capital would turn into
// "Pe".
func kindLabel(k Kind) string {
	switch k {
	case KindPE:
		return "PE"
	case KindMachO:
		return "Mach-O"
	case KindMachOUniversal:
		return "universal Mach-O"
	case KindMSI:
		return "MSI"
	case KindCAB:
		return "cabinet"
	case KindMSIX:
		return "MSIX package"
	case KindCatalog:
		return "security catalog"
	case KindPowerShell:
		return "PowerShell"
	case KindJScript:
		return "JScript"
	case KindVBScript:
		return "VBScript"
	case KindWSF:
		return "Windows Script"
	case KindPkg:
		return "installer package"
	case KindDMG:
		return "disk image"
	}
	return string(k)
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// failedDetail returns ": detail" of the first failed check (named name, or
// any when name is empty).
func failedDetail(s signing.Signature, name signing.CheckName) string {
	for _, c := range s.Checks {
		if !c.OK && (name == "" || c.Name == name) && c.Detail != "" {
			return ": " + c.Detail
		}
	}
	return ""
}

func signerName(id *signing.Identity) string {
	if id == nil {
		return "no identified signer"
	}
	if id.AppleKind != "" {
		return fmt.Sprintf("%q (issuer %q, SHA-256 %s, Apple kind %s)", id.Subject, id.Issuer, id.SHA256, id.AppleKind)
	}
	return fmt.Sprintf("%q (issuer %q, SHA-256 %s)", id.Subject, id.Issuer, id.SHA256)
}

func signersList(ss []Signer) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = "[" + s.String() + "]"
	}
	return strings.Join(parts, ", ")
}
