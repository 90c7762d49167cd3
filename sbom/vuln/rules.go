package vuln

import "github.com/shipgate/shipgate/signing"

// Rule IDs of the findings Check reports, documented in docs/rules/vuln.md.
const (
	// RuleKnownVulnerable: a package version in the release is affected by
	// an OSV vulnerability record.
	RuleKnownVulnerable signing.Rule = "vuln/known-vulnerable"
	// RuleKnownMalicious: a package version in the release is named by an
	// OSV malicious-package record (MAL-…).
	RuleKnownMalicious signing.Rule = "vuln/known-malicious"
	// RuleNotAffected: a record matched, and an OpenVEX statement declares
	// the product not affected (or fixed); kept as a note for the audit
	// trail.
	RuleNotAffected signing.Rule = "vuln/not-affected"
	// RuleUnknownVersion: a package in the release has no version, or one
	// that is not SemVer, and OSV records name it.
	RuleUnknownVersion signing.Rule = "vuln/unknown-version"
	// RuleNotInventoried: the release holds an asar archive, installer
	// package or disk image whose npm packages were not matched.
	RuleNotInventoried signing.Rule = "vuln/not-inventoried"
	// RuleVEXFutureStatement: an OpenVEX statement (or its document) is
	// dated after the evaluation time plus a small clock skew; it ranks
	// below every statement that is not, instead of outranking them all.
	RuleVEXFutureStatement signing.Rule = "vuln/vex-future-statement"
)
