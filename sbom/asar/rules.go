package asar

import "github.com/shipgate/shipgate/signing"

// Rule IDs of the findings that errors of this package become (see
// [EntryError.Finding] and [FormatError.Finding]), documented in
// docs/rules/sbom.md.
const (
	// RuleMalformed is the rule ID of an archive whose header cannot be read.
	RuleMalformed signing.Rule = "asar/malformed"
	// RuleMalformedEntry is the rule ID of a header entry that is neither a
	// directory, a file nor a link ([ErrMalformedEntry], [ErrTooDeep]).
	RuleMalformedEntry signing.Rule = "asar/malformed-entry"
	// RuleUnsafeName is the rule ID of an entry name that is not a single
	// path element ([ErrInsecurePath]).
	RuleUnsafeName signing.Rule = "asar/unsafe-name"
	// RuleDuplicateEntry is the rule ID of a name listed twice in a
	// directory ([ErrDuplicate]).
	RuleDuplicateEntry signing.Rule = "asar/duplicate-entry"
	// RuleOutOfBounds is the rule ID of a packed file reaching past the end
	// of the archive ([ErrOutOfBounds]).
	RuleOutOfBounds signing.Rule = "asar/out-of-bounds"
	// RuleOverlap is the rule ID of a packed file whose bytes overlap another
	// packed file's ([ErrOverlap]).
	RuleOverlap signing.Rule = "asar/overlapping-entries"
	// RuleUnownedData is the rule ID of archive bytes no header field or
	// readable file owns ([ErrUnownedData]).
	RuleUnownedData signing.Rule = "asar/unowned-data"
	// RuleLinkEscape is the rule ID of a link whose target leaves the archive
	// ([ErrLinkEscape]).
	RuleLinkEscape signing.Rule = "asar/link-escape"
	// RuleLinkLoop is the rule ID of a link that does not resolve within the
	// step bound ([ErrLinkLoop]).
	RuleLinkLoop signing.Rule = "asar/link-loop"
	// RuleDanglingLink is the rule ID of a link to a missing path
	// ([ErrDanglingLink]).
	RuleDanglingLink signing.Rule = "asar/dangling-link"
	// RuleUnpackedMissing is the rule ID of an unpacked file that cannot be
	// read from app.asar.unpacked ([ErrUnpacked]).
	RuleUnpackedMissing signing.Rule = "asar/unpacked-missing"
	// RuleIntegrityMismatch is the rule ID of a file whose bytes do not match
	// the integrity the header records ([ErrIntegrity]).
	RuleIntegrityMismatch signing.Rule = "asar/integrity-mismatch"
	// RuleNoIntegrity is the rule ID of a file without recorded integrity
	// ([ErrNoIntegrity]).
	RuleNoIntegrity signing.Rule = "asar/no-integrity"
)
