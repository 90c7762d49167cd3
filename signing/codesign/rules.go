package codesign

import "github.com/shipgate/shipgate/signing"

// Rule IDs of the findings this package produces, documented in
// docs/rules/codesign.md.
const (
	// RulePageHashMismatch reports a code page that no longer hashes to the
	// value its CodeDirectory records.
	RulePageHashMismatch signing.Rule = "codesign/page-hash-mismatch"
	// RuleSpecialSlotMismatch reports a special slot of a CodeDirectory that
	// does not match the blob or file it binds.
	RuleSpecialSlotMismatch signing.Rule = "codesign/special-slot-mismatch"
	// RuleCMSDigestMismatch reports a CMS messageDigest that is not the hash
	// of the primary CodeDirectory.
	RuleCMSDigestMismatch signing.Rule = "codesign/cms-digest-mismatch"
	// RuleCDHashMismatch reports signed cdhashes that do not match every
	// CodeDirectory.
	RuleCDHashMismatch signing.Rule = "codesign/cdhash-mismatch"
	// RuleSignatureInvalid reports a CMS signature that does not verify, or a
	// non-ad-hoc CodeDirectory whose CMS was stripped.
	RuleSignatureInvalid signing.Rule = "codesign/signature-invalid"
	// RuleUntrustedChain reports an intact CMS signature whose signer does not
	// chain to a trusted root at the time that counts.
	RuleUntrustedChain signing.Rule = "codesign/untrusted-chain"
	// RuleTeamIDMismatch reports a CodeDirectory team ID that differs from the
	// signing certificate's OU, from the team of another slice of the same
	// universal file, or, for a framework's other version, from the team of
	// its current version.
	RuleTeamIDMismatch signing.Rule = "codesign/team-id-mismatch"
	// RuleNotDistributionCertificate reports a signature by an Apple
	// Development or App Store submission certificate (Apple Distribution,
	// 3rd Party Mac Developer), which Gatekeeper refuses outside
	// development and the App Store.
	RuleNotDistributionCertificate signing.Rule = "codesign/not-distribution-certificate"
	// RuleAdhoc reports an ad-hoc signature: intact, with no identity.
	RuleAdhoc signing.Rule = "codesign/adhoc"
	// RuleUnsigned reports a slice without LC_CODE_SIGNATURE, or a bundle
	// without a main executable.
	RuleUnsigned signing.Rule = "codesign/unsigned"
	// RuleDataOutsideSlices reports bytes of a universal file that belong to
	// no slice.
	RuleDataOutsideSlices signing.Rule = "codesign/data-outside-slices"
	// RuleEntitlementsDisagree reports a signature whose XML entitlements
	// (which reports show) and DER entitlements (which macOS grants) say
	// different things, or one of which cannot be read.
	RuleEntitlementsDisagree signing.Rule = "codesign/entitlements-disagree"
	// RuleUnsupportedCodeDirectory reports a CodeDirectory whose meaning
	// shipgate cannot verify: one with a scatter vector, or a version past
	// the last one macOS accepts.
	RuleUnsupportedCodeDirectory signing.Rule = "codesign/unsupported-code-directory"
	// RuleSliceIdentifierMismatch reports a slice of a universal file
	// signed with another identifier than the file's first signed slice.
	RuleSliceIdentifierMismatch signing.Rule = "codesign/slice-identifier-mismatch"
	// RuleMalformed reports a header, load command or signature structure
	// that is inconsistent.
	RuleMalformed signing.Rule = "codesign/malformed"
	// RuleResourceModified reports a bundle file that does not match the
	// bundle's seal (CodeResources).
	RuleResourceModified signing.Rule = "codesign/resource-modified"
	// RuleResourceOmitted reports a bundle file, not code, that an omit
	// rule of the seal's own (not one codesign writes) leaves unsealed.
	RuleResourceOmitted signing.Rule = "codesign/resource-omitted"
	// RuleWeakResourceEnvelope reports a bundle seal Gatekeeper's strict
	// validation rejects: a version 1 envelope, or resource rules without
	// the catch-all rule or with omit rules codesign does not write.
	RuleWeakResourceEnvelope signing.Rule = "codesign/weak-resource-envelope"
	// RuleMissingInfoPlist reports a bundle directory (.app…) with no
	// Info.plist whose Contents/MacOS holds a file of the bundle's name,
	// which macOS runs as its main executable.
	RuleMissingInfoPlist signing.Rule = "codesign/missing-info-plist"
	// RuleSymlinkEscapesBundle reports a sealed (or omitted) symlink of a
	// bundle whose target lies outside the bundle: an error unless it is an absolute
	// path under /System/ or /Library/, which macOS allows.
	RuleSymlinkEscapesBundle signing.Rule = "codesign/symlink-escapes-bundle"
	// RuleUnownedSignatureData reports bytes of the LC_CODE_SIGNATURE area
	// that belong to no blob (holes inside the SuperBlob, data after it), and
	// bytes of the CMS signature or its timestamp token that no verified
	// field owns.
	RuleUnownedSignatureData signing.Rule = "codesign/unowned-signature-data"
	// RuleUnusedCertificate reports an embedded certificate that no verified
	// chain uses.
	RuleUnusedCertificate signing.Rule = "codesign/unused-certificate"
	// RuleUnboundBlob reports a SuperBlob blob that no CodeDirectory binds
	// by a special-slot hash (and that is not a CodeDirectory or the CMS).
	RuleUnboundBlob signing.Rule = "codesign/unbound-blob"
	// RuleUnknownSlot reports a SuperBlob index entry whose slot type Apple
	// does not define.
	RuleUnknownSlot signing.Rule = "codesign/unknown-slot"
	// RuleDuplicateSlot reports a slot listed twice in the SuperBlob index.
	RuleDuplicateSlot signing.Rule = "codesign/duplicate-slot"
	// RuleBlobOverlap reports a blob overlapping another blob or the
	// SuperBlob's header and index.
	RuleBlobOverlap signing.Rule = "codesign/blob-overlap"
	// RuleWorkBudgetExceeded reports a file whose structures ask for more
	// parsing or hashing than its size can justify; the rest is not
	// verified.
	RuleWorkBudgetExceeded signing.Rule = "codesign/work-budget-exceeded"
	// RuleNotarizationTicketUnverified reports a stapled notarization ticket
	// (Contents/CodeResources of a bundle, the ticket slot of a disk image
	// or Mach-O signature) that parses but whose Apple signature is not
	// verified (the format does not document it); no code signature seals
	// it either. One too large to be a ticket is an error.
	RuleNotarizationTicketUnverified signing.Rule = "codesign/notarization-ticket-unverified"
	// RuleNotarizationTicketMalformed reports data where stapler puts a
	// notarization ticket that is not one: unsealed bytes.
	RuleNotarizationTicketMalformed signing.Rule = "codesign/notarization-ticket-malformed"
	// RuleNotarizationTicketLayout reports a ticket whose lengths disagree
	// with the layout shipgate reads (bytes after the content its header
	// declares, or fewer than it declares).
	RuleNotarizationTicketLayout signing.Rule = "codesign/notarization-ticket-layout"
	// RuleNotarizationTicketMismatch reports a stapled ticket that names
	// none of the cdhashes of the code it is stapled to: a ticket for other
	// code, as when code is re-signed after stapling.
	RuleNotarizationTicketMismatch signing.Rule = "codesign/notarization-ticket-mismatch"
	// RuleDesignatedRequirementUnsatisfied reports a signature that does not
	// satisfy its own designated requirement, or whose designated
	// requirement does not parse: codesign --verify refuses such code.
	RuleDesignatedRequirementUnsatisfied signing.Rule = "codesign/designated-requirement-unsatisfied"
	// RuleDesignatedRequirementUndecided reports a designated requirement
	// whose outcome depends on terms that cannot be decided offline
	// (notarization, trust settings, named requirements).
	RuleDesignatedRequirementUndecided signing.Rule = "codesign/designated-requirement-undecided"
	// RuleNestedRuntimeWeaker reports, in a bundle whose main executable
	// runs under the hardened runtime, a nested executable without it, or
	// nested code entitled to disable library validation, use dyld
	// environment variables or unsigned executable memory, or to let other
	// processes take its task port (get-task-allow).
	RuleNestedRuntimeWeaker signing.Rule = "codesign/nested-runtime-weaker"
)

