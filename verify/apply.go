package verify

import (
	"fmt"
	"slices"
	"strings"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
	"github.com/shipgate/shipgate/signing/codesign"
	"github.com/shipgate/shipgate/signing/pkg"
)

// applyPolicy adds the findings of the policy's settings s for file f to
// finds (the verifiers' and blocklists' findings about it) and returns them.
func (e *engine) applyPolicy(f *File, s settings, finds []signing.Finding, malformed bool) []signing.Finding {
	if !f.Kind.Native() && !slices.Contains(s.forbid, f.Kind) {
		return finds // most files of a release: nothing to judge
	}
	j := &judgement{e: e, f: f, s: s, finds: finds}
	j.dropRestated()
	for _, k := range s.forbid {
		if k == f.Kind {
			j.add(RuleForbiddenKind, signing.SeverityError, -1, fmt.Sprintf("files of kind %s are forbidden here by the policy", k))
		}
	}
	if f.Kind.Native() && malformed && !e.anyError(j.finds) {
		// The findings that say why the file cannot be parsed are turned
		// down or off by the policy; the file is still not verified.
		j.add(RuleBadSignature, signing.SeverityError, -1, fmt.Sprintf("%s file cannot be parsed, so its signatures were not verified", kindLabel(f.Kind)))
	}
	if !f.Kind.Native() || malformed {
		return j.finds
	}
	sigs := f.Signatures
	if len(sigs) == 0 {
		sigs = []signing.Signature{{Index: -1, Status: signing.StatusUnsigned}}
	}
	for _, sig := range sigs {
		if j.judgeStatus(sig) {
			j.judgeSigner(sig)
		}
	}
	return j.finds
}

// judgement is applyPolicy's state while it judges one file: the findings so
// far and the messages of the verifiers' findings that the policy restates.
type judgement struct {
	e        *engine
	f        *File
	s        settings
	restated map[int]string
	finds    []signing.Finding
}

// dropRestated removes the verifiers' findings that restate a native file's
// unsigned, ad-hoc or untrusted status and keeps their messages: the policy
// decides about those statuses, and its findings carry the messages.
func (j *judgement) dropRestated() {
	if !j.f.Kind.Native() {
		return
	}
	kept := j.finds[:0:0]
	for _, x := range j.finds {
		if _, ok := statusRules[x.Rule]; ok {
			if j.restated == nil {
				j.restated = map[int]string{}
			}
			j.restated[x.Signature] = x.Message
			continue
		}
		kept = append(kept, x)
	}
	j.finds = kept
}

// because is the restated message about signature i (or the whole file), in
// parentheses, or "".
func (j *judgement) because(i int) string {
	m := j.restated[i]
	if m == "" {
		m = j.restated[-1]
	}
	if m == "" {
		return ""
	}
	return " (" + m + ")"
}

// add adds a finding about signature sig of the file.
func (j *judgement) add(rule signing.Rule, sev signing.Severity, sig int, msg string) {
	x := finding(rule, sev, j.f.Path, msg)
	j.finds = append(j.finds, x.For(sig))
}

// strict is the severity of a failed requirement: an error when the
// policy requires it, a warning under the default.
func (j *judgement) strict(req ...Require) (signing.Severity, bool) {
	if j.s.require == "" {
		return signing.SeverityWarning, true
	}
	for _, r := range req {
		if j.s.require == r {
			return signing.SeverityError, true
		}
	}
	return 0, false
}

