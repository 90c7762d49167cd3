package verify

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// Update.exe takes a package's version from its file name on the RELEASES
// line (ReleaseEntry's Version) and installs it into app-<version>, as the
// newest when that version is; the package's own nuspec says which build
// it is. A release whose App-2.0.0-full.nupkg holds the 1.0.0 build (an
// older, signed build with a known hole, republished under a newer name)
// has every client "update" to it, and the line's SHA-1 and size name
// the release's file.

// maxNuspecSize bounds the nuspec kept of a package (a few hundred bytes
// in a Squirrel package).
const maxNuspecSize = 64 << 10

// isNuspecName reports whether report path p is a nuspec at the root of a
// NuGet package, where NuGet and Squirrel read it.
func isNuspecName(p string) bool {
	return strings.EqualFold(path.Ext(p), ".nuspec") && isNupkgName(path.Dir(p))
}

// nuspecVersion returns the <metadata><version> of the nuspec b; "" when
// it has none that reads.
func nuspecVersion(b []byte) string {
	var spec struct {
		Metadata struct {
			Version string `xml:"version"`
		} `xml:"metadata"`
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	if err := d.Decode(&spec); err != nil {
		return ""
	}
	return strings.TrimSpace(spec.Metadata.Version)
}

// noteNuspec records the version the kept nuspec of c gives its package.
func (e *engine) noteNuspec(c *check) {
	v := nuspecVersion(c.h.keep.b)
	if v == "" {
		return
	}
	pkg := path.Dir(c.f.Path)
	e.mu.Lock()
	if e.nuspecVersions == nil {
		e.nuspecVersions = map[string][]string{}
	}
	e.nuspecVersions[pkg] = append(e.nuspecVersions[pkg], v)
	e.mu.Unlock()
}

// versionNumbers returns the numbers of version v ("1.0.1", "1.0.1.0",
// "1.0.1-beta2") without the zeros that end them, so that 1.0 and 1.0.0
// are one version; nil when v starts with no number.
func versionNumbers(v string) []int {
	m := feedVersion.FindStringSubmatch(strings.TrimPrefix(v, "v"))
	if m == nil || !strings.HasPrefix(strings.TrimPrefix(v, "v"), m[1]) {
		return nil
	}
	var out []int
	for _, n := range strings.Split(m[1], ".") {
		x, err := strconv.Atoi(n)
		if err != nil {
			return nil
		}
		out = append(out, x)
	}
	for len(out) > 1 && out[len(out)-1] == 0 {
		out = out[:len(out)-1]
	}
	return out
}

// nuspecProblem says, as an error, why the package at report path p that
// the feed's line en names is not of the version its name gives: its
// nuspec names another; "" when it does not.
func (e *engine) nuspecProblem(en feedEntry, p string) (string, signing.Severity) {
	want := slices.Clone(en.version)
	for len(want) > 1 && want[len(want)-1] == 0 {
		want = want[:len(want)-1]
	}
	if len(want) == 0 {
		return "", 0
	}
	for _, v := range e.nuspecVersions[p] {
		if got := versionNumbers(v); got != nil && !slices.Equal(got, want) {
			return fmt.Sprintf("Squirrel feed lists %s, which its name gives as the version Update.exe installs, but the package's nuspec says version %s: an older build served under a newer name downgrades clients", en.name, v), signing.SeverityError
		}
	}
	return "", 0
}
