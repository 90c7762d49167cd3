package sbom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"howett.net/plist"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/signing"
)

// FuseNames are the names of the fuses of wire version 1, by index.
var FuseNames = []string{
	"RunAsNode", "EnableCookieEncryption", "EnableNodeOptionsEnvironmentVariable",
	"EnableNodeCliInspectArguments", "EnableEmbeddedAsarIntegrityValidation", "OnlyLoadAppFromAsar",
	"LoadBrowserProcessSpecificV8Snapshot", "GrantFileProtocolExtraPrivileges", "WasmTrapHandlers",
}

// Fuse indexes the checks use.
const (
	FuseRunAsNode             = 0
	FuseCookieEncryption      = 1
	FuseNodeOptions           = 2
	FuseNodeCliInspect        = 3
	FuseAsarIntegrity         = 4
	FuseOnlyLoadAppFromAsar   = 5
	FuseGrantFileProtocolPriv = 7
)

// secureFuse is the state of each fuse that is safer ('1' on, '0' off);
// fuses absent here have no safer state.
var secureFuse = map[int]byte{
	FuseRunAsNode: '0', FuseCookieEncryption: '1', FuseNodeOptions: '0', FuseNodeCliInspect: '0',
	FuseAsarIntegrity: '1', FuseOnlyLoadAppFromAsar: '1', FuseGrantFileProtocolPriv: '0',
}

// FuseWire is one fuse wire found in a binary.
type FuseWire struct {
	// Path is the binary; Offset the sentinel's offset; Arch the slice.
	Path   string `json:"path"`
	Offset int64  `json:"offset"`
	Arch   string `json:"arch,omitempty"`
	// Version is the wire format version (1).
	Version int `json:"version"`
	// Wire is the fuse states as stored: '0' off, '1' on, 'r' removed.
	Wire string `json:"wire"`
}

// On reports whether fuse i is on.
func (w FuseWire) On(i int) bool { return i < len(w.Wire) && w.Wire[i] == '1' }

// State names fuse i's state: "on", "off", "removed" or "absent".
func (w FuseWire) State(i int) string {
	if i >= len(w.Wire) {
		return "absent"
	}
	switch w.Wire[i] {
	case '1':
		return "on"
	case '0':
		return "off"
	case 'r':
		return "removed"
	}
	return fmt.Sprintf("unknown(%q)", w.Wire[i])
}

func readWire(r io.ReaderAt, size int64, off int64) (FuseWire, bool) {
	var hdr [2]byte
	if _, err := r.ReadAt(hdr[:], off+int64(len(sentinel))); err != nil {
		return FuseWire{}, false
	}
	n := int64(hdr[1])
	if off+int64(len(sentinel))+2+n > size {
		return FuseWire{}, false
	}
	wire := make([]byte, n)
	if _, err := r.ReadAt(wire, off+int64(len(sentinel))+2); err != nil {
		return FuseWire{}, false
	}
	return FuseWire{Offset: off, Version: int(hdr[0]), Wire: string(wire)}, true
}

// IntegrityClaim is an asar integrity claim of the application and how it
// compares with the archive.
type IntegrityClaim struct {
	// Source is where the claim is: the Info.plist or the PE resource path.
	Source string `json:"source"`
	// File is the archive the claim names, as written there.
	File      string `json:"file"`
	Algorithm string `json:"algorithm"`
	Hash      string `json:"hash"`
	// Actual is the archive's real header hash; Match whether they agree.
	Actual string `json:"actual"`
	Match  bool   `json:"match"`
}

// electron reports whether the release has an Electron layout (an npm
// package or a plain tree of files has no Electron facts to check).
func (b *builder) electron() bool {
	l := b.inv.Layout
	return l == LayoutWindows || l == LayoutMacOS || l == LayoutAsar || b.home != "" || b.macHome != ""
}

// macApp reports a macOS layout: the release's (an .app), or the .app a
// disk image carries (at b.macHome).
func (b *builder) macApp() bool {
	return b.inv.Layout == LayoutMacOS || b.macHome != ""
}

// windowsApp reports a Windows layout: the release's, or the one an
// installer installs (at b.home).
func (b *builder) windowsApp() bool {
	return b.inv.Layout == LayoutWindows || b.home != ""
}

