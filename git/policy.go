package git

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/shipgate/shipgate/internal/glob"
	"github.com/shipgate/shipgate/internal/strictyaml"
)

// Policy says which paths of a repository hold upstream code that must not
// change unnoticed, who may change and sign them, and what a release may
// contain beyond the tagged tree. The zero Policy protects nothing.
//
// File paths in a Policy loaded with LoadPolicy are resolved relative to the
// policy file's directory.
type Policy struct {
	// Protect lists the protected paths.
	Protect []ProtectRule `yaml:"protect"`
	// AllowedSigners is an OpenSSH allowed_signers file of SSH keys that may
	// sign commits and tags.
	AllowedSigners string `yaml:"allowedSigners"`
	// Keyrings are armored OpenPGP public keyrings of keys that may sign.
	Keyrings []string `yaml:"keyrings"`
	// BinaryAllow are globs of paths where binary or high-entropy blobs are
	// expected (git/binary-added is not reported for them).
	BinaryAllow []string `yaml:"binaryAllow"`
	// ArtifactAllow are globs of release-artifact paths that the build
	// generates, so they may be absent from the tag or differ from it.
	ArtifactAllow []string `yaml:"artifactAllow"`
	// ArtifactIgnoreMissing are globs of tagged paths a release artifact
	// need not contain (such as .github/**).
	ArtifactIgnoreMissing []string `yaml:"artifactIgnoreMissing"`
	// Vendor pins vendored directories to upstream commits.
	Vendor []VendorPin `yaml:"vendor"`
	// Upstreams maps an upstream repository URL (as README.chromium, METADATA
	// or a policy pin names it) to a local clone, so pins found in the tree
	// can be checked without a network.
	Upstreams map[string]string `yaml:"upstreams"`
	// ClockSkew is the tolerance for git/date-anomaly: a committer date
	// earlier than the author date by more than this, or later than now by
	// more than this. Zero means 5 minutes.
	ClockSkew Duration `yaml:"clockSkew"`
	// CaseSensitivePaths makes the path globs (protect, binaryAllow,
	// artifactAllow, artifactIgnoreMissing) and the vendored directories
	// match with their exact case. By default they ignore case: a checkout
	// on Windows or macOS merges `Vendor/` and `vendor/` into one
	// directory, so a change to `Vendor/x.c` is a change under `vendor/**`
	// (and so are NFC and NFD spellings, names with code points HFS+
	// ignores, see foldPath, and NTFS 8.3 short names, see
	// shortNameAlias).
	// Set it only for repositories that are never checked out on a
	// case-insensitive file system. NFC and NFD spellings of a name
	// match either way: APFS and HFS+ merge them even on a case-sensitive
	// volume.
	CaseSensitivePaths bool `yaml:"caseSensitivePaths"`

	// file is the policy file LoadPolicy read, "" for a policy built or
	// parsed otherwise.
	file string
}

// foldPaths reports whether paths are matched ignoring case.
func (p *Policy) foldPaths() bool { return p == nil || !p.CaseSensitivePaths }

// ProtectRule protects the paths matching a glob.
type ProtectRule struct {
	// Path is a glob over "/"-separated repository paths: "*" and "?" match
	// within one segment, "**" matches any number of segments, and a pattern
	// also matches everything below a directory it matches ("vendor" covers
	// vendor/a/b.go).
	Path string `yaml:"path"`
	// Owners are the authors expected to change the path: email addresses or
	// name patterns ("*@example.com"). Empty means anyone
	// (git/unexpected-author is not reported).
	Owners []string `yaml:"owners"`
	// Signers are who may sign changes: SSH principals from the
	// allowed_signers file, OpenPGP fingerprints (40 hex digits), long key
	// IDs (16 hex digits) or user ID email addresses of keys in the keyrings
	// (an address two keys able to sign claim names neither of them).
	// Empty means any key in the allowed_signers file or the keyrings.
	Signers []string `yaml:"signers"`
}

// VendorPin ties a vendored directory to a commit of its upstream repository.
type VendorPin struct {
	// Path is the vendored directory in this repository.
	Path string `yaml:"path"`
	// Upstream is the path of a local clone of the upstream repository, or a
	// URL mapped to one by Policy.Upstreams.
	Upstream string `yaml:"upstream"`
	// Commit is the upstream commit (or any revision the clone resolves).
	Commit string `yaml:"commit"`
	// UpstreamPath is the directory in the upstream tree that was vendored;
	// empty means its root.
	UpstreamPath string `yaml:"upstreamPath"`
}

// Duration is a time.Duration written as "90s" or "5m" in the policy.
type Duration time.Duration

// UnmarshalYAML parses a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("line %d: bad duration %q", n.Line, s)
	}
	*d = Duration(v)
	return nil
}

// maxPolicySize bounds a policy file.
const maxPolicySize = 4 << 20

