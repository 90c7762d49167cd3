package walktest

import (
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pkgfile"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/volfs"
	"github.com/shipgate/shipgate/signing"
)

// ModePkgName is the name ModePkg's installer package is written under.
const ModePkgName = "Example-1.4.0.pkg"

// ModePkg returns an installer package (.pkg) whose payload holds
// ModeFiles, with their modes (set-ID bits as BSD st_mode bits), in the
// cpio format format ("odc" or "newc"); ModePkgPaths are the files a
// walker lists in it, ModePkgFindings the findings verify and sbom both
// report of their modes.
func ModePkg(t testing.TB, format string) []byte {
	t.Helper()
	files := []pkgfile.CPIOFile{{Name: ".", Mode: 0o040755}, {Name: "./bin", Mode: 0o040755}}
	for _, f := range ModeFiles {
		mode := 0o100000 | uint32(f.Mode.Perm()) | uint32(volfs.BSDSpecial(f.Mode))
		files = append(files, pkgfile.CPIOFile{Name: "./" + f.Name, Mode: mode, Data: modeScript(f.Name)})
	}
	cpio := pkgfile.CPIO(files)
	if format == "newc" {
		cpio = pkgfile.CPIONewc(files, false)
	}
	b, _ := pkgfile.Build(pkgfile.Spec{Files: []pkgfile.File{{Path: "Payload", Data: pkgfile.Gzip(cpio)}}})
	return b
}

// ModePkgPaths returns the files a walker lists in ModePkg written as
// ModePkgName: the package and its payload's files.
func ModePkgPaths() []string {
	out := []string{ModePkgName}
	for _, f := range ModeFiles {
		out = append(out, path.Join(ModePkgName, "Payload", f.Name))
	}
	return out
}

// ModePkgFindings returns ModeFindings as ModePkg's files have them
// ("rule path"), at their paths in the package's payload.
func ModePkgFindings() []string {
	var out []string
	for _, f := range ModeFindings {
		rule, p, _ := strings.Cut(f, " ")
		out = append(out, rule+" "+path.Join(ModePkgName, "Payload", p))
	}
	return out
}

// CheckModePkgFindings checks that the mode findings (file/setuid,
// file/world-writable) of fs, what walker ("verify" or "sbom") found in
// ModePkg written as ModePkgName, are ModePkgFindings, in that order.
func CheckModePkgFindings(t testing.TB, walker string, fs []signing.Finding) {
	t.Helper()
	var got []string
	for _, f := range fs {
		if f.Rule == release.RuleSetuid || f.Rule == release.RuleWorldWritable {
			got = append(got, string(f.Rule)+" "+f.Path)
		}
	}
	if want := ModePkgFindings(); !slices.Equal(got, want) {
		t.Errorf("%s's mode findings %q, want %q", walker, got, want)
	}
}

// LinkPkg returns an installer package whose payload holds bin/a and
// symbolic links (as LinkCases): bin/in to a (inside), bin/out out of the
// payload, up to its parent and bin/sneaky out through up. A walker lists
// the package and bin/a (LinkPkgPaths); the links out are
// file/symlink-escape, relative to the payload.
func LinkPkg(t testing.TB) []byte {
	t.Helper()
	files := []pkgfile.CPIOFile{{Name: ".", Mode: 0o040755}, {Name: "./bin", Mode: 0o040755},
		{Name: "./bin/a", Mode: 0o100755, Data: []byte("a")},
		{Name: "./bin/in", Mode: 0o120755, Data: []byte("a")},
		{Name: "./bin/out", Mode: 0o120755, Data: []byte("../../outside")},
		{Name: "./up", Mode: 0o120755, Data: []byte("..")},
		{Name: "./bin/sneaky", Mode: 0o120755, Data: []byte("../up/outside")},
	}
	b, _ := pkgfile.Build(pkgfile.Spec{Files: []pkgfile.File{{Path: "Payload", Data: pkgfile.Gzip(pkgfile.CPIO(files))}}})
	return b
}

// LinkPkgPaths are the files a walker lists in LinkPkg written as
// ModePkgName.
var LinkPkgPaths = []string{ModePkgName, ModePkgName + "/Payload/bin/a"}

// CheckLinkPkgEscapes checks that the file/symlink-escape findings of fs,
// found in LinkPkg written as ModePkgName, are at the links that leave
// its payload: bin/out, and bin/sneaky and up.
func CheckLinkPkgEscapes(t testing.TB, fs []signing.Finding) {
	t.Helper()
	var got []string
	for _, f := range fs {
		if f.Rule == release.RuleSymlinkEscape {
			got = append(got, f.Path)
		}
	}
	slices.Sort(got)
	at := ModePkgName + "/Payload/"
	if want := []string{at + "bin/out", at + "bin/sneaky", at + "up"}; !slices.Equal(got, want) {
		t.Errorf("file/symlink-escape at %q, want %q", got, want)
	}
}
