package foldname

import (
	"fmt"
	"strings"
	"testing"
)

// entry is "name" for a file, "name/" for a folder entry.
func addAll(s *Set, entries []string) []string {
	var out []string
	for _, e := range entries {
		for _, c := range s.Add(strings.TrimSuffix(e, "/"), strings.HasSuffix(e, "/")) {
			out = append(out, fmt.Sprintf("%s|%s(%t)~%s(%t) on %s", c.Earlier, c.EarlierPart, c.EarlierDir, c.Part, c.Dir, c.On))
		}
	}
	return out
}

// TestSet: the collisions a Set reports, a case per attack and passing
// archives of names that do not collide.
func TestSet(t *testing.T) {
	for _, tc := range []struct {
		name    string
		entries []string
		want    []string
	}{
		{"distinct", []string{"a/b", "a-b", "a/c", "lib/x", "libx", "caf\u00e9", "caf\u00e8", "\u65e5/\u672c"}, nil},
		{"case", []string{"App.dll", "app.dll"}, []string{"App.dll|App.dll(false)~app.dll(false) on APFS, HFS+ and NTFS (Windows)"}},
		{"exact duplicate", []string{"a.dll", "a.dll"}, nil},
		{"collision then duplicate", []string{"A.dll", "a.dll", "a.dll"}, []string{"A.dll|A.dll(false)~a.dll(false) on APFS, HFS+ and NTFS (Windows)"}},
		{"folders merge", []string{"Lib/", "lib/", "LIB/x", "lib/y"}, nil},
		{"nfd on mac only", []string{"caf\u00e9", "cafe\u0301"}, []string{"caf\u00e9|caf\u00e9(false)~cafe\u0301(false) on APFS and HFS+"}},
		{"zero width joiner on HFS+", []string{"lib\u200dfoo.dylib", "libfoo.dylib"}, []string{"lib\u200dfoo.dylib|lib\u200dfoo.dylib(false)~libfoo.dylib(false) on HFS+"}},
		{"georgian capital on HFS+", []string{"\u10a0", "\u10d0"}, []string{"\u10a0|\u10a0(false)~\u10d0(false) on HFS+"}},
		{"trailing dot on Windows", []string{"foo.dll", "foo.dll."}, []string{"foo.dll|foo.dll(false)~foo.dll.(false) on NTFS (Windows)"}},
		{"trailing space on Windows", []string{"foo.dll ", "FOO.dll"}, []string{"foo.dll |foo.dll (false)~FOO.dll(false) on NTFS (Windows)"}},
		{"file then folder", []string{"A", "a/x", "a/y"}, []string{"A|A(false)~a(true) on APFS, HFS+ and NTFS (Windows)"}},
		{"folder then file", []string{"lib/foo.dll", "lib/bar.dll", "Lib"}, []string{"lib/foo.dll|lib(true)~Lib(false) on APFS, HFS+ and NTFS (Windows)"}},
		{"folder entry then file", []string{"Lib/", "lib"}, []string{"Lib|Lib(true)~lib(false) on APFS, HFS+ and NTFS (Windows)"}},
		{"file then folder entry", []string{"lib", "LIB/"}, []string{"lib|lib(false)~LIB(true) on APFS, HFS+ and NTFS (Windows)"}},
		{"same spelling file and folder", []string{"a", "a/x"}, []string{"a|a(false)~a(true) on APFS, HFS+ and NTFS (Windows)"}},
		{"trailing dot folder", []string{"bin", "bin./x.dll"}, []string{"bin|bin(false)~bin.(true) on NTFS (Windows)"}},
		{"deep folder", []string{"a/B/c", "a/b"}, []string{"a/B/c|a/B(true)~a/b(false) on APFS, HFS+ and NTFS (Windows)"}},
		{"two files and a folder", []string{"x/y", "X", "x"}, []string{
			"x/y|x(true)~X(false) on APFS, HFS+ and NTFS (Windows)",
			"X|X(false)~x(false) on APFS, HFS+ and NTFS (Windows)",
			"x/y|x(true)~x(false) on APFS, HFS+ and NTFS (Windows)",
		}},
		// "\u00b5" and "\u03bc" are one name on APFS and Windows, and
		// "\u00b5" collides with two earlier names on different systems.
		{"several earlier", []string{"\u03bc", "\u039c", "\u00b5"}, []string{
			"\u03bc|\u03bc(false)~\u039c(false) on APFS, HFS+ and NTFS (Windows)",
			"\u03bc|\u03bc(false)~\u00b5(false) on APFS and NTFS (Windows)",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := addAll(NewSet(All), tc.entries)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestSetSystems: a Set for macOS installers does not report what only
// Windows sees.
func TestSetSystems(t *testing.T) {
	s := NewSet(Systems(1)<<APFS | Systems(1)<<HFSPlus)
	if got := addAll(s, []string{"foo.dll", "foo.dll.", "a/x", "a./y"}); got != nil {
		t.Errorf("got %q", got)
	}
	if got := addAll(s, []string{"b", "b/x"}); len(got) != 1 || !strings.HasSuffix(got[0], " on APFS and HFS+") {
		t.Errorf("got %q", got)
	}
}
