package git

import "github.com/shipgate/shipgate/signing"

// Rule IDs reported by Audit, documented in docs/rules/git.md.
const (
	// RuleHistoryRewritten: the --since revision is not an ancestor of
	// --until.
	RuleHistoryRewritten signing.Rule = "git/history-rewritten"
	// RuleEmptyRange: --since..--until holds no commit while paths are
	// protected, so no commit was audited.
	RuleEmptyRange signing.Rule = "git/empty-range"
	// RuleProtectUnmatched: a protected path glob matches no path in the
	// trees at either end of the range.
	RuleProtectUnmatched signing.Rule = "git/protect-unmatched"
	// RuleProtectedPathChange: a commit changes a protected path.
	RuleProtectedPathChange signing.Rule = "git/protected-path-change"
	// RuleUnsignedProtected: a commit changing a protected path is unsigned.
	RuleUnsignedProtected signing.Rule = "git/unsigned-protected-change"
	// RuleSignerNotAllowed: a commit or tag is signed by a key not allowed
	// for it.
	RuleSignerNotAllowed signing.Rule = "git/signer-not-allowed"
	// RuleBadSignature: a commit, tag or mergetag signature does not verify.
	RuleBadSignature signing.Rule = "git/bad-signature"
	// RuleMultipleSignatures: a commit or tag carries several signatures.
	RuleMultipleSignatures signing.Rule = "git/multiple-signatures"
	// RuleBinaryAdded: a commit adds or changes binary or high-entropy content.
	RuleBinaryAdded signing.Rule = "git/binary-added"
	// RuleDateAnomaly: committer before author, or a date in the future.
	RuleDateAnomaly signing.Rule = "git/date-anomaly"
	// RuleUnexpectedAuthor: a protected path is changed by none of its owners.
	RuleUnexpectedAuthor signing.Rule = "git/unexpected-author"
	// RuleVendorDrift: a vendored directory differs from its pinned upstream.
	RuleVendorDrift signing.Rule = "git/vendor-drift"
	// RuleVendorUnverified: a vendored directory's pin cannot be checked.
	RuleVendorUnverified signing.Rule = "git/vendor-unverified"
	// RuleVendorDowngrade: a vendored directory's pin file now names an
	// older upstream commit than at the last release.
	RuleVendorDowngrade signing.Rule = "git/vendor-downgrade"
	// RuleProtectedSymlinkTarget: a symlink under a protected path points
	// outside every protected path; its target is audited as protected.
	RuleProtectedSymlinkTarget signing.Rule = "git/protected-symlink-target"
	// RuleProtectedAttributes: a commit changes the lines of a
	// .gitattributes above a protected path that can apply to it.
	RuleProtectedAttributes signing.Rule = "git/protected-attributes-change"
	// RuleMergeOwnChange: a merge commit's protected file matches none of
	// its parents.
	RuleMergeOwnChange signing.Rule = "git/merge-own-change"
	// RuleTagNameMismatch: a tag ref at an end of the range points at an
	// annotated tag object that names another tag.
	RuleTagNameMismatch signing.Rule = "git/tag-name-mismatch"
	// RuleArtifactFileNotInTag: an artifact file is not in the tree at --until.
	RuleArtifactFileNotInTag signing.Rule = "git/artifact-file-not-in-tag"
	// RuleArtifactContentDiffers: an artifact file differs from the tree's.
	RuleArtifactContentDiffers signing.Rule = "git/artifact-content-differs"
	// RuleArtifactFileMissing: a file of the tree is missing from the artifact.
	RuleArtifactFileMissing signing.Rule = "git/artifact-file-missing"
	// RuleArtifactUnreadable: the artifact or a file in it cannot be read.
	RuleArtifactUnreadable signing.Rule = "git/artifact-unreadable"
	// RuleArtifactGitDir: a release directory holds a top-level .git.
	RuleArtifactGitDir signing.Rule = "git/artifact-git-dir"
	// RuleArtifactExportSubst: git archive expanded a $Format:…$
	// placeholder of an export-subst file.
	RuleArtifactExportSubst signing.Rule = "git/artifact-export-subst"
	// RuleTrustInRepo: the policy file, its allowed_signers file or a
	// keyring lies inside the audited repository.
	RuleTrustInRepo signing.Rule = "git/trust-in-repo"
)
