package sbom

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// UpstreamOptions configures [CompareUpstream]. The zero value compares
// without checking the zip against a checksum list.
type UpstreamOptions struct {
	// SHASUMS is the content of the release's SHASUMS256.txt; when set, the
	// zip's SHA-256 must match the line naming the zip's file name.
	SHASUMS []byte
	// MaxBytes caps the uncompressed bytes read from the zip; zero means
	// 4 GiB.
	MaxBytes int64
}

// UpstreamResult is how a release's runtime compares with the official
// Electron zip.
type UpstreamResult struct {
	// Zip is the zip's file name and SHA256 its digest.
	Zip    string `json:"zip"`
	SHA256 string `json:"sha256"`
	// Version, Platform and Arch are read from the zip's name
	// (electron-vX.Y.Z-platform-arch.zip).
	Version  string `json:"version"`
	Platform string `json:"platform"`
	Arch     string `json:"arch"`
	// Compared counts the upstream files found in the release.
	Compared int `json:"compared"`
	// Modified are the runtime files whose bytes differ from upstream.
	Modified []UpstreamFile `json:"modified"`
	// Missing are upstream files the release does not ship (packagers may
	// drop locales); Extra are runtime files upstream does not ship.
	Missing []string `json:"missing"`
	Extra   []string `json:"extra"`
	// Findings are electron/runtime-modified and electron/runtime-extra.
	Findings []signing.Finding `json:"findings,omitempty"`
}

// UpstreamFile is a runtime file compared with its upstream counterpart.
type UpstreamFile struct {
	Path     string `json:"path"`
	Upstream string `json:"upstream"`
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
}

var zipName = regexp.MustCompile(`^electron-v(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)-(win32|linux|darwin|mas)-([a-z0-9_]+)\.zip$`)

// ErrUpstreamPlatform results for official zips of a platform whose runtime
// CompareUpstream cannot compare: macOS packagers re-sign every Mach-O file,
// so their bytes always differ from upstream's.
var ErrUpstreamPlatform = errors.New("sbom: upstream comparison supports win32 and linux zips only")

