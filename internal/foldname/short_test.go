package foldname

import (
	"strings"
	"testing"
)

// TestShortAlias: the names of the shape of Windows' 8.3 short names, and
// the key they share with the long names that may get them.
func TestShortAlias(t *testing.T) {
	for elem, want := range map[string]string{
		"PROGRA~1":      "\x00progra.",
		"setuph~2.exe":  "\x00setuph.exe",
		"PR1A2B~5.DLL":  "\x00pr#.dll",
		"A1A2B~1":       "\x00a#.",
		"AB~12":         "\x00ab.",
		"PROGRA~0":      "",
		"PROGRA~":       "",
		"~1":            "",
		"LONGNAME~1":    "",
		"SETUP~1.EXE1":  "",
		"SET UP~1":      "",
		"Program Files": "",
	} {
		k, ok := ShortAlias(elem)
		if ok != (want != "") || k != want {
			t.Errorf("ShortAlias(%q) = %q, %v; want %q", elem, k, ok, want)
		}
	}
	for elem, want := range map[string]string{
		"Program Files":       "\x00progra.",
		"Setup Helper.exe":    "\x00setuph.exe",
		"archive.tar.gz":      "\x00archiv.gz",
		"a b.txt":             "\x00ab.txt",
		"readme.txt":          "",
		"README.TXT.":         "",
		"x+y.dll":             "\x00x_y.dll",
		"helper.manifest":     "\x00helper.man",
		"caf\u00e9 tools.dll": "\x00caf_to.dll",
	} {
		k, ok := longShortKey(elem)
		if ok != (want != "") || k != want {
			t.Errorf("longShortKey(%q) = %q, %v; want %q", elem, k, ok, want)
		}
	}
}

// TestAttackShortNameCollision: an archive holding Program Files/x.dll
// and PROGRA~1/x.dll (or Setup Helper.exe and SETUPH~1.EXE) extracts
// them as one file on Windows, where the short name opens the long one's
// file; the Set compared neither. Names that only look alike (another
// stem, another folder, two long names of one stem, 8.3 names that are
// names of their own) are not reported, and a Set for macOS volumes
// does not model short names.
func TestAttackShortNameCollision(t *testing.T) {
	for _, tc := range []struct {
		name    string
		entries []string
		want    []string
	}{
		{"folder alias", []string{"Program Files/x.dll", "PROGRA~1/x.dll"}, []string{"Program Files/x.dll|Program Files/x.dll(false)~PROGRA~1/x.dll(false) on NTFS (Windows) short"}},
		{"alias first", []string{"SETUPH~1.EXE", "Setup Helper.exe"}, []string{"SETUPH~1.EXE|SETUPH~1.EXE(false)~Setup Helper.exe(false) on NTFS (Windows) short"}},
		{"deep", []string{"app/Setup Helper.exe", "APP/setuph~2.exe"}, []string{"app/Setup Helper.exe|app/Setup Helper.exe(false)~APP/setuph~2.exe(false) on NTFS (Windows) short"}},
		{"file and folder", []string{"Program Files/x.dll", "PROGRA~1"}, []string{"Program Files/x.dll|Program Files(true)~PROGRA~1(false) on NTFS (Windows) short"}},
		{"folders merge", []string{"Program Files/x.dll", "PROGRA~1/y.dll"}, nil},
		{"other stem", []string{"Program Files/x.dll", "PROGRE~1/x.dll"}, nil},
		{"other extension", []string{"Setup Helper.exe", "SETUPH~1.DLL"}, nil},
		{"other folder", []string{"a/Setup Helper.exe", "b/SETUPH~1.EXE"}, nil},
		{"two long names", []string{"Program Files/x.dll", "Program Data/x.dll"}, nil},
		{"hashed alias", []string{"Program Files/x.dll", "PRB7F3~1/x.dll"}, []string{"Program Files/x.dll|Program Files/x.dll(false)~PRB7F3~1/x.dll(false) on NTFS (Windows) short"}},
		{"hashed alias file", []string{"Setup Helper Five.exe", "SE0A1F~1.EXE"}, []string{"Setup Helper Five.exe|Setup Helper Five.exe(false)~SE0A1F~1.EXE(false) on NTFS (Windows) short"}},
		{"hashed other prefix", []string{"Program Files/x.dll", "PA1B2C~1/x.dll"}, nil},
		{"hashed other extension", []string{"Setup Helper Five.exe", "SE0A1F~1.DLL"}, nil},
		{"oem alias", []string{"Caf\u00e9 Tools.dll", "CAF\u00c9TO~1.DLL"}, []string{"Caf\u00e9 Tools.dll|Caf\u00e9 Tools.dll(false)~CAF\u00c9TO~1.DLL(false) on NTFS (Windows) short"}},
		{"oem alias underscore", []string{"Caf\u00e9 Tools.dll", "CAF_TO~1.DLL"}, []string{"Caf\u00e9 Tools.dll|Caf\u00e9 Tools.dll(false)~CAF_TO~1.DLL(false) on NTFS (Windows) short"}},
		{"oem other stem", []string{"Caf\u00e9 Tools.dll", "CAF\u00c8TO~1.DLL"}, nil},
		{"dos names", []string{"README.TXT", "README~1.TXT", "readme.tx"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSet(All)
			var got []string
			for _, e := range tc.entries {
				for _, c := range s.Add(strings.TrimSuffix(e, "/"), strings.HasSuffix(e, "/")) {
					g := c.Earlier + "|" + c.EarlierPart + "(" + boolStr(c.EarlierDir) + ")~" + c.Part + "(" + boolStr(c.Dir) + ") on " + c.On.String()
					if c.Short {
						g += " short"
						if m := c.Message("zip", "r.zip", e); !strings.Contains(m, "8.3 short name") {
							t.Errorf("message %q", m)
						}
					}
					got = append(got, g)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			mac := NewSet(Systems(1)<<APFS | Systems(1)<<HFSPlus)
			for _, e := range tc.entries {
				if c := mac.Add(e, false); len(c) != 0 && c[0].Short {
					t.Errorf("macOS set: %v", c)
				}
			}
		})
	}
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// TestFilterShortNames: the entries of a pair of a short and a long name
// are hits; without a short name in the archive, no name is.
func TestFilterShortNames(t *testing.T) {
	names := []string{"Program Files/x.dll", "Program Files/y.dll", "lib/a.dll", "PROGRA~1/x.dll"}
	f := NewFilter(len(names))
	for _, n := range names {
		f.Add(n, false)
	}
	f.Done()
	for i, want := range []bool{true, true, false, true} {
		if got := f.Hit(names[i]); got != want {
			t.Errorf("Hit(%q) = %v, want %v", names[i], got, want)
		}
	}
	g := NewFilter(2)
	g.Add("Program Files/x.dll", false)
	g.Add("lib/a.dll", false)
	g.Done()
	if g.Hit("Program Files/x.dll") || g.Colliding() != 0 {
		t.Error("a long name is a hit in an archive without short names")
	}
}
