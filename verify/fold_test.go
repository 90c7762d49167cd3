package verify

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/foldname"
	"github.com/shipgate/shipgate/internal/walk"
	"github.com/shipgate/shipgate/signing"
)

// foldCase is an archive's entries and the entries that must carry a
// file/name-collision finding (none for a passing case).
type foldCase struct {
	name  string
	files []string
	want  []string
}

var foldCases = []foldCase{
	{"distinct names", []string{"a/b", "a-b", "a/c", "lib/x", "libx"}, nil},
	{"exact duplicate", []string{"a.dll", "a.dll"}, nil},
	{"case", []string{"resources/App.dll", "resources/app.dll"}, []string{"resources/app.dll"}},
	{"nfc nfd", []string{"caf\u00e9.js", "cafe\u0301.js"}, []string{"cafe\u0301.js"}},
	{"case in a directory", []string{"Lib/x", "lib/x"}, []string{"lib/x"}},
	{"case and normalization", []string{"CAF\u00c9/a", "cafe\u0301/a"}, []string{"cafe\u0301/a"}},
	{"full case folding", []string{"stra\u00dfe.txt", "STRASSE.txt"}, []string{"STRASSE.txt"}},
	// The third is an exact duplicate of the second: reported as such,
	// not a second time as a collision.
	{"collision then duplicate", []string{"A.dll", "a.dll", "a.dll"}, []string{"a.dll"}},
	// Names distinct on every file system, Unicode that folds nothing.
	{"distinct unicode", []string{"\u65e5\u672c.txt", "\u65e5\u672c\u8a9e.txt", "\u00e9", "\u00e8", "\u2163", "iv", ".a", "a", "a.b", "ab"}, nil},
	// Only HFS+ sees these.
	{"hfs+ ignorable zero width joiner", []string{"lib\u200dfoo.dylib", "libfoo.dylib"}, []string{"libfoo.dylib"}},
	{"hfs+ georgian capital", []string{"\u10a0.dylib", "\u10d0.dylib"}, []string{"\u10d0.dylib"}},
	// Only Windows sees these.
	{"windows trailing dot", []string{"app/foo.dll", "app/foo.dll."}, []string{"app/foo.dll."}},
	{"windows trailing space", []string{"app/foo.dll ", "app/FOO.dll"}, []string{"app/FOO.dll"}},
	{"windows trailing dot folder", []string{"bin/x.dll", "bin./x.dll"}, []string{"bin./x.dll"}},
	// Only APFS and HFS+: NTFS's table maps nothing beyond the BMP.
	{"deseret beyond the bmp", []string{"\U00010400", "\U00010428"}, []string{"\U00010428"}},
	// A file and a folder of one name: reported once, on the later entry.
	{"file then folder", []string{"A", "a/x", "a/y"}, []string{"a/x"}},
	{"folder then file", []string{"lib/foo.dll", "lib/bar.dll", "Lib"}, []string{"Lib"}},
	{"file and folder of one spelling", []string{"lib", "lib/foo.dll"}, []string{"lib/foo.dll"}},
	{"file and windows folder", []string{"bin", "bin./foo.dll"}, []string{"bin./foo.dll"}},
	// 8.3 short names: PROGRA~1 opens Program Files on Windows; two long
	// names of one stem, or a short name of another stem, are apart.
	{"windows short folder name", []string{"Program Files/app.dll", "PROGRA~1/app.dll"}, []string{"PROGRA~1/app.dll"}},
	{"windows short file name", []string{"SETUPH~1.EXE", "app/x", "Setup Helper.exe"}, []string{"Setup Helper.exe"}},
	{"short names apart", []string{"Program Files/app.dll", "Program Data/app.dll", "PROGRE~1/app.dll", "PROGRA~1/other.dll"}, nil},
}

// collisions returns the paths of r's file/name-collision findings, each a
// warning, and how many there are.
func collisions(t *testing.T, r *Report) map[string]int {
	t.Helper()
	got := map[string]int{}
	for _, f := range r.Findings {
		if f.Rule == ruleNameCollision {
			if f.Severity != signing.SeverityWarning {
				t.Errorf("%s: severity %v, want warning", f.Path, f.Severity)
			}
			got[f.Path]++
		}
	}
	return got
}