// electronFacts fills Electron: version, fuses, integrity claims.
func (b *builder) electronFacts(byPath map[string]*item) {
	b.electronVersionAndFuses(byPath)
	b.integrityClaims(byPath)
	b.checkIntegrityClaims()
	b.checkEnforcement()
}

// electronVersionAndFuses fills the Electron version, from the version file,
// the framework's Info.plist or a binary's string, and the fuse wires.
func (b *builder) electronVersionAndFuses(byPath map[string]*item) {
	inv := b.inv
	el := &inv.Electron
	switch {
	case b.windowsApp():
		if it := byPath[release.JoinPath(b.home, "version")]; it != nil {
			if raw, err := b.readSmall(it); err == nil {
				el.Version = strings.TrimPrefix(strings.TrimSpace(string(raw)), "v")
				el.VersionSource = "version file"
			}
		}
	case b.macApp():
		if it := byPath[release.JoinPath(b.macHome, "Contents/Frameworks/Electron Framework.framework/Versions/A/Resources/Info.plist")]; it != nil {
			var info struct {
				Version string `plist:"CFBundleVersion"`
			}
			if raw, err := b.readSmall(it); err == nil {
				if _, err := plist.Unmarshal(raw, &info); err == nil && info.Version != "" {
					el.Version, el.VersionSource = info.Version, "framework Info.plist"
				}
			}
		}
	}
	declared := el.Version
	// The first binary, by path, with a wire and a version string that
	// disagrees with the declared version: any one such binary is enough
	// (one of them may be a runtime file with a wire and string appended).
	var code *item
	for _, it := range b.items {
		if el.Version == "" && it.electron != "" {
			el.Version, el.VersionSource = it.electron, "binary string"
		}
		el.Fuses = append(el.Fuses, it.wires...)
		if len(it.wires) > 0 && it.electron != "" && it.electron != declared && (code == nil || it.path < code.path) {
			code = it
		}
	}
	if declared != "" {
		b.checkDeclaredVersion(code)
	}
	sort.Slice(el.Fuses, func(i, j int) bool {
		if el.Fuses[i].Path != el.Fuses[j].Path {
			return el.Fuses[i].Path < el.Fuses[j].Path
		}
		return el.Fuses[i].Offset < el.Fuses[j].Offset
	})
}

// checkDeclaredVersion holds the Electron version read from the version
// file or the framework's Info.plist to the one the runtime's code states:
// the version string of code, the binary that carries the fuse wire (the
// Windows executable, the macOS Electron Framework). Those files are text
// that whoever replaces a runtime file can edit as well, to make the change
// look like an Electron upgrade; when they disagree, the binary's version
// is the runtime's, and the declared one is reported.
func (b *builder) checkDeclaredVersion(code *item) {
	el := &b.inv.Electron
	if code == nil || el.VersionSource == "binary string" || el.Version == code.electron {
		return
	}
	at := release.JoinPath(b.home, "version")
	if el.VersionSource == "framework Info.plist" {
		at = release.JoinPath(b.macHome, "Contents/Frameworks/Electron Framework.framework/Versions/A/Resources/Info.plist")
	}
	b.finding(RuleElectronVersionMismatch, signing.SeverityWarning, at,
		fmt.Sprintf("the %s says Electron %s, but %s, which carries the fuse wire, is Electron %s: the runtime is taken to be %s",
			el.VersionSource, el.Version, code.path, code.electron, code.electron))
	el.Version, el.VersionSource = code.electron, "binary string"
}