// Names of the checks specific to Apple code signatures in a Signature's
// Checks. The checks both formats run (page hashes, signature, signature
// data, chain, timestamp) use the names in package signing, such as
// [signing.CheckChain].
const (
	// CheckMachO: the Mach-O slice parses.
	CheckMachO signing.CheckName = "mach-o"
	// CheckFatEntry: the fat entry names a slice of its own.
	CheckFatEntry signing.CheckName = "fat-entry"
	// CheckLayout: LC_CODE_SIGNATURE is last, inside __LINKEDIT, and the
	// SuperBlob's blobs are bound, known, unique and do not overlap.
	CheckLayout signing.CheckName = "layout"
	// CheckCodeDirectory: a usable primary CodeDirectory is present.
	CheckCodeDirectory signing.CheckName = "code-directory"
	// CheckSpecialSlots: each special slot matches what it binds.
	CheckSpecialSlots signing.CheckName = "special-slots"
	// CheckCMS: the CMS signature blob parses.
	CheckCMS signing.CheckName = "cms"
	// CheckCMSDigest: the CMS messageDigest is the primary CodeDirectory's hash.
	CheckCMSDigest signing.CheckName = "cms-digest"
	// CheckCDHashes: the signed cdhashes match every CodeDirectory.
	CheckCDHashes signing.CheckName = "cdhashes"
	// CheckDeveloperID: a Developer ID leaf is issued by the Developer ID CA.
	CheckDeveloperID signing.CheckName = "developer-id"
	// CheckTeamID: the CodeDirectory's team ID matches the certificate's OU.
	CheckTeamID signing.CheckName = "team-id"
	// CheckIdentity: fails for an ad-hoc signature, which has no identity.
	CheckIdentity signing.CheckName = "identity"
	// CheckLinkerSigned: the ad-hoc signature was made by the linker.
	CheckLinkerSigned signing.CheckName = "linker-signed"
	// CheckDesignatedRequirement: the signature satisfies its designated
	// requirement (or carries none, so macOS derives one).
	CheckDesignatedRequirement signing.CheckName = "designated-requirement"
	// CheckWorkBudget: fails when the file's work budget ran out before
	// verification finished.
	CheckWorkBudget signing.CheckName = "work-budget"
)
