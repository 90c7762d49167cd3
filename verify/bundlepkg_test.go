package verify

import (
	"testing"

	"github.com/shipgate/shipgate/internal/hfsplus"
	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
)

// TestAttackBundleStylePackage: a bundle-style installer package (a
// folder Install.pkg holding Contents/Archive.pax.gz and
// Contents/Resources/postflight) beside a signed app passed
// `require: valid`: its archive was an unchecked-archive warning and its
// postflight an other file, while Installer (macOS 14 and earlier)
// installs the one and runs the other as root. Both are
// file/bundle-package errors now, in a folder, a zip archive or a disk
// image; a flat package's Resources and a folder merely named .pkg are
// not.
func TestAttackBundleStylePackage(t *testing.T) {
	t.Parallel()
	exe := machofile.Build(machofile.Spec{Seed: 5})
	pax := pkgfile.Gzip(pkgfile.CPIO([]pkgfile.CPIOFile{{Name: ".", Mode: 0o040755}, {Name: "./usr/local/bin/evil", Mode: 0o100755, Data: exe}}))
	post := []byte("#!/bin/sh\n/usr/local/bin/evil\n")
	dmg := hfsDMG(t, exampleBundle(t), map[string]hfsplus.BuildFile{
		"Install.pkg/Contents/Archive.pax.gz":       {Data: pax, Mode: 0o644},
		"Install.pkg/Contents/Resources/postflight": {Data: post, Mode: 0o755},
	}, false, nil)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"Example.dmg":                              dmg,
		"Legacy.mpkg/Contents/Archive.pax.gz":      pax,
		"Legacy.mpkg/Contents/Resources/PREFLIGHT": post,
		"Legacy.mpkg/Contents/Info.plist":          machofile.InfoPlist("", "com.example.legacy"),
		"Legacy.mpkg/Contents/distribution.dist":   []byte("<installer-script><script>system.run('/tmp/x')</script></installer-script>"),
		"legacy.zip": makeZip(t, []zipEntry{
			{name: "Old.pkg/Contents/Archive.pax", data: []byte("070707")},
			{name: "Old.pkg/Contents/Resources/postinstall", data: post, mode: 0o755},
		}),
		"docs.pkg/Contents/readme.txt":  []byte("not a package"),
		"docs.pkg/Resources/postflight": post,
		"notes/Contents/Archive.pax.gz": pax,
	})
	r := run(t, Options{Policy: requireValid()}, dir)
	for _, p := range []string{
		"Example.dmg/Install.pkg/Contents/Archive.pax.gz", "Example.dmg/Install.pkg/Contents/Resources/postflight",
		"Legacy.mpkg/Contents/Archive.pax.gz", "Legacy.mpkg/Contents/Resources/PREFLIGHT", "Legacy.mpkg/Contents/distribution.dist",
		"legacy.zip/Old.pkg/Contents/Archive.pax", "legacy.zip/Old.pkg/Contents/Resources/postinstall",
	} {
		if got := rulesFor(r, p); !has(got, "error "+string(RuleBundlePackage)) {
			t.Errorf("%s: findings %q, want error %s", p, got, RuleBundlePackage)
		}
	}
	for _, p := range []string{"Legacy.mpkg/Contents/Info.plist", "docs.pkg/Contents/readme.txt", "docs.pkg/Resources/postflight", "notes/Contents/Archive.pax.gz"} {
		if got := rulesFor(r, p); has(got, "error "+string(RuleBundlePackage)) {
			t.Errorf("%s: findings %q, want no %s", p, got, RuleBundlePackage)
		}
	}
}
