package verify

import (
	"crypto/x509/pkix"
	_ "embed"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync/atomic"

	"gopkg.in/yaml.v3"

	"github.com/shipgate/shipgate/docs"
	"github.com/shipgate/shipgate/internal/glob"
	"github.com/shipgate/shipgate/internal/strictyaml"
	"github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/blocklist"
)

// Policy says what a release must satisfy. It is read from YAML by
// [LoadPolicy] or [ParsePolicy] and documented in docs/policy.md. The zero
// Policy is the default policy, the one `shipgate verify` applies without
// flags: embedded Microsoft and Apple roots and the operating system's
// roots, the built-in blocklist, revocation policy strict, fail on errors, and no
// rules, so that unsigned, ad-hoc signed and untrusted native code are
// warnings while invalid, malformed, revoked and known-bad files are errors.
type Policy struct {
	// Trust says which roots signatures may chain to.
	Trust Trust `yaml:"trust" json:"trust"`
	// Blocklists says which blocklists and IoC lists to match.
	Blocklists Blocklists `yaml:"blocklists" json:"blocklists"`
	// Vulnerabilities says which OSV records and OpenVEX statements to
	// match the release's inventory against.
	Vulnerabilities Vulnerabilities `yaml:"vulnerabilities" json:"vulnerabilities"`
	// Rules apply to files by path. For each setting, the last rule that
	// matches a file and sets it decides.
	Rules []Rule `yaml:"rules" json:"rules"`
	// Severity overrides the severity of findings by rule ID ("family/name")
	// or family ("family/*"): "error", "warning", "note", or "off" to drop
	// them. An exact ID wins over its family.
	Severity map[string]string `yaml:"severity" json:"severity"`
	// FailOn is the lowest severity that fails the gate; empty means error.
	FailOn FailOn `yaml:"failOn" json:"failOn"`
	// Source says where the policy came from, for the report's policy
	// section: LoadPolicy and ParsePolicy set it. Nil means the built-in
	// policy, possibly changed in code or by command-line flags.
	Source *report.Policy `yaml:"-" json:"-"`
}

// Trust configures the trust store.
type Trust struct {
	// Roots are PEM files of extra trusted roots. LoadPolicy resolves them
	// relative to the policy file.
	Roots []string `yaml:"roots" json:"roots"`
	// System says whether the operating system's roots are trusted too, as
	// signing.TrustStoreOptions.System loads them: nil (absent) means yes,
	// as Windows and macOS trust third-party code-signing CAs; false keeps
	// the run hermetic, trusting only Roots and Embedded.
	System *bool `yaml:"system" json:"system"`
	// Embedded selects the embedded code-signing roots: "microsoft",
	// "apple". Nil means both; an empty list means none.
	Embedded *[]string `yaml:"embedded" json:"embedded"`
	// RevocationPolicy says how a blocklisted certificate's revocation date
	// and reason count against a signature's trusted time (its verified
	// timestamp, else the verification time), as signing/blocklist.Policy defines:
	// "windows" (blocked at or after the revocation date), "strict" (the
	// default: as windows, but a key compromise or unspecified reason blocks
	// at any time) or "any" (every listed certificate blocks).
	RevocationPolicy string `yaml:"revocationPolicy" json:"revocationPolicy"`
}

// Blocklists configures blocklist matching.
type Blocklists struct {
	// Files are blocklist or IoC list files, resolved relative to the policy
	// file by LoadPolicy.
	Files []string `yaml:"files" json:"files"`
	// Builtin turns the embedded blocklist (3CX) on or off; nil means on.
	Builtin *bool `yaml:"builtin" json:"builtin"`
}

// Require says what signature a native file must carry.
type Require string

const (
	// RequireValid requires every signature to be valid: intact and
	// chaining to a trusted root.
	RequireValid Require = "valid"
	// RequireSigned requires an intact signature; an untrusted chain is
	// accepted.
	RequireSigned Require = "signed"
	// RequireNone requires nothing: unsigned, ad-hoc and untrusted files give
	// no finding. Broken signatures are still errors.
	RequireNone Require = "none"
)

// Notarized says what a policy requires of a stapled notarization ticket.
type Notarized string

