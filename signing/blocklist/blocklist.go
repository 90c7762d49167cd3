// Package blocklist models revocation blocklists and indicator-of-compromise
// lists, loads them from the formats vendors and researchers publish, and
// matches signer chains and file hashes against them with explicit time
// semantics.
//
// An [Entry] names either a certificate (by thumbprint, serial and issuer,
// serial alone, SPKI hash, TBS hash, subject with issuer, or Apple team ID) or
// a file (by SHA-256, SHA-1, MD5, Authenticode image hash or Apple cdhash). A
// certificate entry may carry a revocation date and reason (from a CRL, say)
// or an explicit window of signing times it covers; [List.MatchChain] decides
// with a [Policy] whether a signature made at a given trusted time is blocked.
//
// Matching is an index lookup per certificate and per file hash, independent
// of the list's size. Nothing here contacts the network: OCSP and CRL
// distribution points are not fetched, and a list is only as fresh as the
// files it was loaded from.
package blocklist

import (
	"fmt"
	"strings"
	"time"
)

// Kind says what an Entry identifies and how its Value is written.
type Kind int

const (
	// KindInvalid is the zero Kind; no valid entry has it.
	KindInvalid Kind = iota
	// KindCertSHA1 blocks the certificate whose DER SHA-1 thumbprint is Value,
	// and its twins: a certificate its issuer signed with ECDSA also verifies
	// with the signature's s replaced by n−s, which changes the thumbprint
	// and nothing else, so those twins' thumbprints match too.
	KindCertSHA1
	// KindCertSHA256 blocks the certificate whose DER SHA-256 fingerprint is
	// Value, and its ECDSA twins (see KindCertSHA1).
	KindCertSHA256
	// KindIssuerSerial blocks the certificate with serial Value issued by
	// Issuer (or IssuerDER, compared byte for byte, when the source gave it).
	KindIssuerSerial
	// KindSerial blocks every certificate whose serial is Value, whatever its
	// issuer. Use it only when the issuer is unknown.
	KindSerial
	// KindSPKISHA256 blocks every certificate for the public key whose DER
	// SubjectPublicKeyInfo has SHA-256 Value, across reissued certificates:
	// the SubjectPublicKeyInfo as the certificate writes it, or as
	// crypto/x509 encodes its key, which differ when a certificate encodes
	// the key with bytes crypto/x509 ignores.
	KindSPKISHA256
	// KindTBS blocks the certificate whose TBSCertificate hashes to Value (MD5,
	// SHA-1, SHA-256 or SHA-384, told apart by length), wherever it sits in
	// the chain. WDAC CertRoot rules, Microsoft CTLs and LOLDrivers use it.
	KindTBS
	// KindSubject blocks a leaf whose subject is Value — a full RFC 4514 name
	// when Value contains "=", otherwise the subject common name (a WDAC
	// "publisher") — and which is also tied to an issuer: Issuer, IssuerDER,
	// or ChainTBS (the TBS hash of a CA certificate in the chain).
	KindSubject
	// KindTeamID blocks Apple leaf certificates whose team ID is Value.
	KindTeamID
	// KindFileSHA256 blocks a file whose SHA-256 is Value.
	KindFileSHA256
	// KindFileSHA1 blocks a file whose SHA-1 is Value.
	KindFileSHA1
	// KindFileMD5 blocks a file whose MD5 is Value.
	KindFileMD5
	// KindAuthentihash blocks a PE file whose Authenticode image hash is Value
	// (SHA-1 or SHA-256, told apart by length).
	KindAuthentihash
	// KindCDHash blocks an Apple code signature whose CodeDirectory hash is
	// Value (the 20-byte truncated form, 40 hex digits).
	KindCDHash

	numKinds
)