// LoadPolicy reads a YAML policy file as ParsePolicy does; its errors name
// the file and the line. Relative file paths in it are resolved against the
// file's directory.
func LoadPolicy(name string) (*Policy, error) {
	b, err := strictyaml.ReadFile(name, maxPolicySize)
	if err != nil {
		return nil, err
	}
	p, err := parsePolicy(b, name)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(name)
	abs := func(s string) string {
		if s == "" || filepath.IsAbs(s) || strings.Contains(s, "://") {
			return s
		}
		return filepath.Join(dir, s)
	}
	p.file = name
	p.AllowedSigners = abs(p.AllowedSigners)
	for i := range p.Keyrings {
		p.Keyrings[i] = abs(p.Keyrings[i])
	}
	for i := range p.Vendor {
		p.Vendor[i].Upstream = abs(p.Vendor[i].Upstream)
	}
	for k, v := range p.Upstreams {
		p.Upstreams[k] = abs(v)
	}
	return p, nil
}

// ParsePolicy parses a YAML policy document and checks its globs. It reads
// YAML strictly: unknown keys, duplicate keys, anchors and aliases, a second
// document and wrong types are errors naming the line.
func ParsePolicy(b []byte) (*Policy, error) { return parsePolicy(b, "") }

// parsePolicy parses a policy read from the file name ("" for bytes given
// directly, named "policy" in errors).
func parsePolicy(b []byte, name string) (*Policy, error) {
	label := name
	if label == "" {
		label = "policy"
	}
	p := &Policy{}
	root, err := strictyaml.Unmarshal(b, p, strictyaml.Options{Name: label, MaxSize: maxPolicySize})
	if err != nil {
		return nil, err
	}
	if root == nil && name != "" {
		return nil, emptyPolicyError(name)
	}
	if err := p.Validate(); err != nil {
		if name != "" {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return nil, err
	}
	return p, nil
}

// Validate checks the policy's globs and pins.
func (p *Policy) Validate() error {
	for i, r := range p.Protect {
		if err := checkGlob(r.Path); err != nil {
			return fmt.Errorf("policy: protect[%d]: %w", i, err)
		}
	}
	for _, list := range [][]string{p.BinaryAllow, p.ArtifactAllow, p.ArtifactIgnoreMissing} {
		for _, g := range list {
			if err := checkGlob(g); err != nil {
				return fmt.Errorf("policy: %w", err)
			}
		}
	}
	for i, v := range p.Vendor {
		if v.Path == "" || v.Upstream == "" || v.Commit == "" {
			return fmt.Errorf("policy: vendor[%d]: path, upstream and commit are required", i)
		}
		if !fsValid(v.Path) || (v.UpstreamPath != "" && !fsValid(v.UpstreamPath)) {
			return fmt.Errorf("policy: vendor[%d]: path %q is not a clean relative path", i, v.Path)
		}
	}
	return nil
}

func (p *Policy) clockSkew() time.Duration {
	if p == nil || p.ClockSkew == 0 {
		return 5 * time.Minute
	}
	return time.Duration(p.ClockSkew)
}

// fsValid reports whether s is a clean "/"-separated relative path.
func fsValid(s string) bool {
	return s != "" && s != "." && path.Clean(s) == s && !strings.HasPrefix(s, "/") && s != ".." && !strings.HasPrefix(s, "../")
}

// checkGlob rejects malformed patterns.
func checkGlob(g string) error {
	if err := glob.Check(g); err != nil {
		return fmt.Errorf("glob %q: %w", g, err)
	}
	return nil
}

// matchGlob reports whether the "/"-separated path p matches glob g, or lies
// below a directory that matches it, ignoring case when fold is set; NFC
// and NFD spellings match either way.
func matchGlob(g, p string, fold bool) bool {
	if fold {
		g = winGlob(dropIgnorable(g))
		p = unaliasPath(winPath(dropIgnorable(p)), globPrefix(g))
		return glob.MatchOrBelowFold(g, p)
	}
	return glob.MatchOrBelow(nfc(g), nfc(p))
}

// globPrefix returns the literal leading directories of g: the subtree that
// holds every path g can match ("" for the whole tree).
func globPrefix(g string) string {
	segs := strings.Split(strings.TrimSuffix(g, "/"), "/")
	var lit []string
	for _, s := range segs {
		if s == "**" || strings.ContainsAny(s, `*?[\`) {
			break
		}
		lit = append(lit, s)
	}
	return strings.Join(lit, "/")
}

// matchAny reports whether p matches one of globs, ignoring case when fold
// is set.
func matchAny(globs []string, p string, fold bool) bool {
	for _, g := range globs {
		if matchGlob(g, p, fold) {
			return true
		}
	}
	return false
}

// prefixes returns the minimal set of literal prefixes covering globs,
// sorted; a "" entry means the whole tree.
func prefixes(globs []string) []string {
	var ps []string
	for _, g := range globs {
		ps = append(ps, globPrefix(g))
	}
	return minimalPrefixes(ps)
}

func minimalPrefixes(ps []string) []string {
	slices.Sort(ps)
	var out []string
	for _, p := range ps {
		covered := false
		for _, q := range out {
			if q == "" || p == q || strings.HasPrefix(p, q+"/") {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, p)
		}
	}
	return out
}
