package walktest

import (
	"path"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pkgfile"
	"github.com/shipgate/shipgate/internal/volfs"
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