const (
	// NotarizedNone requires nothing (YAML false).
	NotarizedNone Notarized = "none"
	// NotarizedStapled requires a stapled ticket that parses and names the
	// code's cdhash (a flat package's table of contents checksum). Apple's
	// signature on it is not verified: anyone can write such a ticket.
	NotarizedStapled Notarized = "stapled"
	// NotarizedVerified (YAML true) also requires Apple's signature on the
	// ticket to verify. shipgate cannot check it offline (the ticket format
	// does not document it), so this is never satisfied.
	NotarizedVerified Notarized = "verified"
)

// UnmarshalYAML accepts true (verified), false (none) and the names.
func (n *Notarized) UnmarshalYAML(v *yaml.Node) error {
	var b bool
	if v.Kind == yaml.ScalarNode && v.Tag == "!!bool" {
		if err := v.Decode(&b); err != nil {
			return err
		}
		*n = NotarizedNone
		if b {
			*n = NotarizedVerified
		}
		return nil
	}
	var s string
	if err := v.Decode(&s); err != nil {
		return err
	}
	*n = Notarized(s)
	return nil
}

// Rule applies settings to the files whose path matches one of its globs.
// Unset fields (nil, empty) leave the setting to earlier rules or the
// default.
type Rule struct {
	// Match lists path globs, relative to the input and "/"-separated: "*"
	// and "?" and "[...]" match within one path element as in [path.Match],
	// a "**" element matches any number of elements ("**/*.dll",
	// "Contents/Frameworks/**"), and a trailing "/" names a folder and
	// matches everything below it ("vendor/" is "vendor/**").
	Match []string `yaml:"match" json:"match"`
	// Require applies to native code (pe, macho, macho-universal).
	Require Require `yaml:"require" json:"require"`
	// AllowAdhoc accepts Apple ad-hoc signatures.
	AllowAdhoc *bool `yaml:"allowAdhoc" json:"allowAdhoc"`
	// AllowUnsigned accepts native files without a signature, whatever
	// Require says about signed ones.
	AllowUnsigned *bool `yaml:"allowUnsigned" json:"allowUnsigned"`
	// Signers, when set, are the only identities allowed to sign: every
	// signature must be valid and match one of them, and unsigned or ad-hoc
	// code is refused unless the same or a later rule allows it.
	Signers []Signer `yaml:"signers" json:"signers"`
	// ForbidKinds lists file kinds that must not appear: any of
	// report.Kinds ("pe", "macho", "msi", "powershell", "other"…).
	ForbidKinds []Kind `yaml:"forbidKinds" json:"forbidKinds"`
	// Sigstore, when set, requires each matching file to carry a Sigstore
	// bundle next to it that verifies with the given trusted root and
	// identity. Files named "*.sigstore.json" are bundles and never need one.
	Sigstore *Sigstore `yaml:"sigstore" json:"sigstore"`
	// Requirement, when set, is an Apple code requirement in the text form
	// of csreq(1), such as `anchor apple generic and certificate
	// leaf[subject.OU] = "ABCDE12345"`, that every slice of a matching
	// Mach-O file, a matching disk image's signature and every signature
	// of a matching installer package (by its signer chain alone) must
	// satisfy, as `codesign --verify -R=…` checks.
	Requirement string `yaml:"requirement" json:"requirement"`
	// RequireNotarized, when set, requires a stapled notarization ticket
	// bound to the code of each matching bundle main executable, disk
	// image or flat package: "stapled" accepts a ticket that parses and
	// names the code's cdhash although Apple's signature on it is not
	// verified; "verified" (or true) also requires that signature, which
	// shipgate cannot check offline, so it is never satisfied today;
	// "none" (or false) requires nothing.
	RequireNotarized Notarized `yaml:"requireNotarized" json:"requireNotarized"`

	line int // line of the rule in the policy file; 0 when built in code
}

