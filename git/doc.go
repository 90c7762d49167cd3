// Package git audits a repository's history before a release: what happened
// to protected upstream code (third_party/**, vendor/**, …) since the last
// release, who changed it, whether each change was signed by a key allowed
// for the path, whether vendored directories still match their pinned
// upstream commits, and whether a release artifact matches the tagged tree.
//
// Vendor pins found in the tree (README.chromium, METADATA) or in commit
// messages (git-subtree-split trailers) are written by whoever pushes, so
// they are resolved only through the policy's upstream clones, a split
// commit that came with the range vouches for nothing, and a pin at the
// last release that is gone, re-pointed or moved back at the audited one is
// reported. The binary heuristic also finds payloads spelled as valid text
// (wrapped base64, hex and base85, escape runs, numeric arrays, binary mapped
// onto Unicode; see encoded.go).
//
// Path history uses "git log --full-history" semantics: a commit changes a
// path when its tree entry there differs from that of any of its parents, so
// merges that bring changes in are reported. A file, symlink or submodule at
// a directory above a protected path (or a case variant of one) counts as a
// change to it: a checkout puts it where the protected directory would be.
// So is a change at the target of a symlink under a protected path (see
// protectLinkTargets), and a change to the lines of a .gitattributes above
// it that apply to it (export-ignore, eol, ident, filter; see
// checkAttributeChanges). Folded paths also join what Windows joins: NTFS
// 8.3 short names, trailing dots and spaces, backslashes. go-git's path-filtered Log is
// not used: it diffs against the previously returned commit rather than the
// real parents. History is walked once and subtrees are compared by object
// id, so unchanged subtrees are never read; the commit-graph file is used
// when present, and every record the result depends on (the range's commits,
// the commits at its boundary and the path that excluded them as ancestors
// of the release) is checked against the commit object: a forged graph stops
// the audit with [ErrCommitGraphMismatch]. Vendor pins (the pinned commit's
// tree, its ancestry) are read from the objects alone, in this repository
// and in upstream clones. The git binary is run with its commit-graph off. When a git binary is on PATH the commit set can come from
// "git rev-list --full-history" instead (see [Backend]); both backends give
// the same commits. The git binary reads the repository's objects and
// nothing else of it: it runs over a fresh, empty git directory without
// system or global config, with replace refs, the commit-graph and the
// multi-pack index off, so the audited repository's config (a promisor
// remote whose lazy fetch runs core.sshCommand, core.fsmonitor), hooks,
// .git/info/grafts and .git/shallow can neither run a command nor rewrite
// parents to hide a commit from the range.
//
// Signatures: OpenPGP (checked against armored keyrings) and SSH (SSHSIG,
// checked against an OpenSSH allowed_signers file, including
// cert-authority, namespaces, valid-after and valid-before) on commits,
// annotated tags and mergetag headers. x509 (gitsign) signatures are
// recognised but not verified, so they never count as allowed. Objects with
// several signatures are rejected, as git does.
//
// Objects are read as git reads them (first tree and object headers, the
// parent lines right after the tree, a full object id before a ref of the
// same name, entry modes canonicalised as git does, so "40755" is a
// directory); a tree that a checkout would write differently from how git
// reads it stops the audit with [ErrHostileTree]. Trees are compared as
// git's tree diff compares them, walking both in git's entry order; a tree
// whose entries are out of that order (which git fsck rejects and git's own
// diff misreads) is compared by entry name instead, so no change is missed.
//
// Every object read is checked to hash to its id, loose or packed (a pack
// index can point an id at any object), so a replaced object file stops the
// audit with [ErrObjectHashMismatch] instead of showing it other content than
// the commits the ids pin. Packs are mapped into memory. The per-commit binary heuristic runs on
// GOMAXPROCS goroutines (at most 8), each with its own caches; findings are
// gathered in walk order, so the report does not depend on scheduling.
//
// The artifact comparison evaluates the tree's .gitattributes files as git
// archive does (see gitAttrs): export-ignore, export-subst (whose
// placeholders are matched against what git writes for the commit), ident
// and CRLF conversion.
//
// Not checked: the reflog or any record of past ref values (a rewritten
// branch is detected only when the release tag is no longer an ancestor),
// gittuf metadata, and SHA-256 repositories.
package git