func checkCollisions(t *testing.T, r *Report, prefix string, c foldCase) {
	t.Helper()
	got := collisions(t, r)
	want := map[string]int{}
	for _, w := range c.want {
		want[prefix+w]++
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("name-collision findings %v, want %v; all: %+v", got, want, r.Findings)
	}
	// An exact duplicate keeps its one duplicate-entry finding.
	dups := 0
	for _, f := range r.Findings {
		if f.Rule == ruleDuplicateEntry {
			dups++
		}
	}
	seen, wantDups := map[string]bool{}, 0
	for _, n := range c.files {
		if seen[n] {
			wantDups++
		}
		seen[n] = true
	}
	if dups != wantDups {
		t.Errorf("%d duplicate-entry findings, want %d: %+v", dups, wantDups, r.Findings)
	}
}

// TestZipNameCollision: zip entries whose names differ only in case or
// Unicode normalization are one file on Windows and macOS, whether the
// archive is read whole or a chunk of its directory at a time.
func TestZipNameCollision(t *testing.T) {
	t.Parallel()
	for _, chunk := range []int{walk.ZipChunkLen, 2} {
		for _, c := range foldCases {
			t.Run(fmt.Sprintf("%s/chunk%d", c.name, chunk), func(t *testing.T) {
				var es []zipEntry
				for i, n := range c.files {
					es = append(es, zipEntry{name: n, data: []byte(fmt.Sprint(i))})
				}
				dir := t.TempDir()
				writeTree(t, dir, map[string][]byte{"x.zip": makeZip(t, es)})
				checkCollisions(t, run(t, Options{hooks: testHooks{zipChunkLen: chunk}}, dir), "x.zip/", c)
			})
		}
	}
}

// TestZipNameCollisionAsInput: a zip given as the input reports its
// colliding entries at their own paths.
func TestZipNameCollisionAsInput(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "r.zip")
	writeTree(t, filepath.Dir(p), map[string][]byte{"r.zip": makeZip(t, []zipEntry{{name: "Lib/x", data: []byte("1")}, {name: "lib/x", data: []byte("2")}})})
	checkCollisions(t, run(t, Options{}, p), "", foldCase{files: []string{"Lib/x", "lib/x"}, want: []string{"lib/x"}})
}

// TestTarNameCollision: the same for tarballs; directory entries, which
// extractors merge, are not reported.
func TestTarNameCollision(t *testing.T) {
	t.Parallel()
	cases := append(foldCases, foldCase{"directories", []string{"Lib/", "lib/"}, nil})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var es []tarEntry
			for i, n := range c.files {
				e := tarEntry{name: n, data: []byte(fmt.Sprint(i))}
				if n[len(n)-1] == '/' {
					e = tarEntry{name: n, typ: tar.TypeDir}
				}
				es = append(es, e)
			}
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"x.tar": makeTar(t, es...)})
			checkCollisions(t, run(t, Options{}, dir), "x.tar/", c)
		})
	}
}

// TestFoldNameASCIILowerDoesNotAllocate: the zip pre-pass folds every
// name; most are lower-case ASCII and cost no allocation.
func TestFoldNameASCIILowerDoesNotAllocate(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { foldName("lib/node_modules/x/index.js") }); n != 0 {
		t.Errorf("%v allocations", n)
	}
	if foldName("Caf\u00e9") != foldName("cafe\u0301") {
		t.Error("NFC and NFD fold apart")
	}
}

// BenchmarkZipPrePass measures the records and duplicate pre-pass of a
// zip archive of 100,000 entries in mixed case (as a jar's classes are),
// which fold for the name-collision check:
//
//	go test ./verify -run '^$' -bench ZipPrePass -benchmem
func BenchmarkZipPrePass(b *testing.B) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i < 100_000; i++ {
		if _, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("com/Example/Pkg%04d/Class%07d.class", i/300, i), Method: zip.Store}); err != nil {
			b.Fatal(err)
		}
	}
	zw.Close()
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		ff := foldname.NewFilter(len(zr.File))
		recs := zipRecords(zr, int64(buf.Len()), ff)
		ff.Done()
		if len(zipDuplicates(recs))+ff.Colliding() != 0 {
			b.Fatal("duplicates")
		}
	}
}

// collisionMessages returns the messages of r's file/name-collision
// findings.
func collisionMessages(r *Report) []string {
	var ms []string
	for _, f := range r.Findings {
		if f.Rule == ruleNameCollision {
			ms = append(ms, f.Path+": "+f.Message)
		}
	}
	return ms
}