// Signer identifies an allowed signing certificate. Every field that is set
// must match the signature's leaf certificate; a Signer needs Subject and
// Issuer together, or Thumbprint, or TeamID.
type Signer struct {
	// Subject and Issuer are RFC 4514 strings compared exactly, as
	// [signing.Identity] spells them (UID and DC by name); the form
	// pkix.Name.String gives, with those as dotted OIDs and hex, matches
	// too.
	Subject string `yaml:"subject" json:"subject"`
	Issuer  string `yaml:"issuer" json:"issuer"`
	// Thumbprint is the SHA-1 or SHA-256 of the certificate (hex; colons,
	// spaces and case ignored).
	Thumbprint string `yaml:"thumbprint" json:"thumbprint"`
	// TeamID is an Apple Developer team identifier. Only Apple signatures
	// (Mach-O, disk image, package) match a signer with TeamID or
	// AppleKind, and only those whose chain ends at one of Apple's roots
	// ([signing.IsAppleRoot]) match TeamID: under a root given in
	// trust.roots the team ID is that root's word, not Apple's.
	TeamID string `yaml:"teamID" json:"teamID"`
	// AppleKind, when set, is the kind of Apple certificate the leaf must
	// be ([signing.AppleCertKind]: "developer-id-application",
	// "developer-id-installer", …), as the report's signer.appleKind says.
	// It narrows the other criteria and is not one itself.
	AppleKind string `yaml:"appleKind" json:"appleKind"`
	// Root, when set, is the SHA-1 or SHA-256 of the root certificate the
	// signature's chain must end at (hex; colons, spaces and case
	// ignored). It narrows the other criteria and is not one itself: a
	// subject and issuer are whatever names a CA wrote, so any root the
	// trust store holds (a trust.roots CA, one of the system's) can issue
	// a leaf carrying a vendor's names; with Root only the vendor's
	// hierarchy matches.
	Root string `yaml:"root" json:"root"`
}

// PolicyError is a problem in a policy.
type PolicyError struct {
	// File is the policy file's name; empty for a policy parsed from bytes.
	File string
	// Line is the 1-based line of the problem; 0 when unknown.
	Line int
	// Reason says what is wrong.
	Reason string
	// Err is the underlying problem when the YAML reader found it (an
	// unknown or duplicate key, an alias, a second document, a size over
	// the limit, a syntax or type error); nil for a bad value.
	Err error
}

func (e *PolicyError) Error() string {
	name := e.File
	if name == "" {
		name = "policy"
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", name, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s: %s", name, e.Reason)
}

// Unwrap returns Err.
func (e *PolicyError) Unwrap() error { return e.Err }

// emptyPolicyFile is the reason LoadPolicy refuses a file that holds no
// policy (nothing, or only comments and document markers).
const emptyPolicyFile = "the file holds no policy (it is empty or only comments): a truncated or wrongly generated policy would check nothing it meant to; give no policy file for the builtin policy, or {} for an explicitly empty one"

// maxPolicySize bounds a policy file.
const maxPolicySize = 4 << 20

// LoadPolicy reads and validates the policy file name. Relative paths in it
// (trust roots, blocklist files) are resolved against the file's directory.
// A file that holds no YAML document (empty, or only comments) is an error:
// the builtin policy is had by loading none, and an explicitly empty policy
// is "{}".
func LoadPolicy(name string) (*Policy, error) {
	b, err := strictyaml.ReadFile(name, maxPolicySize)
	if err != nil {
		return nil, policyError(err, name)
	}
	p, err := parsePolicy(b, name)
	if err != nil {
		return nil, err
	}
	p.Source = policySource(report.PolicyFile, name, b)
	dir := filepath.Dir(name)
	for i, r := range p.Trust.Roots {
		if !filepath.IsAbs(r) {
			p.Trust.Roots[i] = filepath.Join(dir, filepath.FromSlash(r))
		}
	}
	for i, f := range p.Blocklists.Files {
		if !filepath.IsAbs(f) {
			p.Blocklists.Files[i] = filepath.Join(dir, filepath.FromSlash(f))
		}
	}
	for _, list := range [][]string{p.Vulnerabilities.OSV, p.Vulnerabilities.VEX} {
		for i, f := range list {
			if !filepath.IsAbs(f) {
				list[i] = filepath.Join(dir, filepath.FromSlash(f))
			}
		}
	}
	for _, r := range p.Rules {
		if s := r.Sigstore; s != nil {
			for _, f := range []*string{&s.TrustedRoot, &s.Key} {
				if *f != "" && !filepath.IsAbs(*f) {
					*f = filepath.Join(dir, filepath.FromSlash(*f))
				}
			}
		}
	}
	return p, nil
}

