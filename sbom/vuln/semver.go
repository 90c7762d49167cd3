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

// cleanVersion reads a package.json version the way npm's semver.clean
// does (loosely): surrounding space, leading "=" and "v" and leading zeros
// of the numeric parts do not change the version Node loads, so they must
// not hide it from matching.
func cleanVersion(v string) string {
	v = strings.TrimLeft(strings.TrimSpace(v), "=v")
	core, rest := v, ""
	if i := strings.IndexAny(v, "-+"); i >= 0 {
		core, rest = v[:i], v[i:]
	}
	parts := strings.Split(core, ".")
	for i, p := range parts {
		if t := strings.TrimLeft(p, "0"); t != p {
			if t == "" {
				t = "0"
			}
			parts[i] = t
		}
	}
	return strings.Join(parts, ".") + rest
}

func canonical(v string) string {
	if strings.HasPrefix(v, "v") {
		return v
	}
	return "v" + v
}