// judgeStatus adds the findings about signature sig's status and reports
// whether its signer is still to be judged (a valid or untrusted signature).
func (j *judgement) judgeStatus(sig signing.Signature) bool {
	f, s := j.f, j.s
	what := sigName(f, sig)
	switch sig.Status {
	case signing.StatusUnsigned:
		if s.allowUnsigned && !s.signersOverride(s.unsignedRule) {
			return false
		}
		msg := fmt.Sprintf("%s file carries no signature", kindLabel(f.Kind))
		if sig.Arch != "" {
			msg = fmt.Sprintf("the %s slice carries no signature", sig.Arch)
		}
		if sev, ok := j.strict(RequireValid, RequireSigned); ok && (sev == signing.SeverityError || len(s.signers) == 0) {
			j.add(RuleUnsigned, sev, sig.Index, capital(msg)+j.because(sig.Index))
		} else if len(s.signers) > 0 {
			j.add(RuleSignerNotAllowed, signing.SeverityError, sig.Index, fmt.Sprintf("%s; the policy allows only %s", capital(msg), signersList(s.signers)))
		}
		return false
	case signing.StatusAdhoc:
		if s.allowAdhoc && !s.signersOverride(s.adhocRule) {
			return false
		}
		if sev, ok := j.strict(RequireValid, RequireSigned); ok && (sev == signing.SeverityError || len(s.signers) == 0) {
			j.add(RuleAdhocNotAllowed, sev, sig.Index, fmt.Sprintf("%s is ad-hoc signed: intact, but with no signing identity", capital(what))+j.because(sig.Index))
		} else if len(s.signers) > 0 {
			j.add(RuleSignerNotAllowed, signing.SeverityError, sig.Index, fmt.Sprintf("%s is ad-hoc signed, with no signing identity; the policy allows only %s", capital(what), signersList(s.signers)))
		}
		return false
	case signing.StatusUntrusted:
		if sev, ok := j.strict(RequireValid); ok {
			detail := j.because(sig.Index)
			if detail == "" {
				detail = failedDetail(sig, signing.CheckChain)
			}
			j.add(RuleUntrusted, sev, sig.Index, fmt.Sprintf("%s is intact but its chain does not reach a trusted root%s", capital(what), detail))
		}
	case signing.StatusRevoked, signing.StatusInvalid, signing.StatusMalformed:
		if !j.e.explained(j.finds, sig.Index) {
			j.add(RuleBadSignature, signing.SeverityError, sig.Index, fmt.Sprintf("%s is %s%s", capital(what), sig.Status, failedDetail(sig, "")))
		}
		return false
	}
	return true
}

// judgeSigner adds a finding when the policy names the allowed signers and
// signature sig (valid or untrusted) is not by one of them.
func (j *judgement) judgeSigner(sig signing.Signature) {
	s := j.s
	if len(s.signers) == 0 {
		return
	}
	what := sigName(j.f, sig)
	if sig.Status != signing.StatusValid {
		j.add(RuleSignerNotAllowed, signing.SeverityError, sig.Index, fmt.Sprintf("%s is %s, so its signer cannot be relied on; the policy allows only %s", capital(what), sig.Status, signersList(s.signers)))
		return
	}
	for _, a := range s.signers {
		if a.matches(sig.Signer) && a.fitsFormat(sig.Format) && a.fitsAnchor(sig.Chain) {
			if a.nameOnly() {
				j.e.namePins.note(a, j.f.Path, sig)
			}
			return
		}
	}
	j.add(RuleSignerNotAllowed, signing.SeverityError, sig.Index, fmt.Sprintf("%s is by %s, which the policy does not allow (allowed: %s)%s", capital(what), signerName(sig.Signer), signersList(s.signers), unanchoredTeam(sig, s.signers)))
	for _, a := range s.signers {
		if sig.Signer != nil && a.Subject != "" && confusable(sig.Signer.Subject, a.Subject) {
			j.add(RuleConfusableName, signing.SeverityWarning, sig.Index, fmt.Sprintf("%s is by %q, which looks like the allowed signer %q but differs in letters of other scripts that look like Latin ones: it is another signer", capital(what), sig.Signer.Subject, a.Subject))
		}
	}
}

// unanchoredTeam explains, for a signature no allowed signer matched, that
// one would have matched by team ID had the chain ended at Apple's root.
func unanchoredTeam(sig signing.Signature, signers []Signer) string {
	for _, a := range signers {
		if a.TeamID != "" && a.matches(sig.Signer) && a.fitsFormat(sig.Format) {
			root := "no root"
			if len(sig.Chain) > 0 {
				root = fmt.Sprintf("%q", sig.Chain[len(sig.Chain)-1].Subject)
			}
			return fmt.Sprintf("; it claims Apple team ID %q, but its chain ends at %s, not at one of Apple's roots, so the team ID is not Apple's word", sig.Signer.TeamID, root)
		}
	}
	return ""
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
	case KindEncodedScript:
		return "Script Encoder"
	case KindBatch:
		return "batch"
	case KindHTMLApplication:
		return "HTML Application"
	case KindScriptComponent:
		return "Windows Script Component"
	case KindTerminalScript:
		return "Terminal script"
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
