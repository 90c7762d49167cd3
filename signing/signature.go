package signing

// Format names a signature format as reports spell it.
type Format string

const (
	// FormatAuthenticode is a Windows Authenticode signature in a PE file.
	FormatAuthenticode Format = "authenticode"
	// FormatAppleCodesign is an Apple code signature in a Mach-O slice.
	FormatAppleCodesign Format = "apple-codesign"
	// FormatApplePkg is the RSA <signature> of a macOS flat installer
	// package (xar), over its table of contents checksum.
	FormatApplePkg Format = "apple-pkg"
	// FormatApplePkgCMS is the CMS <x-signature> of a flat installer
	// package, over the same checksum.
	FormatApplePkgCMS Format = "apple-pkg-cms"
	// FormatCatalog is a file's membership in a verified Windows security
	// catalog, which signs its digest (signtool verify /c).
	FormatCatalog Format = "authenticode-catalog"
)

// Digest pairs the digest a signature records with the one recomputed from
// the bytes. They are equal exactly when the signed bytes are intact.
type Digest struct {
	// Algorithm is "md5", "sha1", "sha256", "sha384" or "sha512".
	Algorithm string `json:"algorithm"`
	// Signed is the digest as the signature records it, lowercase hex.
	Signed string `json:"signed"`
	// Computed is the same digest recomputed from the file, lowercase hex.
	Computed string `json:"computed"`
}

// Match reports whether both digests are present and equal.
func (d Digest) Match() bool { return d.Signed != "" && d.Signed == d.Computed }

// Signature is the facts about one signature of a file and the verdict that
// follows from them, in the shape of the JSON report's signature object.
type Signature struct {
	// Format is the signature format.
	Format Format `json:"format"`
	// Index numbers the file's signatures in order: for Authenticode each
	// WIN_CERTIFICATE entry, then its nested signatures; for Mach-O one per slice.
	Index int `json:"index"`
	// Arch names the Mach-O slice ("arm64", "x86_64"); empty for PE.
	Arch string `json:"arch,omitempty"`
	// Status is the verdict for this signature.
	Status Status `json:"status"`
	// Digest is the signed and recomputed digest of the signed bytes.
	Digest *Digest `json:"digest,omitempty"`
	// Signer identifies the signing certificate; nil when there is none.
	Signer *Identity `json:"signer,omitempty"`
	// Chain is the certificate chain, leaf first, as far as it was built.
	Chain []Identity `json:"chain,omitempty"`
	// Timestamp is the countersignature's time, nil when there is none.
	Timestamp *Timestamp `json:"timestamp,omitempty"`
	// DesignatedRequirement is an Apple code signature's designated
	// requirement and whether the signature satisfies it; nil for other
	// formats and for code whose signature was not verified that far.
	DesignatedRequirement *DesignatedRequirement `json:"designatedRequirement,omitempty"`
	// Notarization is the stapled notarization ticket found for an Apple
	// code signature of a bundle's main executable, a disk image or a
	// flat package (or in a Mach-O's ticket slot); nil where none was
	// looked for.
	Notarization *Notarization `json:"notarization,omitempty"`
	// Catalog names the security catalog that vouches for the file, for
	// FormatCatalog: its report path, or the base name of a catalog given
	// on the command line.
	Catalog string `json:"catalog,omitempty"`
	// Checks explain Status, one per test, in the order they ran.
	Checks []Check `json:"checks"`
}

// AddCheck appends a check.
func (s *Signature) AddCheck(name CheckName, ok bool, detail string) {
	s.Checks = append(s.Checks, Check{Name: name, OK: ok, Detail: detail})
}

// Failed reports whether a check with the given name failed.
func (s *Signature) Failed(name CheckName) bool {
	for _, c := range s.Checks {
		if c.Name == name && !c.OK {
			return true
		}
	}
	return false
}

// RequirementResult is the outcome of evaluating an Apple code requirement
// against a signature.
type RequirementResult string

const (
	// RequirementSatisfied results when the signature meets the requirement.
	RequirementSatisfied RequirementResult = "satisfied"
	// RequirementUnsatisfied results when it does not.
	RequirementUnsatisfied RequirementResult = "unsatisfied"
	// RequirementUnknown results when the outcome depends on terms that
	// cannot be decided offline (notarization, trust settings, named
	// requirements of the Security framework…): never taken as satisfied.
	RequirementUnknown RequirementResult = "unknown"
)

// DesignatedRequirement is the requirement an Apple code signature names as
// its identity (codesign -d -r-) and how the signature fares against it, as
// codesign --verify checks.
type DesignatedRequirement struct {
	// Text is the requirement in Apple's text form. When Implicit, it is
	// the one macOS derives (the Security framework's DRMaker), as
	// codesign -d -r- prints it: the cdhash of ad-hoc code; for signed code
	// its identifier and the Developer ID, WWDR (Apple Development, Mac App
	// Store) or Apple form under an Apple root, or the hash of the highest
	// certificate of the leaf's organization under another; empty where the
	// signer's subject leaves DRMaker's choice unsettled.
	Text string `json:"text,omitempty"`
	// Implicit reports a signature without an explicit designated
	// requirement: macOS derives one from the signature itself.
	Implicit bool `json:"implicit,omitempty"`
	// Result is the outcome of evaluating Text; empty when Text is. An
	// implicit requirement that is not satisfied (an untrusted chain) is
	// no finding: macOS would derive it from the same signature.
	Result RequirementResult `json:"result,omitempty"`
	// Undecided lists the terms that could not be evaluated, each with
	// the reason, when Result is unknown.
	Undecided []string `json:"undecided,omitempty"`
}
