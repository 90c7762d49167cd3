package sbom

import (
	"sort"
	"strings"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/sbom/asar"
	"github.com/shipgate/shipgate/signing"
)

// openAsars lists, beside each asar archive found among the release's
// files other than the release's own (a loose one in a release folder,
// resources/plugins/extra.asar, an app.asar in an installer, a zip, a
// tarball or a disk image, or an asar inside an asar, told by its header
// as verify tells one: it.asar), which stays a file, the files and links
// it holds under its path
// (Setup.exe/$INSTDIR/resources/app.asar/node_modules/x), as verify opens
// every asar it finds: their npm packages and digests join the inventory,
// each entry checked against the integrity its header records, as the
// release's own asar's are. Its unpacked files stay the release's files at
// their paths on disk (see matchUnpacked). An asar that cannot be read
// has a finding; one nested release.MaxDepth archives deep
// is not opened, as verify does not open it. When the release has no
// application of its own, the one app.asar found so gives it its App
// facts (adoptApp), as an app.asar given alone would.
func (b *builder) openAsars() {
	var found []*item
	for _, it := range b.items {
		if it.asar && it.err == nil && it.path != b.asarPath {
			found = append(found, it)
		}
	}
	apps := map[string]*asar.Reader{}
	for len(found) > 0 {
		found = b.openAsarsOnce(found, apps)
	}
	b.adoptApp(apps)
}

// openAsarsOnce lists the files of the asars found under them, as
// openAsars does, and returns the asars among those files. apps takes the
// asars named app.asar that were opened, by path.
func (b *builder) openAsarsOnce(found []*item, apps map[string]*asar.Reader) []*item {
	var added []*item
	for _, it := range found {
		if it.depth >= release.MaxDepth {
			b.finding(release.RuleUnreadable, signing.SeverityError, it.path, release.TooDeepMessage(it.depth, "inventoried"))
			continue
		}
		ar, err := b.openAsarIn(it, b.items)
		if err != nil {
			b.asarOpenFailed(it.path, err)
			continue
		}
		b.asarProblems(ar, it.path)
		b.asars = append(b.asars, openedAsar{it.path, ar})
		if it.path == "app.asar" || strings.HasSuffix(it.path, "/app.asar") {
			apps[it.path] = ar
		}
		added = append(added, asarItems(ar, it.path, false, it.depth+1, false)...)
	}
	b.hashAll(added)
	b.items = append(b.items, added...)
	sort.Slice(b.items, func(i, j int) bool { return b.items[i].path < b.items[j].path })
	var next []*item
	for _, it := range added {
		if it.asar && it.err == nil {
			next = append(next, it)
		}
	}
	return next
}

// adoptApp makes the one app.asar of apps (those openAsars opened, by
// path) the release's application when the release has none of its own
// (a folder or zip holding an installer, a zip holding a zip): its path
// and header hash, and so its package.json's name, version and
// dependencies, are the App facts, as they are of an app.asar given
// alone; the folder holding it is the Electron application's
// (X/resources/app.asar on Windows and Linux, X.app/Contents/Resources on
// macOS) when no other is, whose runtime facts (version, fuses, integrity
// claims) are then read as an installer's. With none, or more than one,
// the release has no App facts.
func (b *builder) adoptApp(apps map[string]*asar.Reader) {
	if len(apps) != 1 || b.ar != nil || (b.appDir != "" && b.hasDir(b.appDir)) {
		return
	}
	for p, ar := range apps {
		b.ar, b.asarPath = ar, p
		b.inv.App.Asar = p
		b.inv.App.AsarHeaderHash = ar.HeaderHash()
		if b.home != "" || b.macHome != "" || b.inv.Layout == LayoutWindows || b.inv.Layout == LayoutMacOS {
			return
		}
		if h, ok := strings.CutSuffix(p, "/Contents/Resources/app.asar"); ok {
			b.macHome = h
		} else if h, ok := strings.CutSuffix(p, "/resources/app.asar"); ok {
			b.home = h
		}
	}
}
