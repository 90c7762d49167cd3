package report

import (
	"time"

	"github.com/shipgate/shipgate/signing"
)

// GitAudit describes the range a git history audit covered; the commits
// that change protected paths are the report's Commits.
type GitAudit struct {
	// Since and Until are the full commit ids the range was computed from
	// (Since is empty when the whole history was audited).
	Since string `json:"since,omitempty"`
	Until string `json:"until"`
	// RangeSize is the number of commits audited.
	RangeSize int `json:"rangeSize"`
	// Protected counts the policy's protect and vendor entries; zero means
	// no path was protected, so the commits were audited for history
	// anomalies only.
	Protected int `json:"protected"`
	// Backend is the path-history backend used ("go-git" or "git").
	Backend string `json:"backend,omitempty"`
	// Tags are the annotated tags Since and Until name, with their
	// signatures.
	Tags []Tag `json:"tags,omitempty"`
	// Artifact counts the files of the release artifact compared with the
	// tree at Until; nil when no artifact was given.
	Artifact *GitArtifact `json:"artifact,omitempty"`
}

// GitArtifact counts what the comparison of a release artifact with the
// tagged tree found; the differences themselves are findings.
type GitArtifact struct {
	// Path is the artifact as given.
	Path string `json:"path,omitempty"`
	// Files is the number of files (and symlinks) in the artifact.
	Files int `json:"files"`
	// Matched is how many of them are identical to the tree's.
	Matched int `json:"matched"`
	// Allowed is how many the policy's artifactAllow excuses.
	Allowed int `json:"allowed"`
	// TreeFiles is the number of files in the tree compared with.
	TreeFiles int `json:"treeFiles"`
}

// Commit is a commit that changes protected paths.
type Commit struct {
	// Hash is the full commit id.
	Hash string `json:"commit"`
	// Parents are the full ids of its parents.
	Parents   []string `json:"parents"`
	Author    Person   `json:"author"`
	Committer Person   `json:"committer"`
	// Subject is the first line of the message.
	Subject string `json:"subject"`
	// Signature is nil when the commit is unsigned.
	Signature *GitSignature `json:"signature,omitempty"`
	// Protected are the policy globs the commit's changes match.
	Protected []string `json:"protected"`
	// Files are the protected files the commit changes, sorted.
	Files []FileChange `json:"files"`
}

// Person is an author, committer or tagger as git records them.
type Person struct {
	Name  string    `json:"name"`
	Email string    `json:"email"`
	When  time.Time `json:"when"`
}

// GitSignature is the verification of a commit's or tag's signature.
type GitSignature struct {
	// Format is "openpgp", "ssh" or "x509"; empty when unknown.
	Format string `json:"format,omitempty"`
	// Status is valid, untrusted, invalid or malformed (see package git).
	Status signing.Status `json:"status"`
	// Key identifies the signing key (SSH "SHA256:…" fingerprint, OpenPGP
	// fingerprint or key ID).
	Key string `json:"key,omitempty"`
	// Signer names who the trusted key belongs to.
	Signer string `json:"signer,omitempty"`
	// Identities are every name policy signer entries are matched against.
	Identities []string `json:"identities,omitempty"`
	// Multiple is true when the object carries more than one signature.
	Multiple bool `json:"multiple,omitempty"`
	// Detail says why the status is not valid.
	Detail string `json:"detail,omitempty"`
}

// FileChange is one changed protected file of a commit.
type FileChange struct {
	Path string `json:"path"`
	// Status is "added", "modified", "deleted" or "type-changed" (a file
	// turned symlink or submodule, or back; git diff's T).
	Status string `json:"status"`
	// Parent is the index of the parent compared, -1 for a root commit.
	Parent int `json:"parent"`
	// Added and Deleted count lines; both are zero for binary files.
	Added   int  `json:"added"`
	Deleted int  `json:"deleted"`
	Binary  bool `json:"binary,omitempty"`
	// Large is set when the lines were not counted exactly.
	Large bool `json:"large,omitempty"`
}

// Tag is an annotated tag at an end of an audited range.
type Tag struct {
	Name string `json:"name"`
	// Hash is the tag object's id.
	Hash      string        `json:"hash"`
	Target    string        `json:"target"`
	Tagger    Person        `json:"tagger"`
	Signature *GitSignature `json:"signature,omitempty"`
}
