package verify

import (
	"encoding/binary"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/shipgate/shipgate/internal/squirrel"
	"github.com/shipgate/shipgate/signing"
)

// electron-updater installs the file its feed lists when the feed's
// version is newer than the running application's, and keeps it when its
// digest is the feed's: whatever the installer itself is. A feed that
// gives version 2.1.0 for the release's 1.9.0 installer (an older, signed
// build with a known hole, republished under a newer feed) has every
// client "update" to the old build, and the feed's digest, size and url
// all name the release's file. electron-builder writes the version into
// the NSIS installer it builds (VIProductVersion, major.minor.patch.build),
// so the installer's VS_FIXEDFILEINFO says which version it is.

// rtVersion is the resource type RT_VERSION.
const rtVersion = 16

// maxVersionResources bounds the RT_VERSION resources read of one PE, and
// versionHead the bytes read of each, where VS_FIXEDFILEINFO lies (after
// the 40 bytes of VS_VERSIONINFO's header and key).
const (
	maxVersionResources = 16
	versionHead         = 512
)

// fixedFileInfoSig is VS_FIXEDFILEINFO's dwSignature.
const fixedFileInfoSig = 0xfeef04bd

// peProductVersions returns the product versions of the PE file of size
// bytes at r as its RT_VERSION resources' VS_FIXEDFILEINFO gives them
// (dwProductVersionMS and LS as "a.b.c.d"), sorted, without repeats; nil
// when none reads.
func peProductVersions(r io.ReaderAt, size int64) []string {
	rs, _ := squirrel.Resources(r, size)
	var out []string
	n := 0
	for _, res := range rs {
		if res.Err != nil || res.Type != "" || res.TypeID != rtVersion || res.Size < 40+52 {
			continue
		}
		if n++; n > maxVersionResources {
			break
		}
		b := make([]byte, min(res.Size, versionHead))
		if k, _ := r.ReadAt(b, res.Offset); k < len(b) {
			continue
		}
		if v, ok := fixedProductVersion(b); ok {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// fixedProductVersion returns the product version of the VS_FIXEDFILEINFO
// in the start b of a VS_VERSIONINFO: the first at a 4-byte boundary, as
// the structure is aligned.
func fixedProductVersion(b []byte) (string, bool) {
	le := binary.LittleEndian
	for i := 0; i+24 <= len(b); i += 4 {
		if le.Uint32(b[i:]) != fixedFileInfoSig {
			continue
		}
		ms, ls := le.Uint32(b[i+16:]), le.Uint32(b[i+20:])
		return fmt.Sprintf("%d.%d.%d.%d", ms>>16, ms&0xffff, ls>>16, ls&0xffff), true
	}
	return "", false
}

// feedSemver reads the core of the semantic version an electron-updater
// feed gives (electron-updater refuses a feed whose version is none).
var feedSemver = regexp.MustCompile(`^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:[-+].*)?$`)

// notePEVersions records the product versions of the checked file c, a
// PE beside what may be an electron-updater feed.
func (e *engine) notePEVersions(c *check) {
	if c.peVersions == nil {
		return
	}
	e.mu.Lock()
	if e.feedVersions == nil {
		e.feedVersions = map[string][]string{}
	}
	e.feedVersions[c.f.Path] = c.peVersions
	e.mu.Unlock()
}

// feedVersionFindings returns a file/update-not-in-release error for each
// PE installer the electron-updater feed fd lists (under files, or the
// older path) whose product version (versions, by report path) is not
// the feed's version: major, minor and patch must be the version
// resource's first three numbers.
func feedVersionFindings(fd squirrelFeed, files map[string]*File, versions map[string][]string) []signing.Finding {
	if len(versions) == 0 {
		return nil
	}
	var f map[string]any
	if err := loadUpdaterYAML(fd.data, &f); err != nil || f == nil {
		return nil
	}
	version := jsString(f["version"])
	m := feedSemver.FindStringSubmatch(version)
	list, ok := parseUpdaterFeed(fd.data)
	if m == nil || !ok {
		return nil
	}
	want := []string{m[1], m[2], m[3]}
	var finds []signing.Finding
	seen := map[string]bool{}
	for _, lf := range list {
		p, local := resolveFeedURL(path.Dir(fd.path), lf.url)
		if !local || files[p] == nil || seen[p] {
			continue
		}
		seen[p] = true
		for _, v := range versions[p] {
			if got := strings.Split(v, ".")[:3]; !slices.Equal(got, want) {
				finds = append(finds, finding(RuleUpdateNotInRelease, signing.SeverityError, fd.path, fmt.Sprintf(
					"electron-updater feed gives version %s for %q, but the installer's version resource says %s: clients take it for %s and install it, so an older build served under a newer feed downgrades them",
					strconv.Quote(version), lf.url, v, version)))
				break
			}
		}
	}
	return finds
}