var kindNames = [...]string{
	KindInvalid:      "invalid",
	KindCertSHA1:     "cert-sha1",
	KindCertSHA256:   "cert-sha256",
	KindIssuerSerial: "issuer-serial",
	KindSerial:       "serial",
	KindSPKISHA256:   "spki-sha256",
	KindTBS:          "tbs",
	KindSubject:      "subject",
	KindTeamID:       "team-id",
	KindFileSHA256:   "file-sha256",
	KindFileSHA1:     "file-sha1",
	KindFileMD5:      "file-md5",
	KindAuthentihash: "authentihash",
	KindCDHash:       "cdhash",
}

// String returns the name used in the native format, such as "cert-sha1".
func (k Kind) String() string {
	if k < 0 || k >= numKinds {
		return fmt.Sprintf("Kind(%d)", int(k))
	}
	return kindNames[k]
}

// MarshalText encodes the kind as its name.
func (k Kind) MarshalText() ([]byte, error) {
	if k <= KindInvalid || k >= numKinds {
		return nil, fmt.Errorf("blocklist: unknown kind %d", int(k))
	}
	return []byte(kindNames[k]), nil
}

// UnmarshalText decodes a kind name.
func (k *Kind) UnmarshalText(b []byte) error {
	v, err := ParseKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// ParseKind returns the Kind named name.
func ParseKind(name string) (Kind, error) {
	for i, n := range kindNames {
		if i != int(KindInvalid) && n == name {
			return Kind(i), nil
		}
	}
	return KindInvalid, fmt.Errorf("blocklist: unknown entry kind %q", name)
}

// IsFile reports whether k identifies a file rather than a certificate.
func (k Kind) IsFile() bool { return k >= KindFileSHA256 && k < numKinds }

// Reason is an RFC 5280 §5.3.1 CRLReason code.
type Reason int

// The RFC 5280 reason codes. Code 7 is unused.
const (
	// ReasonUnspecified is code 0. It is also the zero value, standing for a
	// missing reason: CRLs omit the extension rather than write 0, and
	// crypto/x509 reports both as 0.
	ReasonUnspecified Reason = 0
	// ReasonKeyCompromise is code 1: the subject's private key was compromised.
	ReasonKeyCompromise Reason = 1
	// ReasonCACompromise is code 2: a CA's key was compromised.
	ReasonCACompromise Reason = 2
	// ReasonAffiliationChanged is code 3.
	ReasonAffiliationChanged Reason = 3
	// ReasonSuperseded is code 4: the certificate was replaced.
	ReasonSuperseded Reason = 4
	// ReasonCessationOfOperation is code 5.
	ReasonCessationOfOperation Reason = 5
	// ReasonCertificateHold is code 6: the certificate is on hold.
	ReasonCertificateHold Reason = 6
	// ReasonRemoveFromCRL is code 8, used in delta CRLs to lift a hold.
	ReasonRemoveFromCRL Reason = 8
	// ReasonPrivilegeWithdrawn is code 9.
	ReasonPrivilegeWithdrawn Reason = 9
	// ReasonAACompromise is code 10: an attribute authority was compromised.
	ReasonAACompromise Reason = 10
)

var reasonNames = map[Reason]string{
	ReasonUnspecified:          "unspecified",
	ReasonKeyCompromise:        "keyCompromise",
	ReasonCACompromise:         "cACompromise",
	ReasonAffiliationChanged:   "affiliationChanged",
	ReasonSuperseded:           "superseded",
	ReasonCessationOfOperation: "cessationOfOperation",
	ReasonCertificateHold:      "certificateHold",
	ReasonRemoveFromCRL:        "removeFromCRL",
	ReasonPrivilegeWithdrawn:   "privilegeWithdrawn",
	ReasonAACompromise:         "aACompromise",
}

// String returns the RFC 5280 name, such as "keyCompromise".
func (r Reason) String() string {
	if n, ok := reasonNames[r]; ok {
		return n
	}
	return fmt.Sprintf("Reason(%d)", int(r))
}

// MarshalText encodes the reason as its RFC 5280 name.
func (r Reason) MarshalText() ([]byte, error) {
	if _, ok := reasonNames[r]; !ok {
		return nil, fmt.Errorf("blocklist: unknown reason code %d", int(r))
	}
	return []byte(r.String()), nil
}

// UnmarshalText decodes an RFC 5280 reason name (case-insensitive) or code.
func (r *Reason) UnmarshalText(b []byte) error {
	v, err := ParseReason(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// ParseReason returns the Reason named s (case-insensitive, as in RFC 5280)
// or numbered s. The empty string is ReasonUnspecified.
func ParseReason(s string) (Reason, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return ReasonUnspecified, nil
	}
	for r, n := range reasonNames {
		if strings.EqualFold(n, s) {
			return r, nil
		}
	}
	var code int
	if _, err := fmt.Sscanf(s, "%d", &code); err == nil && fmt.Sprint(code) == s {
		if _, ok := reasonNames[Reason(code)]; ok {
			return Reason(code), nil
		}
	}
	return 0, fmt.Errorf("blocklist: unknown revocation reason %q", s)
}

// compromise reports whether r says a key was compromised or gives no
// reason at all, the reasons that PolicyStrict treats as timeless.
func (r Reason) compromise() bool {
	switch r {
	case ReasonUnspecified, ReasonKeyCompromise, ReasonCACompromise, ReasonAACompromise:
		return true
	}
	return false
}

// Entry is one blocked certificate or file.
type Entry struct {
	// Kind says what Value identifies.
	Kind Kind `json:"kind"`
	// Value is the identifier in normal form: lowercase hex for hashes,
	// thumbprints and serials (serials without leading zeros, as
	// [signing.NormalizeSerial] writes them), the team ID, or the subject.
	Value string `json:"value"`
	// Issuer ties KindIssuerSerial and KindSubject entries to an issuer: an
	// RFC 4514 name, or a bare common name when it holds no "=".
	Issuer string `json:"issuer,omitempty"`
	// IssuerDER is the issuer's DER Name when the source gave it (a CRL, a
	// certificate); it is compared as RFC 5280 §7.1 compares names (string
	// types, case and spaces do not matter) and takes precedence over
	// Issuer, which decides only when a DER name does not parse.
	IssuerDER []byte `json:"issuerDER,omitempty"`
	// ChainTBS, on a KindSubject entry, is a TBS hash that some CA
	// certificate of the chain must have (a WDAC CertRoot).
	ChainTBS string `json:"chainTBS,omitempty"`
	// NotBefore and NotAfter, when either is set, bound the trusted signing
	// times this entry blocks (inclusive). An explicit window decides alone:
	// it overrides RevokedAt, Reason and the Policy.
	NotBefore *time.Time `json:"notBefore,omitempty"`
	NotAfter  *time.Time `json:"notAfter,omitempty"`
	// RevokedAt is the revocation date: signatures whose trusted time is at or
	// after it are blocked. Nil means the entry has no date and blocks at any
	// time.
	RevokedAt *time.Time `json:"revokedAt,omitempty"`
	// InvalidAt is a CRL entry's invalidityDate (RFC 5280 §5.3.2) when it
	// precedes RevokedAt: when the key was known or suspected to be
	// compromised, or the certificate otherwise became invalid. PolicyStrict
	// blocks from it on; PolicyWindows, as Windows, uses RevokedAt alone.
	InvalidAt *time.Time `json:"invalidAt,omitempty"`
	// Reason is the RFC 5280 revocation reason; zero means unspecified or not
	// given.
	Reason Reason `json:"reason"`
	// Source is the file the entry was loaded from, as named to Load or Parse.
	Source string `json:"source"`
	// Line is the 1-based line of the entry in Source for text formats, zero
	// for binary ones.
	Line int `json:"line,omitempty"`
	// Offset is the byte offset of the entry in Source for binary formats
	// (DER CRLs and CTLs), zero otherwise.
	Offset int64 `json:"offset,omitempty"`
	// Note is free text from the source, such as a file name or description.
	Note string `json:"note,omitempty"`
	// Reference names where the fact comes from: a publisher, an advisory URL.
	Reference string `json:"reference,omitempty"`

	// group links entries that describe the same object (a CSV cell packing
	// SHA-256, SHA-1 and MD5 of one file); 0 means none.
	group int32
	// next chains entries with the same index key.
	next int32
}

// hasWindow reports whether e carries an explicit window.
func (e *Entry) hasWindow() bool { return e.NotBefore != nil || e.NotAfter != nil }

// Where returns "source:line", "source@offset" or "source".
func (e *Entry) Where() string {
	switch {
	case e.Line > 0:
		return fmt.Sprintf("%s:%d", e.Source, e.Line)
	case e.Offset > 0:
		return fmt.Sprintf("%s@0x%x", e.Source, e.Offset)
	}
	return e.Source
}

// String describes the entry as "kind value", with its issuer constraint.
func (e *Entry) String() string {
	var b strings.Builder
	b.WriteString(e.Kind.String())
	b.WriteByte(' ')
	b.WriteString(e.Value)
	switch {
	case len(e.IssuerDER) > 0 && e.Issuer != "":
		fmt.Fprintf(&b, " issued by %q", e.Issuer)
	case len(e.IssuerDER) > 0:
		b.WriteString(" issued by the DER name given")
	case e.Issuer != "":
		fmt.Fprintf(&b, " issued by %q", e.Issuer)
	}
	if e.ChainTBS != "" {
		fmt.Fprintf(&b, " under CA with TBS hash %s", e.ChainTBS)
	}
	return b.String()
}

// Policy decides how revocation dates and reasons count against the trusted
// signing time. Whatever the policy, an entry's explicit NotBefore/NotAfter
// window decides alone.
type Policy int

const (
	// PolicyStrict, the default, is PolicyWindows except that an entry whose
	// reason is keyCompromise, cACompromise, aACompromise, unspecified or
	// missing blocks regardless of time: after a key compromise, a timestamp
	// cannot show the signature was made by the key's owner. For other
	// reasons, an invalidity date earlier than the revocation date
	// (Entry.InvalidAt) is the date that counts.
	PolicyStrict Policy = iota
	// PolicyWindows blocks when the trusted time (the verified timestamp, else
	// now) is at or after the entry's revocation date, whatever the reason —
	// what Windows does with CRL revocation dates. An entry without a date
	// blocks at any time.
	PolicyWindows
	// PolicyAny blocks whenever a certificate of the chain is listed,
	// ignoring revocation dates and reasons.
	PolicyAny
)

var policyNames = [...]string{"strict", "windows", "any"}

// String returns "strict", "windows" or "any".
func (p Policy) String() string {
	if p < 0 || int(p) >= len(policyNames) {
		return fmt.Sprintf("Policy(%d)", int(p))
	}
	return policyNames[p]
}

// MarshalText encodes the policy as its name.
func (p Policy) MarshalText() ([]byte, error) {
	if p < 0 || int(p) >= len(policyNames) {
		return nil, fmt.Errorf("blocklist: unknown policy %d", int(p))
	}
	return []byte(p.String()), nil
}

// UnmarshalText decodes "strict", "windows" or "any".
func (p *Policy) UnmarshalText(b []byte) error {
	v, err := ParsePolicy(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// ParsePolicy returns the Policy named name; the empty string is PolicyStrict.
func ParsePolicy(name string) (Policy, error) {
	if name == "" {
		return PolicyStrict, nil
	}
	for i, n := range policyNames {
		if n == name {
			return Policy(i), nil
		}
	}
	return 0, fmt.Errorf("blocklist: unknown revocation policy %q (want windows, strict or any)", name)
}