// CompareUpstream compares the Electron runtime of release (an inventory
// from [Open]) with the official Electron zip at zipPath, which the user
// downloaded. Upstream files are mapped onto the release: the electron
// executable to the application's executable, LICENSE to LICENSE or
// LICENSE.electron.txt, and resources/default_app.asar is not expected.
// Every runtime file whose bytes differ is an electron/runtime-modified error
// (a note for the executable, whose resources packagers rewrite); every
// runtime file upstream does not ship is electron/runtime-extra. The
// release's Electron version must equal the zip's; a mismatch, a bad
// checksum or an unreadable zip is an error.
func CompareUpstream(zipPath string, release *Inventory, opts UpstreamOptions) (*UpstreamResult, error) {
	name := path.Base(strings.ReplaceAll(zipPath, `\`, "/"))
	m := zipName.FindStringSubmatch(name)
	if m == nil {
		return nil, fmt.Errorf("sbom: %s: not named like an official Electron zip (electron-vX.Y.Z-platform-arch.zip)", name)
	}
	res := &UpstreamResult{Zip: name, Version: m[1], Platform: m[2], Arch: m[3]}
	if res.Platform == "darwin" || res.Platform == "mas" {
		return nil, ErrUpstreamPlatform
	}
	if release.Layout != LayoutWindows {
		return nil, fmt.Errorf("sbom: the release is a %s layout; a %s zip needs a Windows or Linux folder", release.Layout, res.Platform)
	}
	if release.Electron.Version != res.Version {
		return nil, fmt.Errorf("sbom: the release runs Electron %s (%s), the zip is Electron %s", orNone(release.Electron.Version), release.Electron.VersionSource, res.Version)
	}
	upstream, err := res.readZip(zipPath, opts)
	if err != nil {
		return nil, err
	}
	// Every official zip holds the executable at its root: one that does
	// not (empty, or its files in a folder) compares nothing, and every
	// runtime file would be a mere extra.
	if exe := upstreamExecutable(res.Platform); upstream[exe] == "" {
		return nil, fmt.Errorf("sbom: %s has no %s at its root: not an official Electron zip, and nothing of the release's runtime could be compared with it", name, exe)
	}
	res.compare(release, upstream)
	return res, nil
}

// readZip hashes the zip at zipPath into r.SHA256, checks it against
// opts.SHASUMS, and returns the SHA-256 of each of its files by path,
// reading at most opts.MaxBytes uncompressed.
func (r *UpstreamResult) readZip(zipPath string, opts UpstreamOptions) (map[string]string, error) {
	name := r.Zip
	f, err := os.Open(zipPath)
	if err != nil {
		return nil, fmt.Errorf("sbom: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	size, err := io.Copy(h, f)
	if err != nil {
		return nil, fmt.Errorf("sbom: %s: %w", name, err)
	}
	r.SHA256 = hex.EncodeToString(h.Sum(nil))
	if opts.SHASUMS != nil {
		want, ok := shasumFor(opts.SHASUMS, name)
		if !ok {
			return nil, fmt.Errorf("sbom: SHASUMS256.txt has no line for %s", name)
		}
		if want != r.SHA256 {
			return nil, fmt.Errorf("sbom: %s has SHA-256 %s, SHASUMS256.txt says %s", name, r.SHA256, want)
		}
	}
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return nil, fmt.Errorf("sbom: %s: %w", name, err)
	}
	budget := opts.MaxBytes
	if budget <= 0 {
		budget = 4 << 30
	}
	upstream := map[string]string{} // zip path → sha256
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() || zf.Mode()&os.ModeSymlink != 0 {
			continue
		}
		if !validZipPath(zf.Name) {
			return nil, fmt.Errorf("sbom: %s: unsafe entry name %q", name, zf.Name)
		}
		if _, dup := upstream[zf.Name]; dup {
			return nil, fmt.Errorf("sbom: %s: duplicate entry %q", name, zf.Name)
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, fmt.Errorf("sbom: %s: %s: %w", name, zf.Name, err)
		}
		fh := sha256.New()
		n, err := io.Copy(fh, io.LimitReader(rc, budget+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("sbom: %s: %s: %w", name, zf.Name, err)
		}
		if budget -= n; budget < 0 {
			return nil, fmt.Errorf("sbom: %s: more than the cap of uncompressed bytes", name)
		}
		upstream[zf.Name] = hex.EncodeToString(fh.Sum(nil))
	}
	return upstream, nil
}

// add records a finding about path p.
func (r *UpstreamResult) add(rule signing.Rule, sev signing.Severity, p, msg string) {
	fd := signing.NewFinding(rule, sev, msg)
	fd.Path = p
	r.Findings = append(r.Findings, fd)
}

// compare matches each upstream file (path → SHA-256) with the release's,
// recording those compared, modified and missing, then the release's
// runtime files upstream does not ship.
func (r *UpstreamResult) compare(release *Inventory, upstream map[string]string) {
	files := map[string]*File{}
	for i := range release.Files {
		files[release.Files[i].Path] = &release.Files[i]
	}
	// Windows loads ffmpeg.dll from FFMPEG.DLL (or ffmpeg.dll.): on win32,
	// an upstream file not found by its exact path is looked up the way
	// NTFS finds names, when one file alone answers.
	fold := foldKey(LayoutWindows)
	folded := map[string]*File{}
	if r.Platform == "win32" {
		seen := map[string]int{}
		for i := range release.Files {
			k := fold(release.Files[i].Path)
			seen[k]++
			folded[k] = &release.Files[i]
		}
		for k, n := range seen {
			if n > 1 {
				delete(folded, k)
			}
		}
	}
	// A zipped release's files are under its folder (see layoutOf):
	// upstream's paths are compared under it.
	top := topFolder(release)
	key := func(p string) string { return p }
	if r.Platform == "win32" {
		key = fold
	}
	exe := mainExecutable(release, top, r.Platform, upstream, key)
	mapped := map[string]bool{}
	names := make([]string, 0, len(upstream))
	for n := range upstream {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, up := range names {
		if up == "resources/default_app.asar" {
			continue // Electron's default app, which packagers leave out
		}
		var got *File
		for _, c := range upstreamCandidates(up, exe) {
			if c != exe {
				c = joinPath(top, c)
			}
			if got = files[c]; got != nil {
				break
			}
			if got = folded[fold(c)]; got != nil {
				break
			}
		}
		if got == nil {
			r.Missing = append(r.Missing, up)
			continue
		}
		mapped[got.Path] = true
		r.Compared++
		if got.SHA256 == upstream[up] {
			continue
		}
		r.Modified = append(r.Modified, UpstreamFile{Path: got.Path, Upstream: up, Expected: upstream[up], Actual: got.SHA256})
		if got.Path == exe {
			r.add(RuleRuntimeModified, signing.SeverityNote, got.Path,
				fmt.Sprintf("the executable differs from upstream %s (expected: packagers rewrite its icon, version and integrity resources and sign it)", up))
			continue
		}
		r.add(RuleRuntimeModified, signing.SeverityError, got.Path,
			fmt.Sprintf("differs from %s in the official Electron %s %s-%s zip (sha256 %s, upstream %s)",
				up, r.Version, r.Platform, r.Arch, short(got.SHA256), short(upstream[up])))
	}
	for _, fl := range release.Files {
		if fl.Component != "electron" || mapped[fl.Path] || fl.Path == exe {
			continue
		}
		r.Extra = append(r.Extra, fl.Path)
		r.add(RuleRuntimeExtra, signing.SeverityWarning, fl.Path,
			fmt.Sprintf("the official Electron %s %s-%s zip does not ship this file next to the runtime", r.Version, r.Platform, r.Arch))
	}
	if r.Modified == nil {
		r.Modified = []UpstreamFile{}
	}
	if r.Missing == nil {
		r.Missing = []string{}
	}
	if r.Extra == nil {
		r.Extra = []string{}
	}
	sortFindings(r.Findings)
}

// upstreamExecutable is the name of Electron's executable in an official
// zip of platform.
func upstreamExecutable(platform string) string {
	if platform == "win32" {
		return "electron.exe"
	}
	return "electron"
}

// upstreamCandidates are the release paths that may hold the upstream
// file up: the renamed executable exe ("" when unknown) for electron(.exe),
// Electron's license under either name, else the same path.
func upstreamCandidates(up, exe string) []string {
	switch up {
	case "electron.exe", "electron":
		if exe != "" {
			return []string{exe}
		}
		return nil
	case "LICENSE":
		return []string{"LICENSE.electron.txt", "LICENSE"}
	}
	return []string{up}
}

// mainExecutable is the release's renamed electron executable: the
// top-level binary (in the folder top, when all files are in one)
// carrying the fuse wire, else the only top-level .exe. A file named as
// one of upstream's other files (ffmpeg.dll, chrome-sandbox) is never
// the executable, whatever it carries: a fuse sentinel appended to a
// trojanized ffmpeg.dll would make its difference from upstream a note.
// key is how names are matched (a win32 release's case is ignored).
func mainExecutable(inv *Inventory, top, platform string, upstream map[string]string, key func(string) string) string {
	other := map[string]bool{}
	for up := range upstream {
		if up != "electron.exe" && up != "electron" {
			other[key(up)] = true
		}
	}
	topLevel := func(p string) bool {
		rel := underHome(p, top)
		return !strings.Contains(rel, "/") && !other[key(rel)]
	}
	var wired []string
	for _, w := range inv.Electron.Fuses {
		if topLevel(w.Path) && !slices.Contains(wired, w.Path) {
			wired = append(wired, w.Path)
		}
	}
	if len(wired) == 1 {
		return wired[0]
	}
	var exes []string
	for _, b := range inv.Binaries {
		if topLevel(b.Path) && (platform != "win32" || strings.HasSuffix(strings.ToLower(b.Path), ".exe")) {
			exes = append(exes, b.Path)
		}
	}
	if len(exes) == 1 {
		return exes[0]
	}
	return ""
}

func validZipPath(n string) bool {
	if n == "" || strings.HasPrefix(n, "/") || strings.Contains(n, `\`) || strings.Contains(n, "\x00") {
		return false
	}
	for _, e := range strings.Split(n, "/") {
		if e == ".." || e == "." || e == "" {
			return false
		}
	}
	return true
}

// shasumFor finds name's digest in a SHASUMS256.txt ("hex *name" or
// "hex  name" lines).
func shasumFor(list []byte, name string) (string, bool) {
	sc := bufio.NewScanner(bytes.NewReader(list))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && strings.TrimPrefix(f[1], "*") == name {
			return strings.ToLower(f[0]), true
		}
	}
	return "", false
}
