package release

import "github.com/shipgate/shipgate/signing"

// Rule IDs of the problems of tarballs and zips, as verify and sbom report them
// (documented in docs/rules/verify.md). RuleMalformed, RuleInsecurePath,
// RuleDuplicateEntry, RuleNameCollision (entries that are one on a
// case-insensitive file system: foldname.Set), RuleSymlinkEscape (a link
// out of the release) and RuleUnreadable are the rules of every container.
const (
	RuleMalformed       signing.Rule = "file/malformed"
	RuleUnreadable      signing.Rule = "file/unreadable"
	RuleInsecurePath    signing.Rule = "file/insecure-path"
	RuleDuplicateEntry  signing.Rule = "file/duplicate-entry"
	RuleNameCollision   signing.Rule = "file/name-collision"
	RuleSymlinkEscape   signing.Rule = "file/symlink-escape"
	RuleSetuid          signing.Rule = "file/setuid"
	RuleWorldWritable   signing.Rule = "file/world-writable"
	RuleZipUnlisted     signing.Rule = "file/zip-unlisted-entry"
	RuleZipInvalid      signing.Rule = "file/zip-invalid"
	RuleZipTrailing     signing.Rule = "file/zip-trailing-data"
	RuleTarTrailingData signing.Rule = "file/tar-trailing-data"
	RuleTarHiddenData   signing.Rule = "file/tar-hidden-data"
	RuleTarHardlink     signing.Rule = "file/tar-hardlink"
	RuleTarSpecialEntry signing.Rule = "file/tar-special-entry"
)
