package walktest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
)

// WalkFile is a file of a release as verify checked it or sbom
// inventoried it: its path and its SHA-256 in hex.
type WalkFile struct {
	Path, SHA256 string
}

// Agree checks that verify checked the files of a release (checked, with
// findings vf) and sbom inventoried them (inventoried, with findings sf)
// under the paths want, with the same digests (a tarball's hard link its
// target's) and the same walk and asar findings.
func Agree(t testing.TB, want []string, checked, inventoried []WalkFile, vf, sf []signing.Finding) {
	t.Helper()
	paths := func(fs []WalkFile) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Path)
		}
		slices.Sort(out)
		return out
	}
	got, inv := paths(checked), paths(inventoried)
	if !slices.Equal(got, want) || !slices.Equal(got, inv) {
		t.Errorf("verify checked %q, sbom inventoried %q; want %q", got, inv, want)
	}
	digests := func(fs []WalkFile) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Path+" "+f.SHA256)
		}
		slices.Sort(out)
		return out
	}
	if a, b := digests(checked), digests(inventoried); !slices.Equal(a, b) {
		t.Errorf("verify's digests:\n%s\nsbom's:\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	// The same findings, on the same paths, in the same words
	// but for what was not done.
	if a, b := findingLines(vf, "checked"), findingLines(sf, "inventoried"); !slices.Equal(a, b) {
		t.Errorf("verify found:\n%s\nsbom found:\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
}

// findingLines returns fs's file/… and asar/… findings (those of the
// walk and of the archives it opens, not of a file's signature or the
// policy) as sorted lines of rule, path and message, the message's word
// for what was done or not with an entry (verb) put as "—".
func findingLines(fs []signing.Finding, verb string) []string {
	var out []string
	for _, f := range fs {
		if !strings.HasPrefix(string(f.Rule), "file/") && !strings.HasPrefix(string(f.Rule), "asar/") {
			continue
		}
		out = append(out, fmt.Sprintf("%s %s %s", f.Rule, f.Path, strings.ReplaceAll(f.Message, verb, "—")))
	}
	slices.Sort(out)
	return out
}
