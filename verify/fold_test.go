package verify

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

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
	for _, chunk := range []int{zipChunkLen, 2} {
		for _, c := range foldCases {
			t.Run(fmt.Sprintf("%s/chunk%d", c.name, chunk), func(t *testing.T) {
				defer func(n int) { zipChunkLen = n }(zipChunkLen)
				zipChunkLen = chunk
				var es []zipEntry
				for i, n := range c.files {
					es = append(es, zipEntry{name: n, data: []byte(fmt.Sprint(i))})
				}
				dir := t.TempDir()
				writeTree(t, dir, map[string][]byte{"x.zip": makeZip(t, es)})
				checkCollisions(t, run(t, Options{}, dir), "x.zip/", c)
			})
		}
	}
}

// TestZipNameCollisionAsInput: a zip given as the input reports its
// colliding entries at their own paths.
func TestZipNameCollisionAsInput(t *testing.T) {
	p := filepath.Join(t.TempDir(), "r.zip")
	writeTree(t, filepath.Dir(p), map[string][]byte{"r.zip": makeZip(t, []zipEntry{{name: "Lib/x", data: []byte("1")}, {name: "lib/x", data: []byte("2")}})})
	checkCollisions(t, run(t, Options{}, p), "", foldCase{files: []string{"Lib/x", "lib/x"}, want: []string{"lib/x"}})
}

// TestTarNameCollision: the same for tarballs; directory entries, which
// extractors merge, are not reported.
func TestTarNameCollision(t *testing.T) {
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

// TestZipFoldHash: the hash the zip pre-pass keeps of a folded name is
// that of foldName, and costs no allocation for an ASCII name in any case.
func TestZipFoldHash(t *testing.T) {
	long := strings.Repeat("Com/Example/", 30) + "Main.class"
	for _, n := range []string{"", "a", "App.DLL", long, "caf\u00e9/X", "CAFE\u0301"} {
		if got, want := zipFoldHash(n), zipNameHash(foldName(n)); got != want {
			t.Errorf("zipFoldHash(%q) = %x, want %x", n, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { zipFoldHash(long) }); n != 0 {
		t.Errorf("%v allocations", n)
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
		recs := zipRecords(zr, int64(buf.Len()))
		if d, f := zipDuplicates(recs); len(d)+len(f) != 0 {
			b.Fatal("duplicates")
		}
	}
}
