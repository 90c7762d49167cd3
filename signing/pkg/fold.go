package pkg

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// foldName returns the key under which macOS's default volumes (APFS and
// HFS+, case-insensitive and normalization-insensitive) find name: its
// canonical decomposition (NFD), in lower case. Two entries of one key are
// one file once installed, the later replacing the earlier: "café" written
// with U+00E9 and with "e" and U+0301 are, as are "App" and "app".
func foldName(name string) string {
	return strings.ToLower(norm.NFD.String(name))
}
