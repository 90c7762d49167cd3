package report

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// The closed vocabularies of the JSON report (schema version 1), beside
// the Go types that hold them as plain strings.
var (
	signatureFormats = []signing.Format{signing.FormatAuthenticode, signing.FormatAppleCodesign, signing.FormatApplePkg, signing.FormatApplePkgCMS, signing.FormatCatalog}
	digestAlgorithms = []string{"md5", "sha1", "sha256", "sha384", "sha512"}
	timestampKinds   = []signing.TimestampKind{signing.TimestampRFC3161, signing.TimestampLegacy}
	requirementRes   = []signing.RequirementResult{"", signing.RequirementSatisfied, signing.RequirementUnsatisfied, signing.RequirementUnknown}
	notarizations    = []signing.NotarizationStatus{signing.NotarizationNotStapled, signing.NotarizationStapledUnverified, signing.NotarizationMalformed}
	inputKinds       = []InputKind{InputDirectory, InputAppBundle, InputZip, InputAsar, InputFile, InputArchive, InputMultiple}
	policySources    = []PolicySource{PolicyBuiltin, PolicyFile, PolicyBytes}
	reportRuleID     = regexp.MustCompile(`^[a-z]+/[a-z0-9-]+$`)
)

// checkVocabulary reports the first field of r that holds a value outside
// its vocabulary: a file kind, a signature format, a digest algorithm, a
// timestamp kind, a requirement result, a notarization status, an Apple
// certificate kind, an input kind, a policy source or a rule ID that verify
// never writes. ReadJSON refuses such a report: its renderers print these
// fields as names, and a "kind" of "pe\x1b[2K…" is no report of this
// schema.
func (r *Report) checkVocabulary() error {
	bad := func(where, what string, v any) error {
		return fmt.Errorf("%w: %s: unknown %s %q", ErrNotReport, where, what, fmt.Sprint(v))
	}
	for i := range r.Files {
		f := &r.Files[i]
		where := fmt.Sprintf("files[%d]", i)
		if !slices.Contains(kinds, f.Kind) {
			return bad(where, "kind", f.Kind)
		}
		for j := range f.Signatures {
			if err := checkSignature(&f.Signatures[j], fmt.Sprintf("%s.signatures[%d]", where, j), bad); err != nil {
				return err
			}
		}
	}
	for i, f := range r.Findings {
		if !reportRuleID.MatchString(string(f.Rule)) {
			return bad(fmt.Sprintf("findings[%d]", i), "rule", f.Rule)
		}
	}
	if in := r.Input; in != nil {
		for i, p := range append([]Input{*in}, in.Parts...) {
			if !slices.Contains(inputKinds, p.Kind) {
				return bad(fmt.Sprintf("input (part %d)", i), "kind", p.Kind)
			}
		}
	}
	if p := r.Policy; p != nil && !slices.Contains(policySources, p.Source) {
		return bad("policy", "source", p.Source)
	}
	return nil
}

// checkSignature is checkVocabulary for one signature, at where.
func checkSignature(s *signing.Signature, where string, bad func(where, what string, v any) error) error {
	switch {
	case !slices.Contains(signatureFormats, s.Format):
		return bad(where, "format", s.Format)
	case s.Digest != nil && !slices.Contains(digestAlgorithms, s.Digest.Algorithm):
		return bad(where, "digest algorithm", s.Digest.Algorithm)
	case s.Timestamp != nil && !slices.Contains(timestampKinds, s.Timestamp.Kind):
		return bad(where, "timestamp kind", s.Timestamp.Kind)
	case s.DesignatedRequirement != nil && !slices.Contains(requirementRes, s.DesignatedRequirement.Result):
		return bad(where, "designated requirement result", s.DesignatedRequirement.Result)
	case s.Notarization != nil && !slices.Contains(notarizations, s.Notarization.Status):
		return bad(where, "notarization status", s.Notarization.Status)
	case s.Signer != nil && s.Signer.AppleKind != "" && !slices.Contains(signing.AppleCertKinds(), s.Signer.AppleKind):
		return bad(where, "Apple certificate kind", s.Signer.AppleKind)
	}
	if d := s.Digest; d != nil && (!isHex(d.Signed) || !isHex(d.Computed)) {
		return fmt.Errorf("%w: %s: digest is not lowercase hex", ErrNotReport, where)
	}
	return nil
}

// isHex reports whether s is lowercase hex (or empty).
func isHex(s string) bool {
	return strings.Trim(s, "0123456789abcdef") == ""
}
