package codesign

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"howett.net/plist"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/notary"
)

// Caps on bundle metadata read into memory.
const (
	maxPlistSize   = 16 << 20
	maxNestedDepth = 16
	// maxSealRules caps the rules2 patterns of a CodeResources: each file
	// of the bundle is matched against every rule, and codesign writes about
	// a dozen.
	maxSealRules = 256
	// maxInMemory caps a Mach-O read into memory when the fs.FS cannot give
	// an io.ReaderAt (zip entries, for example).
	maxInMemory = 512 << 20
	// maxTicketSize bounds a stapled notarization ticket: Apple's tickets
	// (a signed list of cdhashes with its certificates) are a few KiB, so a
	// larger Contents/CodeResources is unsealed data, not a ticket.
	maxTicketSize = 64 << 10
)

// stapledTicket is where stapler writes a bundle's notarization ticket,
// relative to Contents/. codesign leaves the name out of the seal for that
// reason (it once was a link to _CodeSignature/CodeResources).
const stapledTicket = "CodeResources"

// bundleExts are the directory extensions of Apple code bundles.
var bundleExts = []string{".app", ".framework", ".appex", ".xpc", ".bundle", ".plugin", ".kext", ".qlgenerator", ".mdimporter", ".prefPane", ".saver", ".systemextension", ".docktileplugin", ".dext", ".driver", ".ideplugin", ".wdgt", ".action", ".service", ".colorPicker", ".spotlight"}

// BundleResult is the outcome of verifying a bundle and the code nested in it.
type BundleResult struct {
	// Path is the bundle directory as given.
	Path string `json:"path"`
	// Identifier is the bundle's CFBundleIdentifier, Executable the fs path
	// of its main executable (empty when it has none).
	Identifier string `json:"identifier,omitempty"`
	Executable string `json:"executable,omitempty"`
	// ShortVersion is the bundle's CFBundleShortVersionString, the version
	// an Electron app reports as app.getVersion().
	ShortVersion string `json:"short_version,omitempty"`
	// Items lists every Mach-O file of the bundle and of the bundles nested
	// in it, sorted by path. Each Result's findings have an empty Path: they
	// are about the item's file.
	Items []BundleItem `json:"items"`
	// Bundles lists the bundle directories verified, this one first, then
	// nested ones sorted by path.
	Bundles []string `json:"bundles"`
	// Findings are bundle-level problems (sealed resources added, removed or
	// changed; missing executables), with Path relative to the fs.FS, in the
	// order of [signing.CompareFindings].
	Findings []signing.Finding `json:"findings"`
}

