package walktest

import (
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/apfs"
	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/hfsplus"
	"github.com/shipgate/shipgate/internal/pkgfile"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// SpecialCase is a release holding special files (SpecialCases).
type SpecialCase struct {
	Name string
	// File is the release's file name and Data its bytes.
	File string
	Data []byte
	// Paths are the files a walker lists; Specials the paths of the
	// special files (a character device, a FIFO) both report as
	// file/unreadable errors.
	Paths, Specials []string
}

// SpecialCases returns containers whose file systems hold, beside a file
// a, a character device dev/mem and a FIFO dev/pipe, which an installer
// creates: an installer package's payload (in both cpio formats) and a
// disk image's volume (HFS+ and APFS).
func SpecialCases(t testing.TB) []SpecialCase {
	t.Helper()
	files := []pkgfile.CPIOFile{{Name: ".", Mode: 0o040755}, {Name: "./a", Mode: 0o100644, Data: []byte("a")},
		{Name: "./dev", Mode: 0o040755}, {Name: "./dev/mem", Mode: 0o020644}, {Name: "./dev/pipe", Mode: 0o010600}}
	pkgOf := func(cpio []byte) []byte {
		b, _ := pkgfile.Build(pkgfile.Spec{Files: []pkgfile.File{{Path: "Payload", Data: pkgfile.Gzip(cpio)}}})
		return b
	}
	const pkg, img = "Example-1.4.0.pkg", "Example-1.4.0.dmg"
	at := func(name string, ps ...string) []string {
		var out []string
		for _, p := range ps {
			out = append(out, name+"/"+p)
		}
		return out
	}
	cases := []SpecialCase{
		{"pkg-odc", pkg, pkgOf(pkgfile.CPIO(files)), []string{pkg, pkg + "/Payload/a"}, at(pkg, "Payload/dev/mem", "Payload/dev/pipe")},
		{"pkg-newc", pkg, pkgOf(pkgfile.CPIONewc(files, false)), []string{pkg, pkg + "/Payload/a"}, at(pkg, "Payload/dev/mem", "Payload/dev/pipe")},
	}
	char, fifo := fs.ModeDevice|fs.ModeCharDevice|0o644, fs.ModeNamedPipe|0o600
	hv, err := hfsplus.Build(hfsplus.BuildSpec{Files: map[string]hfsplus.BuildFile{"a": {Data: []byte("a")}, "dev/mem": {Mode: char}, "dev/pipe": {Mode: fifo}}})
	if err != nil {
		t.Fatal(err)
	}
	av, err := apfs.Build(apfs.BuildSpec{Files: map[string]apfs.BuildFile{"a": {Data: []byte("a")}, "dev/mem": {Mode: char}, "dev/pipe": {Mode: fifo}}})
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]dmgfile.Spec{"dmg-hfs+": {HFS: hv}, "dmg-apfs": {APFS: av}} {
		b, _ := dmgfile.Build(s)
		cases = append(cases, SpecialCase{name, img, b, []string{img, img + "/a"}, at(img, "dev/mem", "dev/pipe")})
	}
	slices.SortFunc(cases, func(a, b SpecialCase) int { return strings.Compare(a.Name, b.Name) })
	return cases
}

// CheckSpecials checks that the file/unreadable errors of fs, what walker
// ("verify" or "sbom") found in c, are at c.Specials.
func CheckSpecials(t testing.TB, walker string, c SpecialCase, fs []signing.Finding) {
	t.Helper()
	var got []string
	for _, f := range fs {
		if f.Rule == release.RuleUnreadable && f.Severity == signing.SeverityError {
			got = append(got, f.Path)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, c.Specials) {
		t.Errorf("%s: %s's file/unreadable errors at %q, want %q", c.Name, walker, got, c.Specials)
	}
}