// wantCollision checks that r has one file/name-collision finding, on the
// entry at, whose message holds each of parts.
func wantCollision(t *testing.T, r *Report, at string, parts ...string) {
	t.Helper()
	ms := collisionMessages(r)
	if len(ms) != 1 || !strings.HasPrefix(ms[0], at+": ") {
		t.Fatalf("collision findings %q, want one on %s", ms, at)
	}
	for _, p := range parts {
		if !strings.Contains(ms[0], p) {
			t.Errorf("message %q lacks %q", ms[0], p)
		}
	}
}

// TestAttackZipWindowsTrailingDot: "foo.dll." is written as "foo.dll" by
// Windows, over the signed file checked under that name; macOS keeps both.
func TestAttackZipWindowsTrailingDot(t *testing.T) {
	t.Parallel()
	p := writeFile(t, filepath.Join(t.TempDir(), "r.zip"), makeZip(t, []zipEntry{{name: "app/foo.dll", data: []byte("1")}, {name: "app/foo.dll.", data: []byte("2")}}))
	wantCollision(t, run(t, Options{}, p), "app/foo.dll.", `"app/foo.dll" and "app/foo.dll."`, "one file on NTFS (Windows)")
}

// TestAttackZipHFSPlusIgnorable: a U+200D in a name that HFS+ ignores
// (APFS and Windows keep the two apart).
func TestAttackZipHFSPlusIgnorable(t *testing.T) {
	t.Parallel()
	p := writeFile(t, filepath.Join(t.TempDir(), "r.zip"), makeZip(t, []zipEntry{{name: "lib\u200dfoo.dylib", data: []byte("1")}, {name: "libfoo.dylib", data: []byte("2")}}))
	wantCollision(t, run(t, Options{}, p), "libfoo.dylib", `"lib\u200dfoo.dylib" and "libfoo.dylib"`, "one file on HFS+ (")
}

// TestAttackZipFileVersusFolder: a file "Lib" and a folder "lib" (that
// "lib/foo.dll" needs) cannot both be extracted on a case-insensitive
// system: which one is depends on the order and the extractor.
func TestAttackZipFileVersusFolder(t *testing.T) {
	t.Parallel()
	p := writeFile(t, filepath.Join(t.TempDir(), "r.zip"), makeZip(t, []zipEntry{{name: "Lib", data: []byte("1")}, {name: "lib/foo.dll", data: []byte("2")}, {name: "lib/bar.dll", data: []byte("3")}}))
	wantCollision(t, run(t, Options{}, p), "lib/foo.dll", `"Lib" and "lib/foo.dll"`, `file "Lib" and folder "lib" (of "lib/foo.dll")`, "on APFS, HFS+ and NTFS (Windows)")
}

// TestAttackZipFolderEntryVersusFile: the same with a folder entry first.
func TestAttackZipFolderEntryVersusFile(t *testing.T) {
	t.Parallel()
	p := writeFile(t, filepath.Join(t.TempDir(), "r.zip"), makeZip(t, []zipEntry{{name: "Lib/"}, {name: "lib", data: []byte("1")}}))
	wantCollision(t, run(t, Options{}, p), "lib", `"Lib" and "lib"`, `folder "Lib" and file "lib"`)
}

// TestZipFoldersMerge: folder entries and implied folders of one name in
// different case are one folder to every extractor: no finding.
func TestZipFoldersMerge(t *testing.T) {
	t.Parallel()
	p := writeFile(t, filepath.Join(t.TempDir(), "r.zip"), makeZip(t, []zipEntry{{name: "Lib/"}, {name: "lib/"}, {name: "LIB/x", data: []byte("1")}, {name: "lib/y", data: []byte("2")}}))
	if ms := collisionMessages(run(t, Options{}, p)); ms != nil {
		t.Errorf("findings %q", ms)
	}
}

// TestAttackTarFileVersusFolder: a tarball's file "A" and folder "a/"
// (which extractors create before "a/x").
func TestAttackTarFileVersusFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"x.tar": makeTar(t, tarEntry{name: "A", data: []byte("1")}, tarEntry{name: "a/", typ: tar.TypeDir}, tarEntry{name: "a/x", data: []byte("2")})})
	wantCollision(t, run(t, Options{}, dir), "x.tar/a", `"A" and "a"`, `file "A" and folder "a"`, "on APFS, HFS+ and NTFS (Windows)")
}

// TestAttackTarWindowsTrailingSpace: "setup.exe " is "setup.exe" on
// Windows.
func TestAttackTarWindowsTrailingSpace(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"x.tar": makeTar(t, tarEntry{name: "setup.exe", data: []byte("1")}, tarEntry{name: "setup.exe ", data: []byte("2")})})
	wantCollision(t, run(t, Options{}, dir), "x.tar/setup.exe ", `"setup.exe" and "setup.exe "`, "one file on NTFS (Windows)")
}