// ParsePolicy parses and validates a policy. It reads YAML strictly: unknown
// keys, duplicate keys, anchors and aliases, a second document, wrong types
// and bad values are errors naming the line. Relative paths are left as they
// are.
func ParsePolicy(b []byte) (*Policy, error) {
	p, err := parsePolicy(b, "")
	if err == nil {
		p.Source = policySource(report.PolicyBytes, "", b)
	}
	return p, err
}

func parsePolicy(b []byte, name string) (*Policy, error) {
	var p Policy
	root, err := strictyaml.Unmarshal(b, &p, strictyaml.Options{Name: name, MaxSize: maxPolicySize})
	if err != nil {
		return nil, policyError(err, name)
	}
	if root == nil {
		if name != "" {
			// A policy file given on purpose that says nothing is a
			// truncated or wrongly generated one, not the builtin policy.
			return nil, &PolicyError{File: name, Reason: emptyPolicyFile}
		}
		return &Policy{}, nil // empty bytes are the default policy
	}
	if rules := mapValue(root, "rules"); rules != nil && rules.Kind == yaml.SequenceNode {
		for i := range p.Rules {
			if i < len(rules.Content) {
				p.Rules[i].line = rules.Content[i].Line
			}
		}
	}
	if err := p.validate(root, name); err != nil {
		return nil, err
	}
	return &p, nil
}

// policyError turns an error of the YAML reader into a *PolicyError; other
// errors (the file cannot be opened) are wrapped as they are.
func policyError(err error, name string) error {
	var ye *strictyaml.Error
	if errors.As(err, &ye) {
		return &PolicyError{File: name, Line: ye.Line, Reason: ye.Reason, Err: ye}
	}
	return fmt.Errorf("verify: policy: %w", err)
}

// mapValue returns the value node of key in mapping n, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// lineAt returns the line of the node reached by keys (strings for mapping
// keys, ints for sequence indexes) from n, or of the deepest node reached.
func lineAt(n *yaml.Node, keys ...any) int {
	line := 0
	for _, k := range keys {
		if n == nil {
			break
		}
		line = n.Line
		switch k := k.(type) {
		case string:
			if n.Kind != yaml.MappingNode {
				return line
			}
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					line = n.Content[i].Line
					next = n.Content[i+1]
				}
			}
			n = next
		case int:
			if n.Kind != yaml.SequenceNode || k >= len(n.Content) {
				return line
			}
			n = n.Content[k]
		}
	}
	if n != nil {
		line = n.Line
	}
	return line
}

var (
	ruleIDPattern    = regexp.MustCompile(`^[a-z]+/([a-z0-9-]+|\*)$`)
	hexPattern       = regexp.MustCompile(`^[0-9a-f]+$`)
	revocationValues = []string{"strict", "windows", "any"}
)

// Validate checks a policy built in code the way ParsePolicy checks a file.
func (p *Policy) Validate() error { return p.validate(nil, "") }

func (p *Policy) validate(root *yaml.Node, name string) error {
	bad := func(reason string, keys ...any) error {
		return &PolicyError{File: name, Line: lineAt(root, keys...), Reason: reason}
	}
	if p.FailOn != "" {
		if _, err := ParseFailOn(string(p.FailOn)); err != nil {
			return bad(fmt.Sprintf("failOn %q: want error, warning, note or never", p.FailOn), "failOn")
		}
	}
	if err := p.validateTrust(bad); err != nil {
		return err
	}
	if err := p.validateLists(bad); err != nil {
		return err
	}
	if err := p.validateSeverity(bad); err != nil {
		return err
	}
	for i := range p.Rules {
		if err := p.Rules[i].validate(i, bad); err != nil {
			return err
		}
	}
	return nil
}

// policyBad makes the PolicyError of a policy check: its reason, at the
// line of the node at keys.
type policyBad func(reason string, keys ...any) error

// validateTrust checks the trust section.
func (p *Policy) validateTrust(bad policyBad) error {
	if p.Trust.Embedded != nil {
		for i, e := range *p.Trust.Embedded {
			if e != "microsoft" && e != "apple" {
				return bad(fmt.Sprintf("trust.embedded %q: want microsoft or apple", e), "trust", "embedded", i)
			}
		}
	}
	if r := p.Trust.RevocationPolicy; r != "" && !contains(revocationValues, r) {
		return bad(fmt.Sprintf("trust.revocationPolicy %q: want strict, windows or any", r), "trust", "revocationPolicy")
	}
	for i, r := range p.Trust.Roots {
		if r == "" {
			return bad("trust.roots: empty path", "trust", "roots", i)
		}
	}
	return nil
}