// BundleItem is one Mach-O file inside a bundle.
type BundleItem struct {
	// Path is the file's path in the fs.FS.
	Path string `json:"path"`
	// Bundle is the directory of the innermost bundle holding the file, and
	// Main reports whether the file is that bundle's main executable, whose
	// signature binds the bundle's Info.plist and CodeResources.
	Bundle string `json:"bundle"`
	Main   bool   `json:"main"`
	// Size is the file's length in bytes and SHA256 the SHA-256 of its
	// bytes (lowercase hex), computed during the read that verifies it; both
	// are set when Result is.
	Size   int64  `json:"size,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	// Result is the file's verification; nil with Err set when the file
	// could not be read or is not a Mach-O file.
	Result *Result `json:"result"`
	// Malformed reports that the file's Mach-O or fat header does not
	// parse: Result then holds one malformed signature and its finding, as
	// Verify returns them with a *FormatError.
	Malformed bool   `json:"malformed,omitempty"`
	Err       string `json:"error,omitempty"`

	// sha1 is the file's SHA-1, computed in the same read when a seal
	// entry needs it; nil otherwise.
	sha1 []byte
}

// Status returns the worst status over every item; a bundle finding of
// severity error makes it at least invalid.
func (b *BundleResult) Status() signing.Status {
	s := signing.StatusValid
	for _, it := range b.Items {
		if it.Result == nil {
			s = s.Worse(signing.StatusMalformed)
			continue
		}
		s = s.Worse(it.Result.Status())
	}
	for _, f := range b.Findings {
		if f.Severity == signing.SeverityError {
			s = s.Worse(signing.StatusInvalid)
		}
	}
	if len(b.Items) == 0 {
		s = s.Worse(signing.StatusUnsigned)
	}
	return s
}

// bundleLayout is where a bundle keeps its parts.
type bundleLayout struct {
	root    string // the directory CodeResources paths are relative to
	info    string // Info.plist path
	execDir string // where the main executable lives
}

// locate finds the layout of the bundle at dir: macOS app style
// (Contents/), versioned framework (Versions/Current/), or shallow.
func locate(fsys fs.FS, dir string) (bundleLayout, bool) {
	// Symlinks are never followed out of the bundle: the only one a layout
	// goes through is Versions/Current, and only to a sibling version.
	isFile := func(p string) bool {
		if isSymlink(fsys, p) {
			return false
		}
		st, err := fs.Stat(fsys, p)
		return err == nil && st.Mode().IsRegular()
	}
	j := func(p ...string) string { return path.Join(append([]string{dir}, p...)...) }
	switch {
	case !isSymlink(fsys, j("Contents")) && isFile(j("Contents", "Info.plist")):
		return bundleLayout{root: j("Contents"), info: j("Contents", "Info.plist"), execDir: j("Contents", "MacOS")}, true
	case !isSymlink(fsys, j("Versions")) && isFile(currentVersion(fsys, j("Versions"), "Resources", "Info.plist")):
		root := j("Versions", "Current")
		if t, err := fs.ReadLink(fsys, root); err == nil {
			if strings.Contains(t, "/") || t == ".." || t == "." || t == "" {
				return bundleLayout{}, false
			}
			root = j("Versions", t)
			if isSymlink(fsys, root) || !isFile(path.Join(root, "Resources", "Info.plist")) {
				return bundleLayout{}, false
			}
		}
		return bundleLayout{root: root, info: path.Join(root, "Resources", "Info.plist"), execDir: root}, true
	case isFile(j("Resources", "Info.plist")):
		return bundleLayout{root: dir, info: j("Resources", "Info.plist"), execDir: dir}, true
	case isFile(j("Info.plist")):
		return bundleLayout{root: dir, info: j("Info.plist"), execDir: dir}, true
	case hasBundleExt(dir) && !isSymlink(fsys, j("Contents")) && !isSymlink(fsys, j("Contents", "MacOS")) && isFile(j("Contents", "MacOS", bundleName(dir))):
		// No Info.plist: CFBundle still finds the main executable by the
		// bundle's name, and LaunchServices runs it (Shlayer's script
		// apps, CVE-2021-30657). The bundle is verified, its missing
		// Info.plist reported (codesign/missing-info-plist).
		return bundleLayout{root: j("Contents"), execDir: j("Contents", "MacOS")}, true
	}
	return bundleLayout{}, false
}

// bundleName is the name of the bundle directory dir without its
// extension: the main executable's name when Info.plist names none.
func bundleName(dir string) string {
	return strings.TrimSuffix(path.Base(dir), path.Ext(dir))
}

// currentVersion joins rest to a framework's current version under the
// folder versions: Versions/Current, read through when it is a link to a
// sibling version, so that a file system whose Stat does not follow links
// (a zip archive's) finds a framework as one whose Stat does. Any other
// link target is left to locate to refuse.
func currentVersion(fsys fs.FS, versions string, rest ...string) string {
	cur := path.Join(versions, "Current")
	if t, err := fs.ReadLink(fsys, cur); err == nil && t != "" && t != "." && t != ".." && !strings.Contains(t, "/") {
		cur = path.Join(versions, t)
	}
	return path.Join(append([]string{cur}, rest...)...)
}

// IsBundle reports whether dir in fsys is an Apple code bundle (.app,
// .framework, .appex, .xpc, .bundle…) that VerifyBundle can check: a
// directory with an Info.plist where the layout puts it, and either a
// bundle extension or, whatever its name, a _CodeSignature/CodeResources
// seal or a Contents/MacOS folder beside Contents/Info.plist, as codesign
// finds nested code by its structure. A signed app
// renamed without its extension is still verified as a bundle: walked as
// loose files, its main executable was verified on its own and its
// Info.plist and sealed resources went unchecked. "." is judged by its
// Info.plist alone.
func IsBundle(fsys fs.FS, dir string) bool {
	lay, ok := locate(fsys, dir)
	switch {
	case !ok:
		return false
	case dir == "." || hasBundleExt(dir):
		return true
	case path.Base(dir) == "Contents":
		// An app's Contents folder holds Info.plist and _CodeSignature
		// itself: it is the bundle's root, not a bundle.
		return false
	case lay.execDir == path.Join(dir, "Contents", "MacOS") && isDir(fsys, lay.execDir):
		// Contents/Info.plist beside Contents/MacOS is a bundle, whatever
		// its extension (an AudioUnit's .component, a scripting
		// addition's .osax): walked as loose files, a plugin whose seal
		// was deleted and Info.plist changed passed, its main executable
		// valid on its own (TestAttackUnsealedBundleUnlistedExtension).
		return true
	}
	sig := path.Join(lay.root, "_CodeSignature")
	cr := path.Join(sig, "CodeResources")
	if isSymlink(fsys, sig) || isSymlink(fsys, cr) {
		return false
	}
	st, err := fs.Stat(fsys, cr)
	return err == nil && st.Mode().IsRegular()
}

// IsBundleListed is IsBundle for a directory whose entries are known
// (list, nil when they are not): one that holds none of the names a
// bundle's layout looks for (Contents, Versions, Resources, Info.plist,
// in any case, as a case-insensitive volume finds them) is no bundle,
// which IsBundle would find out with several failed lookups; any other
// is IsBundle's to judge.
func IsBundleListed(fsys fs.FS, dir string, list []fs.DirEntry) bool {
	if list != nil && !slices.ContainsFunc(list, func(d fs.DirEntry) bool { return layoutName(d.Name()) }) {
		return false
	}
	return IsBundle(fsys, dir)
}

// layoutName reports whether name is, in any case, one that locate looks
// for in a bundle's directory.
func layoutName(name string) bool {
	for _, n := range [...]string{"Contents", "Versions", "Resources", "Info.plist"} {
		if strings.EqualFold(name, n) {
			return true
		}
	}
	return false
}

// isDir reports whether p is a directory and not a symbolic link.
func isDir(fsys fs.FS, p string) bool {
	if isSymlink(fsys, p) {
		return false
	}
	st, err := fs.Stat(fsys, p)
	return err == nil && st.IsDir()
}

// isSymlink reports whether p is a symbolic link (when fsys can tell).
func isSymlink(fsys fs.FS, p string) bool {
	_, err := fs.ReadLink(fsys, p)
	return err == nil
}

// HasBundleExt reports whether the directory name p ends in the extension
// of an Apple code bundle (.app, .framework, .appex, .xpc, .bundle…), in
// any case.
func HasBundleExt(p string) bool { return hasBundleExt(p) }

func hasBundleExt(p string) bool {
	ext := path.Ext(p)
	for _, e := range bundleExts {
		if strings.EqualFold(ext, e) {
			return true
		}
	}
	return false
}

// VerifyBundle verifies the bundle at dir in fsys ("." for the root): the
// main executable's signature with the bundle's Info.plist and
// _CodeSignature/CodeResources bound in its special slots; every file the
// CodeResources seal lists (files2, SHA-256 hash2; nested code by cdhash;
// symlinks by target) against the bundle's files, reporting files added,
// removed or changed as codesign/resource-modified; and every Mach-O file
// and nested bundle (Frameworks, Helpers, PlugIns…) as separate signed
// items, each read once: its page hashes and its SHA-256 (BundleItem.SHA256)
// in the same pass. opts.FileHash is not used; opts.Files, when set,
// supplies the SHA-256 of sealed files so that they are not read again.
//
// It returns an error only when dir is not a bundle or reading fails in a
// way that stops the walk; unreadable or malformed files are findings.
func VerifyBundle(fsys fs.FS, dir string, opts Options) (*BundleResult, error) {
	dir = path.Clean(dir)
	if !fs.ValidPath(dir) {
		return nil, &fs.PathError{Op: "verifybundle", Path: dir, Err: fs.ErrInvalid}
	}
	if _, ok := locate(fsys, dir); !ok {
		return nil, fmt.Errorf("codesign: %s is not a bundle (no Info.plist)", dir)
	}
	opts.FileHash = nil
	out := &BundleResult{Path: dir, Items: []BundleItem{}, Findings: []signing.Finding{}}
	if err := verifyBundle(fsys, dir, opts, out, 0, true, nil); err != nil {
		return nil, err
	}
	sort.SliceStable(out.Items, func(i, j int) bool { return out.Items[i].Path < out.Items[j].Path })
	if len(out.Bundles) > 1 {
		rest := out.Bundles[1:]
		sort.Strings(rest)
	}
	signing.SortFindings(out.Findings)
	return out, nil
}

// sealEntry is one entry of a CodeResources files2 (or files) dictionary.
type sealEntry struct {
	// hashes holds the file's digests by the CodeDirectory hash type
	// they are for ("hash" SHA-1, "hash2" SHA-256, ...).
	hashes map[HashType][]byte
	cdhash []byte
	// requirement is the code requirement nested code is sealed with,
	// as text; empty when the entry has none.
	requirement string
	symlink     *string
	optional    bool
}

// sealRule is one rules2 entry: a regexp over the path relative to the
// bundle root, with its weight and flags.
type sealRule struct {
	re       *regexp.Regexp
	weight   float64
	omit     bool
	nested   bool
	optional bool
}

type seal struct {
	files map[string]sealEntry
	rules []sealRule
	sha1  bool // only the legacy SHA-1 "files" dictionary is present
	// bad says why macOS rejects the seal outright, weak why Gatekeeper's
	// strict validation does (see judgeEnvelope).
	bad  string
	weak []string
	// dirs holds every directory above a files entry, made by
	// sealsInside when first asked.
	dirs map[string]bool
}

// sealsInside reports whether the seal lists files inside the directory
// rel (and not rel itself): codesign seals a directory outside the
// nested-code locations file by file, even one shaped as a bundle (a
// resource bundle in Resources), and macOS checks it so.
func (sl *seal) sealsInside(rel string) bool {
	if sl.lists(rel) {
		return false
	}
	if sl.dirs == nil {
		sl.dirs = map[string]bool{}
		for n := range sl.files {
			for d := path.Dir(n); d != "." && d != "/" && !sl.dirs[d]; d = path.Dir(d) {
				sl.dirs[d] = true
			}
		}
	}
	return sl.dirs[rel]
}

// lists reports whether the seal names rel in its files dictionary.
func (sl *seal) lists(rel string) bool {
	_, ok := sl.files[rel]
	return ok
}

// defaultRules2 are the rules codesign writes for macOS bundles; they apply
// when a CodeResources carries no rules2.
var defaultRules2 = map[string]map[string]any{
	"^.*":            {},
	"^Info\\.plist$": {"omit": true, "weight": 20.0},
	"^PkgInfo$":      {"omit": true, "weight": 20.0},
	"^[^/]+$":        {"nested": true, "weight": 10.0},
	"^(Frameworks|SharedFrameworks|PlugIns|Plug-ins|XPCServices|Helpers|MacOS|Library/(Automator|Spotlight|LoginItems))/": {"nested": true, "weight": 10.0},
	"^embedded\\.provisionprofile$":           {"weight": 20.0},
	"^Resources/":                             {"weight": 20.0},
	"^Resources/.*\\.lproj/":                  {"optional": true, "weight": 1000.0},
	"^Resources/.*\\.lproj/locversion.plist$": {"omit": true, "weight": 1100.0},
	"^Resources/Base\\.lproj/":                {"weight": 1010.0},
	"^(.*/)?\\.DS_Store$":                     {"omit": true, "weight": 2000.0},
	".*\\.dSYM($|/)":                          {"weight": 11.0},
}

func parseSeal(b []byte) (*seal, error) {
	var doc map[string]any
	if _, err := plist.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	s := &seal{files: map[string]sealEntry{}}
	s.bad, s.weak = judgeEnvelope(doc)
	files, _ := doc["files2"].(map[string]any)
	if files == nil {
		files, _ = doc["files"].(map[string]any)
		s.sha1 = true
	}
	for name, v := range files {
		var e sealEntry
		switch x := v.(type) {
		case []byte:
			e.hashes = map[HashType][]byte{HashSHA1: x}
		case map[string]any:
			e.hashes = parseSealHashes(x)
			e.cdhash, _ = x["cdhash"].([]byte)
			e.requirement, _ = x["requirement"].(string)
			if l, ok := x["symlink"].(string); ok {
				e.symlink = &l
			}
			e.optional, _ = x["optional"].(bool)
		default:
			return nil, fmt.Errorf("files2 entry %q is a %T", name, v)
		}
		s.files[name] = e
	}
	rules := map[string]map[string]any{}
	if r, ok := doc["rules2"].(map[string]any); ok {
		for k, v := range r {
			m, _ := v.(map[string]any)
			if m == nil {
				// A rule set to false omits what it matches
				// (ResourceBuilder::addRule); true includes it.
				m = map[string]any{}
				if b, ok := v.(bool); ok && !b {
					m["omit"] = true
				}
			}
			rules[k] = m
		}
	} else {
		rules = defaultRules2
	}
	if len(rules) > maxSealRules {
		return nil, fmt.Errorf("rules2 holds %d rules, over the cap of %d", len(rules), maxSealRules)
	}
	keys := make([]string, 0, len(rules))
	for k := range rules {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		re, err := regexp.Compile(k)
		if err != nil {
			return nil, fmt.Errorf("rules2 pattern %q: %v", k, err)
		}
		m := rules[k]
		r := sealRule{re: re, weight: 1}
		switch w := m["weight"].(type) {
		case float64:
			r.weight = w
		case uint64:
			r.weight = float64(w)
		case int64:
			r.weight = float64(w)
		}
		r.omit, _ = m["omit"].(bool)
		r.nested, _ = m["nested"].(bool)
		r.optional, _ = m["optional"].(bool)
		s.rules = append(s.rules, r)
	}
	return s, nil
}

// rule returns the heaviest rule matching rel, nil when none does.
func (s *seal) rule(rel string) *sealRule {
	var best *sealRule
	for i := range s.rules {
		r := &s.rules[i]
		if r.re.MatchString(rel) && (best == nil || r.weight > best.weight) {
			best = r
		}
	}
	return best
}

// bundleCheck is the state of verifying one bundle directory: the layout,
// what Info.plist and CodeResources say, and what the walk of its root has
// found. Its steps run in order (verifyBundle); each adds findings to out.
type bundleCheck struct {
	fsys  fs.FS
	dir   string
	opts  Options
	out   *BundleResult
	depth int
	top   bool
	lay   bundleLayout

	info      []byte // Info.plist
	csPath    string // _CodeSignature/CodeResources
	resources []byte // its content; nil when absent or not read
	exe       string // the main executable's path; "" when there is none to verify
	mainMachO bool   // the main executable is a Mach-O file, verified with its embedded signature
	seal      *seal  // the parsed CodeResources; nil when absent or malformed
	seen      map[string]bool
	nested    []string // nested bundles, verified after the walk
	mainItem  int      // index in out.Items of the main executable; -1 when none
	ticket    []byte   // Contents/CodeResources as read, when it is a ticket candidate
	outer     *outerTicket
	noMain    bool // Info.plist names no main executable: a resource-only bundle
}

func verifyBundle(fsys fs.FS, dir string, opts Options, out *BundleResult, depth int, top bool, outer *outerTicket) error {
	lay, _ := locate(fsys, dir)
	out.Bundles = append(out.Bundles, dir)
	b := &bundleCheck{fsys: fsys, dir: dir, opts: opts, out: out, depth: depth, top: top, lay: lay,
		csPath: path.Join(lay.root, "_CodeSignature", "CodeResources"), seen: map[string]bool{}, mainItem: -1, outer: outer}
	executable, err := b.readMetadata()
	if err != nil {
		return err
	}
	before := len(out.Items)
	b.verifyMainExecutable(executable)
	b.parseSeal()
	if err := b.walkRoot(); err != nil {
		return err
	}
	defer b.checkResourceOnly(before)
	b.notarize()
	if lay.root != dir {
		versions, err := checkOutsideRoot(fsys, dir, lay.root, b.add)
		if err != nil {
			return fmt.Errorf("codesign: walking %s: %w", dir, err)
		}
		if err := b.verifyOtherVersions(versions); err != nil {
			return err
		}
	}
	if err := b.verifyNested(); err != nil {
		return err
	}
	b.checkRemoved()
	b.checkNestedRuntime()
	return nil
}

// checkResourceOnly reports a bundle without a main executable that holds
// code (items from out.Items[before:] on): its CodeResources would be bound
// by a detached signature, which is not verified, so its code, valid each
// on its own, would pass beside resources anyone can reseal. A bundle of
// resources only has no item, and is unsigned as a whole.
func (b *bundleCheck) checkResourceOnly(before int) {
	if !b.noMain || len(b.out.Items) == before {
		return
	}
	b.add(RuleUnsigned, signing.SeverityError, b.dir, fmt.Sprintf("bundle has no main executable but holds code (%s): nothing shipgate verifies binds its CodeResources, so the resources it seals are not verified", b.out.Items[before].Path))
}

// add records a finding about path p.
func (b *bundleCheck) add(rule signing.Rule, sev signing.Severity, p, msg string) {
	f := signing.NewFinding(rule, sev, msg)
	f.Path = p
	b.out.Findings = append(b.out.Findings, f)
}

// readMetadata reads Info.plist and CodeResources, and returns the main
// executable's name as Info.plist gives it. A CodeResources that is a
// symlink is a finding and is not read; one that cannot be read stops the
// verification.
func (b *bundleCheck) readMetadata() (executable string, err error) {
	var ip struct {
		Executable    string `plist:"CFBundleExecutable"`
		OldExecutable string `plist:"NSExecutable"`
		Identifier    string `plist:"CFBundleIdentifier"`
		ShortVersion  any    `plist:"CFBundleShortVersionString"`
	}
	if b.lay.info == "" {
		b.add(RuleMissingInfoPlist, signing.SeverityError, path.Join(b.lay.root, "Info.plist"), fmt.Sprintf("bundle has no Info.plist, yet macOS runs %s as its main executable (CFBundle falls back to the bundle's name): no Info.plist is bound to its signature, and a bundle without one is no bundle codesign signs", path.Join(b.lay.execDir, bundleName(b.dir))))
	} else if b.info, err = readSmall(b.fsys, b.lay.info); err != nil {
		return "", fmt.Errorf("codesign: %w", err)
	} else if _, err := plist.Unmarshal(b.info, &ip); err != nil {
		b.add(RuleMalformed, signing.SeverityError, b.lay.info, "Info.plist does not parse: "+err.Error())
	}
	if b.top {
		b.out.Identifier = ip.Identifier
		b.out.ShortVersion, _ = ip.ShortVersion.(string)
	}
	if ip.Executable == "" {
		// CFBundle's order: the old key, then the bundle's own name
		// (Example.app runs Contents/MacOS/Example), when that file
		// exists. Without it, a bundle whose Info.plist drops the key
		// would have no main executable to bind Info.plist and
		// CodeResources, while macOS still runs one.
		ip.Executable = ip.OldExecutable
		if name := bundleName(b.dir); ip.Executable == "" && b.dir != "." && name != "" {
			if _, err := fs.Stat(b.fsys, path.Join(b.lay.execDir, name)); err == nil || isSymlink(b.fsys, path.Join(b.lay.execDir, name)) {
				ip.Executable = name
			}
		}
	}
	if isSymlink(b.fsys, b.csPath) || isSymlink(b.fsys, path.Dir(b.csPath)) {
		b.add(RuleMalformed, signing.SeverityError, b.csPath, "CodeResources is a symlink, which is not followed")
	} else if st, serr := fs.Stat(b.fsys, b.csPath); serr == nil && !st.Mode().IsRegular() {
		// Opening a named pipe blocks until someone writes to it.
		b.add(RuleMalformed, signing.SeverityError, b.csPath, fmt.Sprintf("CodeResources is not a regular file (mode %v), and is not read", st.Mode()))
	} else if b.resources, err = readSmall(b.fsys, b.csPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("codesign: %w", err)
	}
	return ip.Executable, nil
}

// verifyMainExecutable verifies the main executable Info.plist names, with
// Info.plist and CodeResources bound in its special slots. A bundle without
// one keeps a detached signature, which is not verified.
func (b *bundleCheck) verifyMainExecutable(executable string) {
	if executable == "" {
		b.add(RuleUnsigned, signing.SeverityWarning, b.dir, "bundle has no main executable: a resource-only bundle keeps a detached signature, which is not verified")
		b.noMain = true
		return
	}
	// CFBundle appends the name to the executable folder as a path
	// ("./Example" and "../MacOS/Example" name Contents/MacOS/Example),
	// so a name with a slash names a file too, never no executable: that
	// would leave Info.plist and CodeResources bound by nothing.
	exe := path.Join(b.lay.execDir, executable)
	if path.IsAbs(executable) || (exe != b.lay.root && !strings.HasPrefix(exe, b.lay.root+"/")) {
		b.add(RuleMalformed, signing.SeverityError, b.lay.info, fmt.Sprintf("Info.plist names main executable %q, which lies outside the bundle's %q", executable, b.lay.root))
		return
	}
	if b.top {
		b.out.Executable = exe
	}
	if isSymlink(b.fsys, b.lay.execDir) || linkOnPath(b.fsys, b.lay.root, exe) {
		b.add(RuleMalformed, signing.SeverityError, exe, fmt.Sprintf("main executable %q is a symlink, which is not followed", executable))
		return
	}
	st, err := fs.Stat(b.fsys, exe)
	if err != nil {
		b.add(RuleMalformed, signing.SeverityError, exe, fmt.Sprintf("Info.plist names main executable %q, which is missing", executable))
		return
	}
	if !st.Mode().IsRegular() {
		b.add(RuleMalformed, signing.SeverityError, exe, fmt.Sprintf("main executable %q is not a regular file (mode %v), and is not read", executable, st.Mode()))
		return
	}
	b.exe = exe
	it := verifyItem(b.fsys, exe, b.dir, true, b.opts, &external{info: b.info, resources: b.resources}, false)
	if it.Err != "" {
		b.add(RuleMalformed, signing.SeverityError, exe, "main executable cannot be verified: "+it.Err)
	}
	b.mainMachO = it.Result != nil
	b.out.Items = append(b.out.Items, it)
	b.mainItem = len(b.out.Items) - 1
}

// linkOnPath reports whether p, a path under root, or a folder on the way
// to it from root, is a symbolic link.
func linkOnPath(fsys fs.FS, root, p string) bool {
	rest := strings.TrimPrefix(p, root+"/")
	cur := root
	for _, c := range strings.Split(rest, "/") {
		cur = path.Join(cur, c)
		if isSymlink(fsys, cur) {
			return true
		}
	}
	return false
}

// parseSeal parses CodeResources; without one, nothing seals the bundle's
// resources.
func (b *bundleCheck) parseSeal() {
	if b.resources == nil {
		b.add(RuleResourceModified, signing.SeverityError, b.csPath, "bundle has no _CodeSignature/CodeResources: nothing seals its resources")
		return
	}
	sl, err := parseSeal(b.resources)
	if err != nil {
		b.add(RuleMalformed, signing.SeverityError, b.csPath, "CodeResources does not parse: "+err.Error())
		return
	}
	b.seal = sl
	if sl.bad != "" {
		b.add(RuleMalformed, signing.SeverityError, b.csPath, sl.bad)
	}
	if len(sl.weak) > 0 {
		b.add(RuleWeakResourceEnvelope, signing.SeverityError, b.csPath, "CodeResources is a weak resource envelope: "+strings.Join(sl.weak, "; "))
	}
}

// walkRoot walks the bundle root: every file is sealed, omitted by a rule,
// nested code, or added after signing. Nested bundles are collected for
// verifyNested.
func (b *bundleCheck) walkRoot() error {
	mainRel := ""
	if b.exe != "" {
		mainRel = strings.TrimPrefix(b.exe, b.lay.root+"/")
	}
	err := fs.WalkDir(b.fsys, b.lay.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			b.add(RuleMalformed, signing.SeverityError, p, "cannot read: "+err.Error())
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if p == b.lay.root {
			return nil
		}
		rel := strings.TrimPrefix(p, b.lay.root+"/")
		if rel == "_CodeSignature" && d.IsDir() {
			return nil // every file in it is judged below
		}
		if strings.HasPrefix(rel, "_CodeSignature/") {
			if !d.IsDir() {
				checkSignatureDir(rel, p, d, b.mainMachO, b.add)
			}
			return nil
		}
		if d.IsDir() {
			// A bundle-shaped directory the seal lists file by file is
			// walked as files: each is checked against its hash
			// (TestResourceBundleSealedFileByFile).
			if IsBundle(b.fsys, p) && (b.seal == nil || !b.seal.sealsInside(rel)) {
				b.nested = append(b.nested, p)
				b.seen[rel] = true
				return fs.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			b.seen[rel] = true
			if b.seal != nil {
				checkSymlink(b.fsys, b.seal, rel, p, b.topRoot(), b.add)
			}
			return nil
		}
		if rel == mainRel {
			return nil
		}
		if !d.Type().IsRegular() {
			// A pipe, socket or device: no seal entry can describe one,
			// and an archive entry so marked still carries bytes that
			// extractors may write as a plain file.
			b.seen[rel] = true
			b.add(RuleResourceModified, signing.SeverityError, p, fmt.Sprintf("%q is not a regular file, directory or symlink (mode %v): CodeResources cannot seal it", rel, d.Type()))
			return nil
		}
		b.checkFile(p, rel)
		return nil
	})
	if err != nil {
		return fmt.Errorf("codesign: walking %s: %w", b.lay.root, err)
	}
	return nil
}

// checkFile judges the regular file p (rel in the bundle root), other than
// the main executable: a stapled ticket, or a file that must be sealed.
// Mach-O files are verified as items of their own, whether sealed or not.
func (b *bundleCheck) checkFile(p, rel string) {
	if rel == stapledTicket && path.Base(b.lay.root) == "Contents" && b.seal != nil && !b.seal.lists(rel) {
		b.ticket = checkStapledTicket(b.fsys, p, b.add)
		b.seen[rel] = true
		return
	}
	var item *BundleItem
	if sniffMachO(b.fsys, p) {
		it := verifyItem(b.fsys, p, b.dir, false, b.opts, nil, b.needsSHA1(rel))
		if it.Err != "" {
			b.add(RuleMalformed, signing.SeverityError, p, "Mach-O file cannot be verified: "+it.Err)
		}
		b.out.Items = append(b.out.Items, it)
		item = &b.out.Items[len(b.out.Items)-1]
	}
	if b.seal == nil {
		return
	}
	if r := b.seal.rule(rel); r != nil && r.omit {
		if item != nil {
			b.add(RuleResourceModified, signing.SeverityError, p, omittedCode("Mach-O file", rel, r))
		} else if !defaultOmit(r) {
			b.add(RuleResourceOmitted, signing.SeverityWarning, p, fmt.Sprintf("file %q is left out of the seal by the CodeResources rule %q, which is not one codesign writes: nothing binds its bytes to the bundle's signature, so anyone may change or add such files (a script the app runs, a config it loads)", rel, r.re.String()))
		}
		return
	}
	b.seen[rel] = true
	e, ok := b.seal.files[rel]
	if !ok {
		b.add(RuleResourceModified, signing.SeverityError, p, fmt.Sprintf("file %q was added after signing: CodeResources does not list it", rel)+appleDoubleHint(b.fsys, p))
		return
	}
	b.checkSealed(p, rel, e, item)
}

// defaultOmit reports whether r is one of the omit rules codesign writes
// (Info.plist, PkgInfo, .DS_Store, locversion.plist), whose files are
// bound elsewhere or read by nothing that runs. A file another omit rule
// leaves unsealed is codesign/resource-omitted.
func defaultOmit(r *sealRule) bool {
	m, ok := defaultRules2[r.re.String()]
	omit, _ := m["omit"].(bool)
	return ok && omit
}

// omittedCode describes code (what: "Mach-O file", "nested bundle") at
// rel that the seal's rule r omits. codesign omits only files that are not
// code (.DS_Store, PkgInfo, locversion.plist); code there is bound to the
// bundle by nothing, so its own signature, valid under any Developer ID,
// would pass beside the vendor's.
func omittedCode(what, rel string, r *sealRule) string {
	return fmt.Sprintf("%s %q is omitted from the seal by the CodeResources rule %q: nothing binds this code to the bundle's signature, whoever signed it", what, rel, r.re.String())
}

// checkSealed compares file p with its seal entry e: nested code by cdhash,
// other files by hash (SHA-256 from files2, else SHA-1 from files). item is
// the file's verification when it is Mach-O, whose SHA-256 is then known.
//
// The entry's kind is read as Security reads it (ResourceSeal): nested
// code when it has a requirement, else a symlink when it names a target,
// else a file by its hashes. A cdhash without a requirement is no nested
// code to macOS, which checks the file by its hashes, and rejects it when
// there are none; a symlink target beside hashes makes it a symlink,
// which a regular file is not.
func (b *bundleCheck) checkSealed(p, rel string, e sealEntry, item *BundleItem) {
	switch {
	case e.requirement == "" && (e.symlink != nil || (e.cdhash != nil && len(e.hashes) == 0)):
		b.add(RuleResourceModified, signing.SeverityError, p, sealKindMismatch(rel, e, "a regular file"))
	case e.requirement == "" && len(e.hashes) > 0:
		b.checkHashes(p, rel, e, item)
	case e.cdhash != nil:
		var have []string
		if item != nil && item.Result != nil {
			for _, s := range item.Result.Slices {
				have = append(have, s.CDHashes...)
			}
		}
		if !containsHex(have, e.cdhash) {
			b.add(RuleResourceModified, signing.SeverityError, p, fmt.Sprintf("nested code %q changed: CodeResources seals cdhash %x, the file has %v", rel, e.cdhash, have))
		} else {
			b.checkOtherSlices(p, rel, e, item.Result)
		}
	case len(e.hashes) > 0:
		b.checkHashes(p, rel, e, item)
	case e.symlink != nil:
		b.add(RuleResourceModified, signing.SeverityError, p, fmt.Sprintf("%q is sealed as a symlink but is a regular file", rel))
	default:
		b.add(RuleMalformed, signing.SeverityError, b.csPath, fmt.Sprintf("CodeResources entry %q has no hash", rel))
	}
}

// checkOtherSlices judges the slices of nested code res (at p, rel in
// the bundle root) other than the one e seals by cdhash. The seal's cdhash
// names one architecture; macOS checks every other one against the
// requirement the seal records (identifier, anchor and team for signed
// code, the cdhash of each architecture for ad-hoc code). Signed slices
// are also bound to the sealed one's team (see codesign/team-id-mismatch),
// but not to its identifier, and an ad-hoc slice has no team: without this
// another program of the same team, or any ad-hoc code, added beside the
// sealed slice would pass. Only a slice the requirement rules out is
// reported: one that cannot be decided offline, or a signed one whose
// chain is not trusted (already not valid), is left to its own verdict.
func (b *bundleCheck) checkOtherSlices(p, rel string, e sealEntry, res *Result) {
	if e.requirement == "" || res == nil || len(res.Slices) < 2 {
		return
	}
	req, err := CompileRequirement(e.requirement)
	if err != nil {
		b.add(RuleMalformed, signing.SeverityWarning, b.csPath, fmt.Sprintf("the requirement CodeResources seals %q with does not compile, so its other architectures are not checked against it: %v", rel, err))
		return
	}
	for i := range res.Slices {
		sl := &res.Slices[i]
		if containsHex(sl.CDHashes, e.cdhash) || sl.req == nil || (!sl.Adhoc && !sl.req.chainTrusted) {
			continue
		}
		kind := "signed"
		if sl.Adhoc {
			kind = "ad-hoc"
		}
		if r, _ := sl.Satisfies(req); r == signing.RequirementUnsatisfied {
			b.add(RuleResourceModified, signing.SeverityError, p, fmt.Sprintf("nested code %q: %s slice %d (%s, identifier %q) does not satisfy the requirement CodeResources seals the code with (%s): nothing binds it", rel, kind, i, sl.Arch, sl.Identifier, e.requirement))
		}
	}
}

// verifyNested verifies each nested bundle, then checks its seal: the
// cdhash CodeResources records against its main executable's.
func (b *bundleCheck) verifyNested() error {
	for _, p := range b.nested {
		rel := strings.TrimPrefix(p, b.lay.root+"/")
		before := len(b.out.Items)
		if b.depth+1 > maxNestedDepth {
			b.add(RuleMalformed, signing.SeverityError, p, fmt.Sprintf("bundles nested deeper than %d levels are not verified", maxNestedDepth))
			continue
		}
		if err := verifyBundle(b.fsys, p, b.opts, b.out, b.depth+1, false, b.inherit()); err != nil {
			return err
		}
		if b.seal == nil {
			continue
		}
		e, ok := b.seal.files[rel]
		if !ok {
			if r := b.seal.rule(rel); r != nil && r.omit {
				b.add(RuleResourceModified, signing.SeverityError, p, omittedCode("nested bundle", rel, r))
			} else {
				b.add(RuleResourceModified, signing.SeverityError, p, fmt.Sprintf("nested bundle %q was added after signing: CodeResources does not list it", rel))
			}
			continue
		}
		var have []string
		for _, it := range b.out.Items[before:] {
			if it.Main && it.Bundle == p && it.Result != nil {
				for _, s := range it.Result.Slices {
					have = append(have, s.CDHashes...)
				}
			}
		}
		if e.cdhash == nil {
			b.add(RuleMalformed, signing.SeverityError, b.csPath, fmt.Sprintf("CodeResources seals nested bundle %q without a cdhash", rel))
		} else if e.requirement == "" {
			b.add(RuleResourceModified, signing.SeverityError, p, sealKindMismatch(rel, e, "a nested bundle"))
		} else if !containsHex(have, e.cdhash) {
			b.add(RuleResourceModified, signing.SeverityError, p, fmt.Sprintf("nested bundle %q changed: CodeResources seals cdhash %x, its main executable has %v", rel, e.cdhash, have))
		} else {
			for _, it := range b.out.Items[before:] {
				if it.Main && it.Bundle == p && it.Result != nil {
					b.checkOtherSlices(it.Path, rel, e, it.Result)
				}
			}
		}
	}
	return nil
}

// checkRemoved reports the files CodeResources seals that the walk did not
// see (in name order), unless their seal entry marks them optional.
func (b *bundleCheck) checkRemoved() {
	sl := b.seal
	if sl == nil {
		return
	}
	names := make([]string, 0, len(sl.files))
	for n := range sl.files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		// Only the entry's own optional flag excuses a missing file:
		// Security's checkOptionalResource reads the seal entry, not the
		// rule matching its name (codesign copies an optional rule's
		// flag into the entries it writes).
		if b.seen[n] || sl.files[n].optional {
			continue
		}
		b.add(RuleResourceModified, signing.SeverityError, path.Join(b.lay.root, n), fmt.Sprintf("file %q sealed by CodeResources was removed", n))
	}
}

// checkOutsideRoot judges what a bundle holds outside root, the directory
// its signature seals (Contents for an app, the current version of a
// versioned framework). For a framework, the Versions/Current symlink and
// the top-level symlinks into Versions/ are its layout, and another
// version with its own seal is returned, for verifyOtherVersions. Anything
// else is unsealed, as codesign --verify reports "unsealed contents present
// in the bundle root".
func checkOutsideRoot(fsys fs.FS, dir, root string, add func(signing.Rule, signing.Severity, string, string)) (sealed []string, err error) {
	versions := path.Join(dir, "Versions")
	err = fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			add(RuleMalformed, signing.SeverityError, p, "cannot read: "+err.Error())
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		switch {
		case p == dir || p == versions:
			return nil
		case p == root:
			return fs.SkipDir
		}
		rel := strings.TrimPrefix(p, dir+"/")
		if d.IsDir() {
			if path.Dir(p) == versions {
				if st, err := fs.Stat(fsys, path.Join(p, "_CodeSignature", "CodeResources")); err == nil && st.Mode().IsRegular() && !isSymlink(fsys, path.Join(p, "_CodeSignature")) {
					sealed = append(sealed, p)
					return fs.SkipDir
				}
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			target, err := fs.ReadLink(fsys, p)
			layout := err == nil && !path.IsAbs(target) && !strings.Contains("/"+target+"/", "/../") &&
				(p == path.Join(versions, "Current") || (path.Dir(p) == dir && strings.HasPrefix(target, "Versions/")))
			if layout {
				return nil
			}
			add(RuleResourceModified, signing.SeverityError, p, fmt.Sprintf("symlink %q (to %q) lies in the bundle outside %q, the part the signature seals, and is not one of a framework's layout links: nothing seals it", rel, target, strings.TrimPrefix(root, dir+"/")))
			return nil
		}
		add(RuleResourceModified, signing.SeverityError, p, fmt.Sprintf("%q lies in the bundle outside %q, the part the signature seals: unsealed contents in the bundle root", rel, strings.TrimPrefix(root, dir+"/"))+appleDoubleHint(fsys, p))
		return nil
	})
	return sealed, err
}

// detachedName matches the files codesign writes to _CodeSignature for a
// bundle whose main executable is not Mach-O (or that has none): the
// detached CodeDirectory, requirements, entitlements and CMS signature,
// with "-N" suffixes for further slots.
var detachedName = regexp.MustCompile(`^_CodeSignature/Code(Directory|Requirements|Signature|Entitlements|EntitlementsDER)(-[0-9]+)?$`)

// checkSignatureDir judges a file under _CodeSignature/. CodeResources is
// the seal, read and checked by verifyBundle; codesign writes nothing else
// there for a bundle whose main executable carries an embedded signature,
// so any other file is unsealed data. A detached signature's files are not
// verified: without a Mach-O main executable they are reported as
// warnings (the bundle is not valid anyway), any other file as an error.
func checkSignatureDir(rel, p string, d fs.DirEntry, mainMachO bool, add func(signing.Rule, signing.Severity, string, string)) {
	if rel == "_CodeSignature/CodeResources" && d.Type().IsRegular() {
		return
	}
	if !mainMachO && d.Type().IsRegular() && detachedName.MatchString(rel) {
		add(RuleUnsigned, signing.SeverityWarning, p, fmt.Sprintf("%q is part of a detached signature, which is not verified", rel))
		return
	}
	what := "file"
	if d.Type()&fs.ModeSymlink != 0 {
		what = "symlink"
	}
	add(RuleResourceModified, signing.SeverityError, p, fmt.Sprintf("%s %q sits in _CodeSignature beside the seal but is not part of the signature: CodeResources does not seal it and no signature covers it", what, rel))
}

// checkStapledTicket judges Contents/CodeResources, where stapler puts a
// notarization ticket. Nothing seals it: a file larger than any ticket, or
// one that does not parse as a ticket, is unsealed data and an error; a
// ticket is a note, as its Apple signature is not verified. It returns the
// file's bytes when it parses as a ticket.
func checkStapledTicket(fsys fs.FS, p string, add func(signing.Rule, signing.Severity, string, string)) []byte {
	st, err := fs.Stat(fsys, p)
	if err != nil {
		add(RuleMalformed, signing.SeverityError, p, "cannot read: "+err.Error())
		return nil
	}
	if st.Size() > maxTicketSize {
		add(RuleNotarizationTicketUnverified, signing.SeverityError, p, fmt.Sprintf("Contents/CodeResources holds %d bytes, more than a stapled notarization ticket (at most %d): no signature covers them", st.Size(), maxTicketSize))
		return nil
	}
	b, err := readSmall(fsys, p)
	if err != nil {
		add(RuleMalformed, signing.SeverityError, p, "cannot read: "+err.Error())
		return nil
	}
	if _, err := notary.Parse(b); err != nil {
		add(RuleNotarizationTicketMalformed, signing.SeverityError, p, fmt.Sprintf("Contents/CodeResources is not a notarization ticket (%v): no signature covers its %d bytes", err, len(b)))
		return b
	}
	add(RuleNotarizationTicketUnverified, signing.SeverityNote, p, fmt.Sprintf("stapled notarization ticket of %d bytes: it parses, but no code signature seals it and Apple's signature on it is not verified", len(b)))
	return b
}

// checkSymlink judges the symlink p (rel in the bundle root) against the
// seal: it must be sealed as a symlink with its target, and the target
// must stay inside root, the outermost bundle's sealed root (see
// symlinkEscape).
func checkSymlink(fsys fs.FS, sl *seal, rel, p, root string, add func(signing.Rule, signing.Severity, string, string)) {
	if r := sl.rule(rel); r != nil && r.omit {
		omittedSymlink(fsys, r, rel, p, root, add)
		return
	}
	e, ok := sl.files[rel]
	if !ok {
		add(RuleResourceModified, signing.SeverityError, p, fmt.Sprintf("symlink %q was added after signing: CodeResources does not list it", rel))
		return
	}
	if e.symlink == nil || e.requirement != "" {
		add(RuleResourceModified, signing.SeverityError, p, sealKindMismatch(rel, e, "a symlink"))
		return
	}
	target, err := fs.ReadLink(fsys, p)
	if err != nil {
		add(RuleMalformed, signing.SeverityWarning, p, "symlink target cannot be read, so its seal is not checked: "+err.Error())
		return
	}
	if target != *e.symlink {
		add(RuleResourceModified, signing.SeverityError, p, fmt.Sprintf("symlink %q points to %q, CodeResources seals %q", rel, target, *e.symlink))
		return
	}
	if ok, sev, msg := symlinkEscape(fsys, p, target, root); !ok {
		add(RuleSymlinkEscapesBundle, sev, p, msg)
	}
}

// omittedSymlink judges the symlink p (rel in the bundle root) that the
// seal's rule r omits, as checkFile judges an omitted file: a rule
// codesign does not write makes it codesign/resource-omitted, and one
// pointing out of the bundle is codesign/symlink-escapes-bundle however it
// is sealed. An omitted symlink was passed over in silence, so a
// Resources/data/update.sh planted as a link to a file outside the bundle
// passed where the same file was a warning
// (TestAttackResourceOmittedSymlink).
func omittedSymlink(fsys fs.FS, r *sealRule, rel, p, root string, add func(signing.Rule, signing.Severity, string, string)) {
	if !defaultOmit(r) {
		add(RuleResourceOmitted, signing.SeverityWarning, p, fmt.Sprintf("symlink %q is left out of the seal by the CodeResources rule %q, which is not one codesign writes: nothing binds its target to the bundle's signature, so anyone may point it elsewhere or add such links", rel, r.re.String()))
	}
	target, err := fs.ReadLink(fsys, p)
	if err != nil {
		return
	}
	if ok, sev, msg := symlinkEscape(fsys, p, target, root); !ok {
		add(RuleSymlinkEscapesBundle, sev, p, msg)
	}
}

// topRoot returns the sealed root of the outermost bundle being verified,
// which holds every nested bundle's.
func (b *bundleCheck) topRoot() string {
	if b.top {
		return b.lay.root
	}
	lay, _ := locate(b.fsys, b.out.Path)
	return lay.root
}

func containsHex(have []string, want []byte) bool {
	w := hex.EncodeToString(want)
	for _, h := range have {
		if h == w {
			return true
		}
	}
	return false
}

// verifyItem verifies one Mach-O file of a bundle.
// With sha1 set, the file's SHA-1 is computed in the same read, for a
// seal entry that holds one.
func verifyItem(fsys fs.FS, p, bundle string, main bool, opts Options, ext *external, sha1 bool) BundleItem {
	it := BundleItem{Path: p, Bundle: bundle, Main: main}
	h := sha256.New()
	opts.FileHash = h
	var also hash.Hash
	if sha1 {
		also = newHash(crypto.SHA1)
		opts.FileHash = teeHash{h, also}
	}
	r, size, err := verifyFS(fsys, p, opts, ext)
	if err != nil {
		var fe *FormatError
		if !errors.As(err, &fe) || r == nil {
			it.Err = err.Error()
			if errors.Is(err, ErrNotMachO) && main {
				it.Err = "main executable is not a Mach-O file"
			}
			return it
		}
		it.Malformed = true
	}
	it.Result = r
	it.Size = size
	it.SHA256 = hex.EncodeToString(h.Sum(nil))
	if also != nil {
		it.sha1 = also.Sum(nil)
	}
	return it
}

// verifyFS verifies the file at p and returns the number of bytes verified.
func verifyFS(fsys fs.FS, p string, opts Options, ext *external) (*Result, int64, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	if ra, ok := f.(io.ReaderAt); ok {
		r, err := verify(ra, st.Size(), opts, ext)
		return r, st.Size(), err
	}
	if st.Size() > maxInMemory {
		return nil, 0, fmt.Errorf("codesign: %s is %d bytes and its file system offers no random access (cap %d)", p, st.Size(), maxInMemory)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxInMemory+1))
	if err != nil {
		return nil, 0, err
	}
	r, err := verify(bytes.NewReader(b), int64(len(b)), opts, ext)
	return r, int64(len(b)), err
}

func sniffMachO(fsys fs.FS, p string) bool {
	f, err := fsys.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	var m [8]byte
	if n, _ := io.ReadFull(f, m[:]); n < 8 {
		return false
	}
	switch binary.LittleEndian.Uint32(m[:]) {
	case magic32, magic64, cigam32, cigam64:
		return true
	}
	switch binary.BigEndian.Uint32(m[:]) {
	case fatMagic6:
		return true
	case fatMagic:
	default:
		return false
	}
	n := binary.BigEndian.Uint32(m[4:])
	if n < javaMinVersion {
		return n > 0
	}
	// A count a Java class version could hold: the table decides. It lies
	// within the first 4096 bytes.
	st, err := f.Stat()
	if err != nil {
		return false
	}
	rest, _ := io.ReadAll(io.LimitReader(f, 4096-8))
	b := append(m[:], rest...)
	return isFatCount(bytes.NewReader(b), max(st.Size(), int64(len(b))), n)
}

func readSmall(fsys fs.FS, p string) ([]byte, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPlistSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxPlistSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", p, maxPlistSize)
	}
	return b, nil
}
