package verify

import (
	"archive/zip"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"path"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// electron-updater keeps a download only when its digest is the one the
// feed gives (builder-util-runtime's DigestTransform): the file's sha512,
// base64 (or, in recent versions, 128 lowercase hex digits), compared as a
// string; else its sha2, the SHA-256 in lowercase hex. A feed whose digest
// is not the release's file's has clients refuse the release's file and
// install only other bytes, which verify never saw.

// isFeedDirYAML reports whether report path p is YAML that may be an
// electron-updater feed, whose folder's files then have their SHA-512
// computed: app-update.yml and dev-app-update.yml are the application's
// update settings, not feeds.
func isFeedDirYAML(p string) bool {
	switch strings.ToLower(path.Base(p)) {
	case "app-update.yml", "dev-app-update.yml":
		return false
	}
	return isYAMLName(p)
}

// markFeedDigests sets job.feedDigest on the jobs of a folder's files
// that lie beside YAML that may be a feed, and job.feedSHA1 on those
// beside a Squirrel RELEASES (by sibName, the path in the folder walked).
// A file a feed lists in a folder under it, or in an archive, has no
// SHA-512 computed: its feed's sha512 is reported as not compared.
func markFeedDigests(jobs []*job) {
	var d feedDirs
	for _, j := range jobs {
		d.note(j.sibName)
	}
	if d.yaml == nil && d.squirrel == nil {
		return
	}
	for _, j := range jobs {
		d.mark(j)
	}
}

// feedDirs holds the folders that hold YAML that may be an
// electron-updater feed, and those that hold a Squirrel RELEASES.
type feedDirs struct{ yaml, squirrel map[string]bool }

// note records the file at path p (in the folder or archive walked).
func (d *feedDirs) note(p string) {
	switch {
	case isFeedDirYAML(p):
		if d.yaml == nil {
			d.yaml = map[string]bool{}
		}
		d.yaml[path.Dir(p)] = true
	case isFeedName(p):
		if d.squirrel == nil {
			d.squirrel = map[string]bool{}
		}
		d.squirrel[path.Dir(p)] = true
	}
}

// mark sets the job's feedDigest and feedSHA1 by its folder.
func (d *feedDirs) mark(j *job) {
	dir := path.Dir(j.sibName)
	j.feedDigest, j.feedSHA1 = d.yaml[dir], d.squirrel[dir]
}

// feedDigestSink returns sink, setting job.feedDigest and job.feedSHA1 on
// the jobs of the entries of a zip archive (files) by their names in the
// archive (job.sibName).
func feedDigestSink(files []*zip.File, sink func(*job)) func(*job) {
	var d feedDirs
	for _, zf := range files {
		d.note(zf.Name)
	}
	if d.yaml == nil && d.squirrel == nil {
		return sink
	}
	return func(j *job) {
		d.mark(j)
		sink(j)
	}
}

// noteFeedDigest records the SHA-512 of the checked file c, when its check
// computed it over the whole file.
func (e *engine) noteFeedDigest(c *check) {
	h := c.h
	if h.sha512 == nil || c.readProblem || h.n != c.f.Size {
		return
	}
	sum := h.sha512.Sum(nil)
	e.mu.Lock()
	if e.feedSHA512 == nil {
		e.feedSHA512 = map[string][]byte{}
	}
	e.feedSHA512[c.f.Path] = sum
	e.mu.Unlock()
}

// feedDigestProblem says why the digest the electron-updater feed gives of
// the file it lists as u (f) is not that of the release's file x at report
// path p, with the severity: an error when it differs, a warning when the
// SHA-512 was not computed; "" when it is the file's.
func feedDigestProblem(f updaterFeedFile, x *File, sums map[string][]byte, p string) (signing.Severity, string) {
	if f.sha512 != nil {
		sum, ok := sums[p]
		if !ok {
			return signing.SeverityWarning, fmt.Sprintf("electron-updater feed lists %q with a sha512, but the SHA-512 of the release's %s was not computed (it does not lie beside the feed): the feed was not compared with it", f.url, p)
		}
		s, _ := f.sha512.(string)
		if s != "" && (s == base64.StdEncoding.EncodeToString(sum) || s == hex.EncodeToString(sum)) {
			return 0, ""
		}
		return signing.SeverityError, fmt.Sprintf("electron-updater feed lists %q with sha512 %s, but the release's file has %s: clients refuse it and install only a download of the feed's SHA-512, which was not checked", f.url, jsString(f.sha512), base64.StdEncoding.EncodeToString(sum))
	}
	if x.SHA256 == (Digest{}) {
		return 0, "" // not hashed: its read problem is reported
	}
	s, _ := f.sha2.(string)
	if want := hex.EncodeToString(x.SHA256[:]); s != want {
		return signing.SeverityError, fmt.Sprintf("electron-updater feed lists %q with sha2 %s, but the release's file has SHA-256 %s: clients refuse it and install only a download of the feed's SHA-256, which was not checked", f.url, jsString(f.sha2), want)
	}
	return 0, ""
}