// validateLists checks the paths of the blocklists and vulnerabilities
// sections.
func (p *Policy) validateLists(bad policyBad) error {
	for i, f := range p.Blocklists.Files {
		if f == "" {
			return bad("blocklists.files: empty path", "blocklists", "files", i)
		}
	}
	for i, f := range p.Vulnerabilities.OSV {
		if f == "" {
			return bad("vulnerabilities.osv: empty path", "vulnerabilities", "osv", i)
		}
	}
	for i, f := range p.Vulnerabilities.VEX {
		if f == "" {
			return bad("vulnerabilities.vex: empty path", "vulnerabilities", "vex", i)
		}
	}
	if len(p.Vulnerabilities.VEX) > 0 && len(p.Vulnerabilities.OSV) == 0 {
		return bad("vulnerabilities.vex without vulnerabilities.osv: VEX statements apply to OSV matches", "vulnerabilities", "vex")
	}
	return nil
}

// validateSeverity checks the severity overrides, in rule ID order.
func (p *Policy) validateSeverity(bad policyBad) error {
	ids := make([]string, 0, len(p.Severity))
	for id := range p.Severity {
		ids = append(ids, id)
	}
	sort.Strings(ids) // report the same override first on every run
	for _, id := range ids {
		sev := p.Severity[id]
		if !ruleIDPattern.MatchString(id) {
			return bad(fmt.Sprintf("severity: %q is not a rule ID (family/name or family/*)", id), "severity", id)
		}
		if !knownRule(id) {
			return bad(fmt.Sprintf("severity: unknown rule %q (docs/rules.md lists the rule IDs)", id), "severity", id)
		}
		if sev != "off" {
			if _, err := signing.ParseSeverity(sev); err != nil {
				return bad(fmt.Sprintf("severity of %s: %q: want error, warning, note or off", id, sev), "severity", id)
			}
		}
	}
	return nil
}

// validate checks rule i of the policy.
func (r *Rule) validate(i int, bad policyBad) error {
	if len(r.Match) == 0 {
		return bad("rule without match globs", "rules", i)
	}
	for j, g := range r.Match {
		if err := checkGlob(g); err != nil {
			return bad(fmt.Sprintf("match %q: %v", g, err), "rules", i, "match", j)
		}
	}
	switch r.Require {
	case "", RequireValid, RequireSigned, RequireNone:
	default:
		return bad(fmt.Sprintf("require %q: want valid, signed or none", r.Require), "rules", i, "require")
	}
	for j, s := range r.Signers {
		if s.AppleKind != "" {
			k, err := signing.ParseAppleCertKind(s.AppleKind)
			if err == nil && k == signing.AppleKindUnknown {
				err = errors.New(`appleKind "unknown" names no kind a signer could be required to have`)
			}
			if err != nil {
				return bad("signer: "+err.Error(), "rules", i, "signers", j, "appleKind")
			}
		}
		if err := s.check(); err != nil {
			return bad(err.Error(), "rules", i, "signers", j)
		}
	}
	for j, k := range r.ForbidKinds {
		if !slices.Contains(report.Kinds(), k) {
			return bad(fmt.Sprintf("forbidKinds %q: want one of %s", k, kindList()), "rules", i, "forbidKinds", j)
		}
	}
	if r.Sigstore != nil {
		if field, err := r.Sigstore.check(); err != nil {
			return bad(err.Error(), "rules", i, "sigstore", field)
		}
	}
	switch r.RequireNotarized {
	case "", NotarizedNone, NotarizedStapled, NotarizedVerified:
	default:
		return bad(fmt.Sprintf("requireNotarized %q: want true, false, %q, %q or %q", r.RequireNotarized, NotarizedStapled, NotarizedVerified, NotarizedNone), "rules", i, "requireNotarized")
	}
	if r.Requirement != "" {
		if _, err := compileRequirement(r.Requirement); err != nil {
			return bad(err.Error(), "rules", i, "requirement")
		}
	}
	return nil
}

