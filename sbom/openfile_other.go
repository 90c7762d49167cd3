//go:build !unix

package sbom

// noFollow is the open flag that keeps a folder's file from being opened
// through a symbolic link: none where the system has no such flag.
const noFollow = 0
