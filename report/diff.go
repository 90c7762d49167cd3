package report

import "github.com/shipgate/shipgate/signing"

// Diff is the "diff" section of a report: a comparison of two releases
// (shipgate diff OLD NEW) or of a release's Electron runtime with the
// official upstream zip (shipgate diff --upstream). Exactly one of the two
// is set; its fields are the section's JSON keys.
type Diff struct {
	*ReleaseDiff
	*UpstreamDiff
}

// ReleaseDiff is what changed from one release to the next. Its lists are
// non-nil (JSON shows []) and sorted by path.
type ReleaseDiff struct {
	// Old and New are the two releases as given.
	Old string `json:"old"`
	New string `json:"new"`
	// Electron and App are the runtime's and the application's versions.
	Electron VersionChange `json:"electron"`
	App      VersionChange `json:"app"`
	// Packages added, removed, updated (version changed) and changed with
	// the same version, each sorted by path.
	Added              []PackageRef   `json:"added"`
	Removed            []PackageRef   `json:"removed"`
	Updated            []PackageDelta `json:"updated"`
	ChangedSameVersion []PackageRef   `json:"changedSameVersion"`
	// Binaries whose bytes or signature changed, added, removed.
	Binaries []BinaryDelta `json:"binaries"`
	// Files outside packages whose bytes changed, were added or removed.
	Files []FileDelta `json:"files"`
	// Fuses that changed state.
	Fuses []FuseDelta `json:"fuses"`
}

// VersionChange is an old and a new version; empty when unknown.
type VersionChange struct {
	Old string `json:"old"`
	New string `json:"new"`
}

// PackageRef names an npm package at a path.
type PackageRef struct {
	Path    string `json:"path"`
	Name    string `json:"name"`
	Version string `json:"version"`
}

// PackageDelta is a package whose version changed.
type PackageDelta struct {
	Path string `json:"path"`
	Name string `json:"name"`
	Old  string `json:"old"`
	New  string `json:"new"`
}

// Changes of a [BinaryDelta] or a [FileDelta].
const (
	ChangeAdded   = "added"
	ChangeRemoved = "removed"
	ChangeChanged = "changed"
)

// BinaryDelta is a native binary that changed.
type BinaryDelta struct {
	Path string `json:"path"`
	// Change is ChangeAdded, ChangeRemoved or ChangeChanged.
	Change string `json:"change"`
	// Old and New describe the binary on each side; nil on the side where
	// it is absent.
	Old *Binary `json:"old,omitempty"`
	New *Binary `json:"new,omitempty"`
}

// Binary is a native binary of a release as the inventory describes it.
type Binary struct {
	Path   string   `json:"path"`
	Size   int64    `json:"size"`
	SHA256 string   `json:"sha256"`
	Kind   string   `json:"kind"`
	Arch   []string `json:"arch,omitempty"`
	// NodeAddon reports a .node file.
	NodeAddon bool `json:"nodeAddon,omitempty"`
	// Package is the path of the npm package holding it, if any.
	Package string `json:"package,omitempty"`
	// ProductVersion and FileVersion come from a PE version resource.
	ProductVersion string `json:"productVersion,omitempty"`
	FileVersion    string `json:"fileVersion,omitempty"`
	// Version is the declared version covering the binary: FileVersion, else
	// the version of its package, its application or its Electron runtime.
	Version string `json:"version,omitempty"`
	// Signature summarizes the signatures; nil when not examined.
	Signature *SignatureSummary `json:"signature,omitempty"`
}

// SignatureSummary is the gist of a binary's signatures.
type SignatureSummary struct {
	// Status is the worst status of its signatures (unsigned when none).
	Status signing.Status `json:"status"`
	// Signer identifies the first signature's signer, nil when none.
	Signer *Signer `json:"signer,omitempty"`
	// Others identifies the signers of the file's other signatures, in
	// order; an entry is empty when that signature names no signer.
	Others []Signer `json:"others,omitempty"`
	// Digest is the first signature's recomputed digest.
	Digest string `json:"digest,omitempty"`
}

// Signer is the identity of a signer: names and serial as the certificate
// claims them, SHA256 (of the DER certificate) and SPKISHA256 (of its
// SubjectPublicKeyInfo) as what identify it.
type Signer struct {
	Subject    string `json:"subject"`
	Issuer     string `json:"issuer"`
	Serial     string `json:"serial"`
	SHA256     string `json:"sha256"`
	SPKISHA256 string `json:"spkiSHA256,omitempty"`
	TeamID     string `json:"teamID,omitempty"`
}

// FileDelta is a file outside packages that changed.
type FileDelta struct {
	Path string `json:"path"`
	// Change is ChangeAdded, ChangeRemoved or ChangeChanged.
	Change string `json:"change"`
	// Old and New are the SHA-256 of each side; empty where absent.
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
}

// FuseDelta is an Electron fuse whose state changed in one wire.
type FuseDelta struct {
	Path     string `json:"path"`
	Arch     string `json:"arch,omitempty"`
	Fuse     string `json:"fuse"`
	Old      string `json:"old"`
	New      string `json:"new"`
	Weakened bool   `json:"weakened"`
}

// UpstreamDiff is how a release's Electron runtime compares with the
// official Electron zip.
type UpstreamDiff struct {
	// Release is the release as given.
	Release string `json:"release"`
	// Zip is the zip's file name and SHA256 its digest.
	Zip    string `json:"zip"`
	SHA256 string `json:"sha256"`
	// Version, Platform and Arch are read from the zip's name.
	Version  string `json:"version"`
	Platform string `json:"platform"`
	Arch     string `json:"arch"`
	// Compared counts the upstream files found in the release.
	Compared int `json:"compared"`
	// Modified are the runtime files whose bytes differ from upstream.
	Modified []UpstreamFile `json:"modified"`
	// Missing are upstream files the release does not ship; Extra are
	// runtime files upstream does not ship.
	Missing []string `json:"missing"`
	Extra   []string `json:"extra"`
}

// UpstreamFile is a runtime file compared with its upstream counterpart.
type UpstreamFile struct {
	Path     string `json:"path"`
	Upstream string `json:"upstream"`
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
}