func (s Signer) check() error {
	if s.Subject == "" && s.Issuer == "" && s.Thumbprint == "" && s.TeamID == "" {
		return errors.New("signer without criteria: give subject and issuer, thumbprint, or teamID (appleKind and root only narrow them)")
	}
	if (s.Subject == "") != (s.Issuer == "") && s.Thumbprint == "" && s.TeamID == "" {
		return errors.New("signer needs subject and issuer together (or a thumbprint or teamID)")
	}
	if s.Thumbprint != "" {
		t := normalizeHex(s.Thumbprint)
		if !hexPattern.MatchString(t) || (len(t) != 40 && len(t) != 64) {
			return fmt.Errorf("thumbprint %q: want the SHA-1 (40 hex digits) or SHA-256 (64) of the certificate", s.Thumbprint)
		}
	}
	if s.Root != "" {
		t := normalizeHex(s.Root)
		if !hexPattern.MatchString(t) || (len(t) != 40 && len(t) != 64) {
			return fmt.Errorf("root %q: want the SHA-1 (40 hex digits) or SHA-256 (64) of the root certificate", s.Root)
		}
	}
	return nil
}

func normalizeHex(s string) string {
	return strings.ToLower(strings.NewReplacer(":", "", " ", "").Replace(strings.TrimSpace(s)))
}

// matches reports whether id (a signature's leaf) satisfies s.
func (s Signer) matches(id *signing.Identity) bool {
	if id == nil {
		return false
	}
	// Names are compared as the report prints them (signing.FormatName:
	// UID and DC by name) or as pkix.Name.String printed them before, so
	// that policies written against older reports keep matching.
	// The older form is not accepted for a name it prints only in part
	// (a repeated CN or serialNumber, of which it keeps the last).
	raw := func(n pkix.Name) string {
		if signing.NameDropsAttributes(n) {
			return ""
		}
		return n.String()
	}
	if s.Subject != "" && s.Subject != id.Subject && (id.Certificate == nil || s.Subject != raw(id.Certificate.Subject)) {
		return false
	}
	if s.Issuer != "" && s.Issuer != id.Issuer && (id.Certificate == nil || s.Issuer != raw(id.Certificate.Issuer)) {
		return false
	}
	if s.Thumbprint != "" {
		t := normalizeHex(s.Thumbprint)
		if t != id.SHA1 && t != id.SHA256 {
			return false
		}
	}
	if s.TeamID != "" && s.TeamID != id.TeamID {
		return false
	}
	if s.AppleKind != "" && signing.AppleCertKind(s.AppleKind) != id.AppleKind {
		return false
	}
	return true
}

// fitsFormat reports whether a signature of format f can match s: a team
// ID and an Apple certificate kind are read from Apple's markers on the
// certificate itself, and are Apple's word only in Apple's signature
// formats, whose chains end at Apple's roots; any CA trusted for
// Authenticode could issue a certificate carrying them.
func (s Signer) fitsFormat(f signing.Format) bool {
	if s.TeamID == "" && s.AppleKind == "" {
		return true
	}
	switch f {
	case signing.FormatAppleCodesign, signing.FormatApplePkg, signing.FormatApplePkgCMS:
		return true
	}
	return false
}

// fitsAnchor reports whether a signature whose chain (leaf first) is chain
// can match s: it must end at s.Root when set, and a team ID is Apple's
// word only under Apple's roots. A root
// given in trust.roots anchors Apple signatures too, and whoever holds its
// key can issue a leaf with Apple's markers and any team in its OU.
func (s Signer) fitsAnchor(chain []signing.Identity) bool {
	if s.Root != "" {
		if len(chain) == 0 {
			return false
		}
		t, root := normalizeHex(s.Root), chain[len(chain)-1]
		if t != root.SHA1 && t != root.SHA256 {
			return false
		}
	}
	return s.TeamID == "" || appleAnchored(chain)
}

// appleAnchor reports whether a root certificate is Apple's
// ([signing.IsAppleRoot]); tests add their stand-in Apple root.
var appleAnchor = signing.IsAppleRoot

// appleAnchored reports whether chain (leaf first) ends at one of Apple's
// roots.
func appleAnchored(chain []signing.Identity) bool {
	if len(chain) == 0 {
		return false
	}
	c := chain[len(chain)-1].Certificate
	return c != nil && appleAnchor(c)
}

