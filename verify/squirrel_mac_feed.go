package verify

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// Squirrel.Mac (Electron's autoUpdater on macOS) reads, in its JSON file
// mode, a static RELEASES.json (electron-forge's zip maker writes it
// beside the app's zip): {"currentRelease": V, "releases": [{"version":
// V, "updateTo": {"url": …}}]}. SQRLUpdater takes the updateTo of the
// release whose version is currentRelease, or, when none is, the whole
// file, as the update, and downloads its url (an absolute URL) to unzip
// and install the app inside; it checks that app's code signature against
// the running app's designated requirement, and no digest. The zip the
// url names must be the release's own file beside the feed, fetched over
// TLS.

// isMacFeedName reports whether report path p is a Squirrel.Mac feed: a
// file named RELEASES.json in any case, as an S3 website behind a
// case-insensitive proxy, IIS or a Windows share serves it for the feed URL
// an application names.
func isMacFeedName(p string) bool { return strings.EqualFold(path.Base(p), "RELEASES.json") }

// macFeedUpdate returns the url of the update SQRLUpdater takes from the
// feed data, and ok false when it takes none (JSON that does not read, a
// currentRelease that is not a string, an update with no string url).
func macFeedUpdate(data []byte) (u string, ok bool) {
	var feed map[string]any
	if json.Unmarshal(data, &feed) != nil || feed == nil {
		return "", false
	}
	update := feed
	if cur, present := feed["currentRelease"]; present && cur != nil {
		v, isString := cur.(string)
		if !isString {
			return "", false // isEqualToString: on a number throws
		}
		list, _ := feed["releases"].([]any)
		for _, r := range list {
			if m, _ := r.(map[string]any); m != nil && m["version"] == v {
				if update, _ = m["updateTo"].(map[string]any); update == nil {
					return "", false
				}
				break
			}
		}
	}
	u, ok = update["url"].(string)
	return u, ok
}

// macFeedFindings returns the file/update-not-in-release errors of the
// Squirrel.Mac feed fd.
func macFeedFindings(fd squirrelFeed, files map[string]*File) []signing.Finding {
	raw, ok := macFeedUpdate(fd.data)
	if !ok {
		return nil
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme == "" {
		return nil // NSURL takes no relative URL to download: no update
	}
	var msg string
	switch name := path.Base(u.Path); {
	case !strings.EqualFold(u.Scheme, "https"):
		msg = fmt.Sprintf("Squirrel.Mac feed's update is %s, not an https URL: whoever is on the path (or the file system) serves the zip clients install, and it was not checked", raw)
	case u.Path == "" || name == "/" || name == ".":
		msg = fmt.Sprintf("Squirrel.Mac feed's update is %s, which names no file: it was not checked", raw)
	case files[besideFeed(fd.path, name)] == nil:
		msg = fmt.Sprintf("Squirrel.Mac feed's update is %s, and the release holds no %s beside the feed: clients install that zip, and it was not checked", raw, name)
	}
	if msg == "" {
		return nil
	}
	return []signing.Finding{finding(RuleUpdateNotInRelease, signing.SeverityError, fd.path, msg)}
}

// besideFeed returns the report path of the file name beside the feed at
// report path feed.
func besideFeed(feed, name string) string {
	if dir := path.Dir(feed); dir != "." {
		return joinPath(dir, name)
	}
	return name
}
