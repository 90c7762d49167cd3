package verify

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// electron-updater fetches its feed and the files it lists from the
// server its settings name (providerFactory): a generic provider's url,
// a github provider's protocol (https unless set) and host, an s3
// provider's endpoint. Nothing makes it https: over http, whoever is on
// the path serves the feed and the installer, which AppImage, deb, rpm
// and pacman updaters install after checking only the feed's own SHA-512
// (and NsisUpdater with no publisherName).

// updateURLFindings returns the file/update-insecure-url errors of the
// electron-updater settings cfg, of the app-update.yml at report path p.
func updateURLFindings(p string, cfg map[string]any) []signing.Finding {
	var what, u string
	switch jsString(cfg["provider"]) {
	case "generic":
		what, u = "url", jsCoerce(cfg["url"])
	case "github":
		if proto := jsCoerce(cfg["protocol"]); proto != "" {
			what, u = "protocol", proto+"://"
		}
	case "s3":
		what, u = "endpoint", jsCoerce(cfg["endpoint"])
	}
	if u == "" {
		return nil
	}
	scheme, _, _ := strings.Cut(strings.TrimSpace(u), ":")
	if x, err := url.Parse(strings.TrimSpace(u)); err == nil {
		scheme = x.Scheme
	}
	if scheme == "" || strings.EqualFold(scheme, "https") {
		return nil // no scheme: no URL that electron-updater reads, no update
	}
	return []signing.Finding{finding(RuleUpdateInsecureURL, signing.SeverityError, p,
		fmt.Sprintf("electron-updater's settings give the %s provider's %s %q, not https: whoever is on the path to the update server serves the feed and the update, which clients check against nothing but the feed (and, on Windows, publisherName)", jsString(cfg["provider"]), what, u))}
}