// integrityClaims fills the asar integrity claims of the macOS Info.plist or
// the Windows executables' Integrity/ElectronAsar resources.
func (b *builder) integrityClaims(byPath map[string]*item) {
	inv := b.inv
	el := &inv.Electron
	actual := inv.App.AsarHeaderHash
	switch {
	case b.macApp():
		if it := byPath[release.JoinPath(b.macHome, "Contents/Info.plist")]; it != nil {
			var info struct {
				Integrity map[string]struct {
					Algorithm string `plist:"algorithm"`
					Hash      string `plist:"hash"`
				} `plist:"ElectronAsarIntegrity"`
			}
			if raw, err := b.readSmall(it); err == nil {
				if _, err := plist.Unmarshal(raw, &info); err != nil {
					b.finding(RuleInfoPlistInvalid, signing.SeverityWarning, it.path, "Info.plist does not parse: "+err.Error())
				}
			}
			keys := make([]string, 0, len(info.Integrity))
			for k := range info.Integrity {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				v := info.Integrity[k]
				c := IntegrityClaim{Source: it.path, File: k, Algorithm: v.Algorithm, Hash: strings.ToLower(v.Hash)}
				if release.JoinPath(b.macHome, "Contents/"+k) == b.asarPath {
					c.Actual = actual
				}
				el.Integrity = append(el.Integrity, c)
			}
		}
	case b.windowsApp():
		for _, it := range b.items {
			if it.integrity == nil {
				continue
			}
			var claims []struct{ File, Alg, Value string }
			if err := json.Unmarshal(bytes.TrimRight(it.integrity, "\x00"), &claims); err != nil {
				b.finding(RuleAsarIntegrityMismatch, signing.SeverityError, it.path,
					"Integrity/ElectronAsar resource does not parse: "+err.Error())
				continue
			}
			for _, v := range claims {
				c := IntegrityClaim{Source: it.path, File: v.File, Algorithm: v.Alg, Hash: strings.ToLower(v.Value)}
				if strings.EqualFold(release.JoinPath(b.home, strings.ReplaceAll(v.File, `\`, "/")), b.asarPath) {
					c.Actual = actual
				}
				el.Integrity = append(el.Integrity, c)
			}
		}
	}
}

// checkIntegrityClaims reports each integrity claim that does not match the
// archive's header hash.
func (b *builder) checkIntegrityClaims() {
	el := &b.inv.Electron
	for i := range el.Integrity {
		c := &el.Integrity[i]
		c.Match = c.Actual != "" && strings.EqualFold(c.Algorithm, "sha256") && c.Hash == c.Actual
		if !c.Match {
			msg := fmt.Sprintf("%s claims %s %s for %s, but ", c.Source, c.Algorithm, c.Hash, c.File)
			switch {
			case c.Actual == "":
				msg += "the release has no readable archive at that path"
			case !strings.EqualFold(c.Algorithm, "sha256"):
				msg += "the algorithm is not SHA256"
			default:
				msg += "the archive's header hashes to " + c.Actual
			}
			b.finding(RuleAsarIntegrityMismatch, signing.SeverityError, b.asarPath, msg)
		}
	}
}

// checkEnforcement decides whether Electron enforces the asar integrity: both
// fuses on in every wire, and no app folder that shadows the archive.
func (b *builder) checkEnforcement() {
	inv := b.inv
	el := &inv.Electron
	if b.ar == nil && inv.App.Dir != "" && b.electron() {
		b.finding(RuleAsarIntegrityNotEnforced, signing.SeverityWarning, inv.App.Dir,
			"the application is a plain folder, not an asar archive: Electron cannot validate its integrity")
	}
	if b.ar != nil && inv.Layout != LayoutAsar {
		enforced := len(el.Fuses) > 0
		var why []string
		for _, w := range el.Fuses {
			for _, i := range []int{FuseAsarIntegrity, FuseOnlyLoadAppFromAsar} {
				if !w.On(i) {
					enforced = false
					why = append(why, fmt.Sprintf("%s is %s in %s (%s)", FuseNames[i], w.State(i), w.Path, w.Arch))
				}
			}
		}
		if len(el.Fuses) == 0 {
			why = append(why, "no fuse wire was found")
		}
		el.IntegrityEnforced = enforced
		// Without OnlyLoadAppFromAsar, Electron looks for the app folder
		// before the archive: a folder beside app.asar replaces it.
		if b.appDir != "" && b.hasDir(b.appDir) {
			only := len(el.Fuses) > 0
			for _, w := range el.Fuses {
				only = only && w.On(FuseOnlyLoadAppFromAsar)
			}
			if !only {
				b.finding(RuleAppFolderShadowsAsar, signing.SeverityError, b.appDir,
					fmt.Sprintf("%s exists beside %s and OnlyLoadAppFromAsar is not on: Electron loads the folder, not the archive", b.appDir, b.asarPath))
			}
		}
		if !enforced {
			b.finding(RuleAsarIntegrityNotEnforced, signing.SeverityWarning, b.asarPath,
				"Electron does not enforce the asar integrity: "+strings.Join(why, "; "))
		}
	}
}

// sortFindings sorts findings into report order.
func sortFindings(fs []signing.Finding) { report.SortFindings(fs) }