// TestZipCollisionOrder: two runs report the same findings in the same
// order, each naming the earlier entry first.
func TestZipCollisionOrder(t *testing.T) {
	t.Parallel()
	es := []zipEntry{{name: "\u03bc", data: []byte("1")}, {name: "\u039c", data: []byte("2")}, {name: "\u00b5", data: []byte("3")}, {name: "B", data: []byte("4")}, {name: "b/x", data: []byte("5")}}
	p := writeFile(t, filepath.Join(t.TempDir(), "r.zip"), makeZip(t, es))
	a, b := collisionMessages(run(t, Options{}, p)), collisionMessages(run(t, Options{}, p))
	if fmt.Sprint(a) != fmt.Sprint(b) || len(a) != 3 {
		t.Fatalf("runs differ or miss findings:\n%q\n%q", a, b)
	}
	if !strings.Contains(a[0]+a[1]+a[2], "holds entries \"\u03bc\" and \"\u00b5\", which are one file on APFS and NTFS (Windows)") {
		t.Errorf("messages %q", a)
	}
}

// TestAttackZipNTFSDefaultStream: Windows opens "foo.dll::$DATA" as
// foo.dll's own data (its unnamed stream), so an extractor that hands the
// entry's name to CreateFile writes it over the foo.dll checked under
// that name; the names differed, and the extension ".dll::$DATA" matched
// no rule for *.dll. A named stream ("foo.dll:x") is no such file.
func TestAttackZipNTFSDefaultStream(t *testing.T) {
	t.Parallel()
	p := writeFile(t, filepath.Join(t.TempDir(), "r.zip"), makeZip(t, []zipEntry{{name: "app/foo.dll", data: []byte("1")}, {name: "app/Foo.dll::$DATA", data: []byte("2")}, {name: "app/foo.dll:x", data: []byte("3")}}))
	wantCollision(t, run(t, Options{}, p), "app/Foo.dll::$DATA", `"app/foo.dll" and "app/Foo.dll::$DATA"`, "one file on NTFS (Windows)")
	p = writeFile(t, filepath.Join(t.TempDir(), "d.zip"), makeZip(t, []zipEntry{{name: "lib/x.dll", data: []byte("1")}, {name: "lib::$INDEX_ALLOCATION/X.dll", data: []byte("2")}}))
	wantCollision(t, run(t, Options{}, p), "lib::$INDEX_ALLOCATION/X.dll", "one file on NTFS (Windows)")
}

// TestAttackZipCP437NameCollision: a zip entry without the UTF-8 flag is
// named in code page 437 to Windows extractors, which Go's reader does not
// decode: "caf\x82.dll" is café.dll, one file with CAFÉ.DLL (and was
// refused as an invalid path, unchecked), and "é.dll" written without the
// flag is "├⌐.dll", a duplicate of the entry so named. Both pairs were
// compared by their bytes and passed as distinct names. Flagged names,
// and names in code page 437 that are apart once decoded, are not
// reported.
func TestAttackZipCP437NameCollision(t *testing.T) {
	t.Parallel()
	type ent struct {
		name  string
		cp437 bool
	}
	build := func(es ...ent) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for i, e := range es {
			w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, NonUTF8: e.cp437, Method: zip.Store})
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprint(w, i)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	for _, tc := range []struct {
		name    string
		entries []ent
		want    string // the finding, "rule path", "" for none
	}{
		{"cp437 byte", []ent{{"lib/caf\x82.dll", true}, {"lib/CAF\u00c9.DLL", false}}, "file/name-collision lib/CAF\u00c9.DLL"},
		{"utf-8 bytes read as cp437", []ent{{"lib/\u251c\u2310.dll", false}, {"lib/\u00e9.dll", true}}, "file/duplicate-entry lib/\u00e9.dll"},
		{"utf-8 flagged", []ent{{"lib/\u00e9.dll", false}, {"lib/\u251c\u2310.dll", false}}, ""},
		{"cp437 apart", []ent{{"lib/caf\x82.dll", true}, {"lib/caf\x8a.dll", true}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, filepath.Join(t.TempDir(), "r.zip"), build(tc.entries...))
			var got []string
			for _, f := range run(t, Options{}, p).Findings {
				got = append(got, string(f.Rule)+" "+f.Path)
			}
			if strings.Join(got, ",") != tc.want {
				t.Errorf("findings %q, want %q", got, tc.want)
			}
		})
	}
}