func (s Signer) String() string {
	var parts []string
	if s.Subject != "" {
		parts = append(parts, "subject "+s.Subject)
	}
	if s.Issuer != "" {
		parts = append(parts, "issuer "+s.Issuer)
	}
	if s.Thumbprint != "" {
		parts = append(parts, "thumbprint "+normalizeHex(s.Thumbprint))
	}
	if s.TeamID != "" {
		parts = append(parts, "team ID "+s.TeamID)
	}
	if s.AppleKind != "" {
		parts = append(parts, "Apple kind "+s.AppleKind)
	}
	if s.Root != "" {
		parts = append(parts, "root "+normalizeHex(s.Root))
	}
	return strings.Join(parts, ", ")
}

// checkGlob validates a path glob.
func checkGlob(g string) error { return glob.Check(g) }

// MatchGlob reports whether the "/"-separated path p matches glob g (see
// [Rule.Match]), ignoring case: releases run from case-insensitive file
// systems, where `FFMPEG.DLL` is the `ffmpeg.dll` a rule names.
func MatchGlob(g, p string) bool { return glob.MatchFold(g, p) }

// settings are the rule settings in force for one file.
type settings struct {
	require       Require
	allowAdhoc    bool
	allowUnsigned bool
	signers       []Signer
	signersLine   int
	// The indexes of the rules that set allowAdhoc, allowUnsigned and
	// signers: a signers rule after an allowance overrides it.
	adhocRule, unsignedRule, signersRule int
	forbid                               []Kind
	sigstore                             *Sigstore
	sigstoreLine                         int
	requirement                          string
	requirementLine                      int
	notarized                            Notarized
	notarizedLine                        int
}

// settingsFor resolves the settings for path p: for each setting, the last
// matching rule that sets it.
func (p *Policy) settingsFor(file string) settings { return p.settingsSeen(file, nil) }

// settingsSeen is settingsFor that also sets seen[i] for each rule i that
// matches file, when seen is not nil (see engine.ruleSeen).
func (p *Policy) settingsSeen(file string, seen []atomic.Bool) settings {
	var s settings
	for i := range p.Rules {
		r := &p.Rules[i]
		if !r.matches(file) {
			continue
		}
		if seen != nil && !seen[i].Load() {
			seen[i].Store(true)
		}
		if r.Require != "" {
			s.require = r.Require
		}
		if r.AllowAdhoc != nil {
			s.allowAdhoc, s.adhocRule = *r.AllowAdhoc, i
		}
		if r.AllowUnsigned != nil {
			s.allowUnsigned, s.unsignedRule = *r.AllowUnsigned, i
		}
		if len(r.Signers) > 0 {
			s.signers, s.signersLine, s.signersRule = r.Signers, r.line, i
		}
		if len(r.ForbidKinds) > 0 {
			s.forbid = r.ForbidKinds
		}
		if r.Sigstore != nil {
			s.sigstore, s.sigstoreLine = r.Sigstore, r.line
		}
		if r.Requirement != "" {
			s.requirement, s.requirementLine = r.Requirement, r.line
		}
		if r.RequireNotarized != "" {
			s.notarized, s.notarizedLine = r.RequireNotarized, r.line
		}
	}
	return s
}

// signersOverride reports whether a signers setting applies over an
// allowance set by rule i: it was set by a later rule. A rule that sets both
// means its allowance as an exception to its signers.
func (s *settings) signersOverride(i int) bool {
	return len(s.signers) > 0 && s.signersRule > i
}

func (r *Rule) matches(file string) bool {
	for _, g := range r.Match {
		if MatchGlob(g, file) {
			return true
		}
	}
	return false
}

// knownRule reports whether id is a documented rule ID, or a family glob
// ("family/*") of at least one: a misspelt ID in a severity override
// would otherwise silently change nothing.
func knownRule(id string) bool {
	if fam, ok := strings.CutSuffix(id, "/*"); ok {
		for _, r := range docs.Rules() {
			if strings.HasPrefix(r.ID, fam+"/") {
				return true
			}
		}
		return false
	}
	_, ok := docs.Lookup(id)
	return ok
}

