package sbom

import (
	"strings"
	"testing"
)

// TestAttackPackageVersionRespelled: npm reads "v1.0.0", "=1.0.0",
// " 1.0.0" and "1.0.0+build.7" as version 1.0.0 (semver.clean; build
// metadata has no say in a version's identity, and the registry refuses
// to publish 1.0.0+x beside 1.0.0). A package whose package.json went from
// "1.0.0" to one of them, with its code changed, was a note (p 1.0.0 →
// v1.0.0: updated) rather than code changed under the same version.
func TestAttackPackageVersionRespelled(t *testing.T) {
	t.Parallel()
	inv := func(v, digest string) *Inventory {
		return &Inventory{
			Layout:   LayoutWindows,
			App:      App{Name: "a", Version: "1.0.0", Digest: "d1", Root: "resources/app.asar"},
			Packages: []Package{{Name: "p", Version: v, Path: "resources/app.asar/node_modules/p", Digest: digest}},
		}
	}
	for _, v := range []string{"v1.0.0", "=1.0.0", " 1.0.0", "1.0.0+build.7", "=v1.0.0 "} {
		got := strings.Join(findingKeys(Diff(inv("1.0.0", "x"), inv(v, "y")).Findings), "\n")
		if got != "error diff/changed-same-version resources/app.asar/node_modules/p" {
			t.Errorf("%q: findings:\n%s", v, got)
		}
	}
	// A real update, and a prerelease (another version), stay updates in
	// a release of another application version (under the same one, see
	// TestAttackPackageChangedSameAppVersion).
	for _, v := range []string{"1.0.1", "1.0.0-beta.1"} {
		n := inv(v, "y")
		n.App.Version = "1.0.1"
		got := strings.Join(findingKeys(Diff(inv("1.0.0", "x"), n).Findings), "\n")
		if got != "note diff/package-updated resources/app.asar/node_modules/p" {
			t.Errorf("%q: findings:\n%s", v, got)
		}
	}
}

// TestAttackAppVersionRespelled: the same for the application's own
// version.
func TestAttackAppVersionRespelled(t *testing.T) {
	t.Parallel()
	inv := func(v, digest string) *Inventory {
		return &Inventory{Layout: LayoutWindows, App: App{Name: "a", Version: v, Digest: digest, Asar: "resources/app.asar"}}
	}
	got := strings.Join(findingKeys(Diff(inv("1.0.0", "x"), inv("1.0.0+1", "y")).Findings), "\n")
	if got != "error diff/changed-same-version resources/app.asar" {
		t.Errorf("findings:\n%s", got)
	}
}
