package walk

import "github.com/shipgate/shipgate/signing"

// finding returns a finding of rule at severity sev, at report path p.
func finding(rule signing.Rule, sev signing.Severity, p, msg string) signing.Finding {
	f := signing.NewFinding(rule, sev, msg)
	f.Path = p
	return f
}
