//go:build unix

package sbom

import "syscall"

// noFollow is the open flag that keeps a folder's file from being opened
// through a symbolic link put in its place after the walk saw a regular
// file (the folder's links are inventoried as links).
const noFollow = syscall.O_NOFOLLOW
