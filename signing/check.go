package signing

// Check is one named test of a signature with its outcome. Every verdict is
// explained by its checks: a Status other than valid always has at least one
// failed Check saying why.
type Check struct {
	// Name identifies the test, such as [CheckDigest], [CheckChain] or
	// [CheckTimestamp].
	Name CheckName `json:"name"`
	// OK reports whether the test passed.
	OK bool `json:"ok"`
	// Detail says what was compared or why the test failed.
	Detail string `json:"detail,omitempty"`
}

// Severity ranks a Finding. The zero value is SeverityNote.
type Severity int

const (
	// SeverityNote is informational.
	SeverityNote Severity = iota
	// SeverityWarning is suspicious or weak but not proof of tampering.
	SeverityWarning
	// SeverityError fails the gate by default.
	SeverityError
)

var severityNames = [...]string{"note", "warning", "error"}

// String returns "note", "warning" or "error".
func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return "unknown"
	}
	return severityNames[s]
}

// MarshalText encodes the severity as its name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes "note", "warning" or "error".
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSeverity returns the Severity named name.
func ParseSeverity(name string) (Severity, error) {
	for i, n := range severityNames {
		if n == name {
			return Severity(i), nil
		}
	}
	return 0, &UnknownSeverityError{Name: name}
}

// UnknownSeverityError results when a severity name is not note, warning or error.
type UnknownSeverityError struct{ Name string }

func (e *UnknownSeverityError) Error() string {
	return "signing: unknown severity " + quote(e.Name) + " (want note, warning or error)"
}

// Finding is one problem found in a release, named by a stable rule ID such as
// "authenticode/cert-table-padding". It is the shape of the JSON report's
// finding object, shared by every producer (verifiers, blocklists, diff, git
// audit) so that reports and policies treat them alike.
type Finding struct {
	// Rule is the rule ID, "family/name", documented in docs/rules.md.
	Rule Rule `json:"rule"`
	// Severity is the producer's default severity; a policy may override it.
	Severity Severity `json:"severity"`
	// Path is the file the finding is about, relative to the verified input
	// ("/"-separated). Verifiers of one file leave it empty; package verify
	// fills it in. Producers covering several files (bundles) set it relative
	// to what they were given, and the caller prefixes it.
	Path string `json:"path,omitempty"`
	// Message explains this occurrence.
	Message string `json:"message"`
	// Offset is the byte offset in the file the finding is about; nil when no
	// single offset applies.
	Offset *int64 `json:"offset,omitempty"`
	// Commit is the full git object id the finding is about, when it is about one.
	Commit string `json:"commit,omitempty"`
	// Signature is the index of the signature the finding is about, or -1. It
	// is not serialized: reports relate findings to files, not signatures.
	Signature int `json:"-"`
}

// NewFinding returns a Finding with no offset and no signature index.
func NewFinding(rule Rule, sev Severity, msg string) Finding {
	return Finding{Rule: rule, Severity: sev, Message: msg, Signature: -1}
}

// At returns a copy of f located at byte offset off.
func (f Finding) At(off int64) Finding {
	f.Offset = &off
	return f
}

// For returns a copy of f about signature index i.
func (f Finding) For(i int) Finding {
	f.Signature = i
	return f
}
