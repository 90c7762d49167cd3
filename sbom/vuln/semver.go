package vuln

import (
	"strings"

	"golang.org/x/mod/semver"
)

// validSemver reports whether v is a full SemVer 2.0 version (npm's
// versions are), with or without a leading "v".
func validSemver(v string) bool {
	c := canonical(v)
	return semver.IsValid(c) && strings.Count(strings.SplitN(strings.SplitN(c, "-", 2)[0], "+", 2)[0], ".") == 2
}

// compareSemver orders two versions by SemVer precedence; build metadata
// is ignored.
func compareSemver(a, b string) int { return semver.Compare(canonical(a), canonical(b)) }

func canonical(v string) string {
	if strings.HasPrefix(v, "v") {
		return v
	}
	return "v" + v
}
