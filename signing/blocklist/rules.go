package blocklist

import "github.com/shipgate/shipgate/signing"

// Rule IDs of the findings a Hit becomes.
const (
	// RuleSignerBlocklisted is reported for a signature whose chain holds a
	// blocked certificate.
	RuleSignerBlocklisted signing.Rule = "signer/blocklisted"
	// RuleTSABlocklisted is reported for a signature whose verified
	// timestamp was made by a time-stamping authority whose chain holds a
	// blocked certificate: the timestamp does not count.
	RuleTSABlocklisted signing.Rule = "signer/tsa-blocklisted"
	// RuleFileKnownBad is reported for a file whose hash is listed.
	RuleFileKnownBad signing.Rule = "file/known-bad"
)
