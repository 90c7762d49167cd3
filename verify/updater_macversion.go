package verify

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/codesign"
)

// electron-updater's MacUpdater installs the zip (or, with no zip, the
// disk image) latest-mac.yml lists when the feed's version is newer than
// the running app's, and keeps it when its digest is the feed's: an older,
// validly signed build republished under a newer latest-mac.yml
// downgrades every client. The app's version is its Info.plist's
// CFBundleShortVersionString, which electron-builder writes as the
// package's version and Electron reports as app.getVersion()
// (CFBundleVersion may be a build number, and is not compared).

// noteAppVersion records the CFBundleShortVersionString of the bundle job
// j verified as res, when it is an application at the root of an archive
// (a zip or disk image electron-builder makes of the .app), by the
// archive's report path.
func (e *engine) noteAppVersion(j *job, res *codesign.BundleResult) {
	prefix := bundlePrefix(j)
	if res.ShortVersion == "" || prefix == "" || strings.Contains(j.name, "/") || !strings.HasSuffix(strings.ToLower(j.name), ".app") {
		return
	}
	e.mu.Lock()
	if e.feedAppVersions == nil {
		e.feedAppVersions = map[string][]string{}
	}
	e.feedAppVersions[prefix] = append(e.feedAppVersions[prefix], res.ShortVersion)
	e.mu.Unlock()
}

// semverKey returns the version v as semver orders it (without a leading
// v and the build metadata, which precedence ignores), ok false when v is
// no semantic version.
func semverKey(v string) (string, bool) {
	if feedSemver.FindStringSubmatch(v) == nil {
		return "", false
	}
	v = strings.TrimPrefix(v, "v")
	v, _, _ = strings.Cut(v, "+")
	return v, true
}

// appVersionFindings returns a file/update-not-in-release error for each
// archive the electron-updater feed fd lists whose app's
// CFBundleShortVersionString (versions, by the archive's report path) is
// not the feed's version. An app version that is no semantic version is
// not compared.
func appVersionFindings(fd squirrelFeed, files map[string]*File, versions map[string][]string) []signing.Finding {
	if len(versions) == 0 {
		return nil
	}
	var f map[string]any
	if err := loadUpdaterYAML(fd.data, &f); err != nil || f == nil {
		return nil
	}
	version := jsString(f["version"])
	want, okv := semverKey(version)
	list, ok := parseUpdaterFeed(fd.data)
	if !okv || !ok {
		return nil
	}
	var finds []signing.Finding
	seen := map[string]bool{}
	for _, lf := range list {
		p, local := resolveFeedURL(path.Dir(fd.path), lf.url)
		if !local || files[p] == nil || seen[p] {
			continue
		}
		seen[p] = true
		vs := slices.Clone(versions[p])
		slices.Sort(vs)
		for _, v := range slices.Compact(vs) {
			if got, ok := semverKey(v); ok && got != want {
				finds = append(finds, finding(RuleUpdateNotInRelease, signing.SeverityError, fd.path, fmt.Sprintf(
					"electron-updater feed gives version %s for %q, but the app inside it says %s (CFBundleShortVersionString): clients take it for %s and install it, so an older build served under a newer feed downgrades them",
					strconv.Quote(version), lf.url, strconv.Quote(v), version)))
				break
			}
		}
	}
	return finds
}
