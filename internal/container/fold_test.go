package container

import (
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/nsis"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/sevenz"
)

// collisions returns the report paths of w's file/name-collision findings.
func collisions(w *walked) []string {
	var out []string
	for _, f := range w.finds {
		if p, ok := strings.CutPrefix(f, string(release.RuleNameCollision)+" "); ok {
			out = append(out, p)
		}
	}
	return out
}

// TestCabinetNameCollision: a cabinet's files are installed on Windows,
// so names one there collide (case, trailing dots and spaces, a file and
// a folder) and names only macOS folds (NFC and NFD) do not.
func TestCabinetNameCollision(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
		want  []string
	}{
		{"distinct", []string{`app\a.dll`, `app\b.dll`, "caf\u00e9", "cafe\u0301", `lib\x`, "libx"}, nil},
		{"case", []string{`app\App.dll`, `app\app.dll`}, []string{"setup.cab/app/app.dll"}},
		{"windows trailing dot", []string{`app\foo.dll`, `app\foo.dll.`}, []string{"setup.cab/app/foo.dll."}},
		{"windows trailing space", []string{`app\foo.dll `, `App\FOO.dll`}, []string{"setup.cab/App/FOO.dll"}},
		{"file versus folder", []string{"Lib", `lib\foo.dll`, `lib\bar.dll`}, []string{"setup.cab/lib/foo.dll"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fs []cab.BuildFile
			for i, n := range tc.files {
				fs = append(fs, cab.BuildFile{Name: n, Data: []byte{byte('0' + i)}})
			}
			w := walkAll(t, CAB, cab.Build(fs, cab.BuildOptions{}), "setup.cab", nil, 0)
			if got := collisions(w); !slices.Equal(got, tc.want) {
				t.Errorf("collisions %q, want %q; findings %q", got, tc.want, w.finds)
			}
		})
	}
}

// TestSevenZipNameCollision: a 7-Zip archive may be extracted anywhere:
// names one on any of APFS, HFS+ and NTFS collide.
func TestSevenZipNameCollision(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
		want  []string
	}{
		{"distinct", []string{`app\a.dll`, `app\b.dll`, "\u65e5\u672c", `lib\x`, "libx"}, nil},
		{"nfc and nfd", []string{"caf\u00e9", "cafe\u0301"}, []string{"app.7z/cafe\u0301"}},
		{"hfs+ ignorable", []string{"lib\u200dfoo.dylib", "libfoo.dylib"}, []string{"app.7z/libfoo.dylib"}},
		{"windows trailing dot", []string{"foo.dll", "foo.dll."}, []string{"app.7z/foo.dll."}},
		{"folder versus file", []string{`lib\foo.dll`, "Lib"}, []string{"app.7z/Lib"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fs []sevenz.BuildFile
			for i, n := range tc.files {
				fs = append(fs, sevenz.BuildFile{Name: n, Data: []byte{byte('0' + i)}})
			}
			w := walkAll(t, SevenZip, sevenz.Build(fs), "app.7z", nil, 0)
			if got := collisions(w); !slices.Equal(got, tc.want) {
				t.Errorf("collisions %q, want %q; findings %q", got, tc.want, w.finds)
			}
		})
	}
}

// TestNSISNameCollision: an NSIS installer extracts to Windows, so the
// names it extracts to that are one file on NTFS collide (case, trailing
// dots and spaces, a file and a folder), and names only macOS folds (NFC
// and NFD, HFS+'s ignorable characters) do not.
func TestNSISNameCollision(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
		want  []string
	}{
		{"distinct", []string{`$INSTDIR\a.dll`, `$INSTDIR\b.dll`, "$INSTDIR\\caf\u00e9", "$INSTDIR\\cafe\u0301", "$INSTDIR\\lib\u200dfoo.dll", `$INSTDIR\libfoo.dll`, `$PLUGINSDIR\a.dll`}, nil},
		{"case", []string{`$INSTDIR\App.dll`, `$INSTDIR\app.dll`}, []string{"Setup.exe/$INSTDIR/app.dll"}},
		{"windows trailing dot", []string{`$INSTDIR\foo.dll`, `$INSTDIR\FOO.dll.`}, []string{"Setup.exe/$INSTDIR/FOO.dll."}},
		{"file versus folder", []string{`$INSTDIR\Lib`, `$INSTDIR\lib\foo.dll`}, []string{"Setup.exe/$INSTDIR/lib/foo.dll"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fs []nsis.BuildFile
			for i, n := range tc.files {
				fs = append(fs, nsis.BuildFile{Name: n, Data: []byte{'M', 'Z', byte('0' + i)}})
			}
			w := walkAll(t, NSIS, nsis.Stub(stubPE(t), nsis.Build(fs, nsis.BuildOptions{Deflate: true})), "Setup.exe", nil, 0)
			if got := collisions(w); !slices.Equal(got, tc.want) {
				t.Errorf("collisions %q, want %q; findings %q", got, tc.want, w.finds)
			}
		})
	}
}