// exactOverrideOnly are the rules a family glob ("policy/*") does not
// reach: only an override naming the rule itself changes their severity.
// policy/bad-signature is the gate's fail-closed backstop for a broken
// signature whose own finding the policy turned down; two globs that each
// look like toning down advisories ("policy/*: note", "authenticode/*:
// note") would otherwise let a tampered file pass. file/known-bad and
// signer/blocklisted are hits on the blocklists and IoC lists: "file/*:
// warning", which reads as toning down layout advisories (permissions,
// insecure names), would otherwise let a file an IoC list names pass, with
// no backstop when the file is unsigned or its signature is intact.
//
// policy/trust-in-release says the release holds what judges it (its
// roots, its blocklists, the policy): "policy/*: warning", written to tone
// down unsigned helpers, must not let a release vouch for itself.
var exactOverrideOnly = map[signing.Rule]bool{
	RuleBadSignature:                true,
	RuleTrustInRelease:              true,
	blocklist.RuleFileKnownBad:      true,
	blocklist.RuleSignerBlocklisted: true,
}

// severityFor returns the severity a finding of rule id gets under p, and
// false when the policy turns it off.
func (p *Policy) severityFor(id signing.Rule, def signing.Severity) (signing.Severity, bool) {
	v, ok := p.Severity[string(id)]
	if !ok && !exactOverrideOnly[id] {
		v, ok = p.Severity[id.Family()+"/*"]
	}
	if !ok {
		return def, true
	}
	if v == "off" {
		return def, false
	}
	s, err := signing.ParseSeverity(v)
	if err != nil {
		return def, true
	}
	return s, true
}

// SystemRoots reports whether the operating system's roots are trusted:
// System, true when unset.
func (t *Trust) SystemRoots() bool { return t.System == nil || *t.System }

// defaultSystemRootFiles stands in for the operating system's roots when
// non-nil and a run sets no testHooks.systemRootFiles. Only TestMain sets
// it, before any test runs, so that no verdict depends on the machine's own
// store; it is never changed afterwards.
var defaultSystemRootFiles []string

// trustOptions returns the TrustStoreOptions the policy asks for, with
// systemFiles standing in for the operating system's roots when non-nil
// (signing.TrustStoreOptions.SystemFiles).
func (p *Policy) trustOptions(systemFiles []string) signing.TrustStoreOptions {
	if systemFiles == nil {
		systemFiles = defaultSystemRootFiles
	}
	o := signing.TrustStoreOptions{PEMFiles: p.Trust.Roots, System: p.Trust.SystemRoots(), SystemFiles: systemFiles, Embedded: signing.EmbeddedAll}
	if p.Trust.Embedded != nil {
		o.Embedded = 0
		for _, e := range *p.Trust.Embedded {
			switch e {
			case "microsoft":
				o.Embedded |= signing.EmbeddedMicrosoft
			case "apple":
				o.Embedded |= signing.EmbeddedApple
			}
		}
	}
	return o
}

// trustStores builds the policy's trust stores: trust anchors Authenticode
// chains, apple Apple code signatures. macOS trusts Developer ID and
// Apple's other code-signing leaves only under Apple's roots: the
// operating system's roots (a TLS root program) and Microsoft's
// code-signing roots anchor Authenticode alone
// ([signing.TrustStoreOptions.ForApple]).
//
// systemFiles, when non-nil, stands in for the operating system's roots
// (testHooks.systemRootFiles).
func (p *Policy) trustStores(systemFiles []string) (trust, apple *signing.TrustStore, err error) {
	to := p.trustOptions(systemFiles)
	if trust, err = signing.NewTrustStore(to); err != nil {
		return nil, nil, fmt.Errorf("verify: trust store: %w", err)
	}
	ato := to.ForApple()
	if ato.System == to.System && ato.Embedded == to.Embedded {
		return trust, trust, nil
	}
	if apple, err = signing.NewTrustStore(ato); err != nil {
		return nil, nil, fmt.Errorf("verify: trust store: %w", err)
	}
	return trust, apple, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// PolicySchema is the JSON Schema (draft 2020-12) of the policy file, as
// docs/policy.md documents it. A policy that ParsePolicy accepts validates
// against it once converted from YAML to JSON.
//
//go:embed policy.schema.json
var PolicySchema []byte

// kindList is every kind's name, for messages: "pe, macho, … or other".
func kindList() string {
	ks := report.Kinds()
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = string(k)
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
