package verify

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/foldname"
)

// A zip archive walked a chunk of its central directory at a time gives
// the report the whole reader gives, findings across chunks included
// (duplicate names, overlapping data, local headers that disagree).
func TestZipChunkedWalkMatchesWhole(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	var es []zipEntry
	for i := 0; i < 40; i++ {
		es = append(es, zipEntry{name: fmt.Sprintf("lib/f%02d.js", i), data: []byte(fmt.Sprint(i)), store: i%2 == 0})
	}
	es = append(es,
		zipEntry{name: "bin/app.exe", data: f.peValid, store: true},
		zipEntry{name: "bin/codec.dll", data: f.peUnsigned},
		zipEntry{name: "lib/f03.js", data: []byte("again")},
		zipEntry{name: "../evil.dll", data: f.peUnsigned},
		zipEntry{name: "bin/link", data: []byte("../../etc"), mode: os.ModeSymlink | 0o777},
		zipEntry{name: "dir/", data: nil},
	)
	z := makeZip(t, es)
	// A local header that names its entry otherwise.
	if i := bytes.Index(z, []byte("lib/f07.js")); i > 0 {
		copy(z[i:], "lib/x07.js")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "release.zip")
	os.WriteFile(p, z, 0o644)

	whole := run(t, Options{Policy: requireValid()}, p)
	chunked := run(t, Options{Policy: requireValid(), hooks: testHooks{zipChunkLen: 7}}, p)
	a, _ := json.MarshalIndent(whole, "", " ")
	b, _ := json.MarshalIndent(chunked, "", " ")
	if !bytes.Equal(a, b) {
		t.Errorf("chunked walk differs:\nwhole:\n%s\nchunked:\n%s", a, b)
	}
	if len(whole.Files) < 40 || len(rulesFor(whole, "lib/f03.js")) == 0 || len(rulesFor(whole, "lib/f07.js")) == 0 {
		t.Errorf("the archive lacks the findings it is made to have: %+v", whole.Findings)
	}
}

// TestZipChunkedWalkReportsTrailingData: the chunked walk reports bytes
// after the end record as the whole reader does, and a ZIP64 archive is
// walked in chunks with the same report as whole.
func TestZipChunkedWalkReportsTrailingData(t *testing.T) {
	t.Parallel()
	var es []zipEntry
	for i := 0; i < 40; i++ {
		es = append(es, zipEntry{name: fmt.Sprintf("lib/f%02d.js", i), data: []byte(fmt.Sprint(i)), store: i%3 == 0})
	}
	z := makeZip(t, es)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"trailing.zip": append(append([]byte(nil), z...), "appended payload"...), "zip64.zip": toZip64(t, z, 0)})
	for _, name := range []string{"trailing.zip", "zip64.zip"} {
		p := filepath.Join(dir, name)
		whole := run(t, Options{}, p)
		chunked := run(t, Options{hooks: testHooks{zipChunkLen: 7}}, p)
		a, _ := json.MarshalIndent(whole, "", " ")
		b, _ := json.MarshalIndent(chunked, "", " ")
		if !bytes.Equal(a, b) {
			t.Errorf("%s: chunked walk differs:\nwhole:\n%s\nchunked:\n%s", name, a, b)
		}
		if len(whole.Files) != 40 {
			t.Errorf("%s: %d files", name, len(whole.Files))
		}
		if got := zipFindings(whole, name, ruleZipTrailing); (name == "trailing.zip") != (len(got) == 1) {
			t.Errorf("%s: %+v", name, whole.Findings)
		}
	}
}

// TestPathArenaKeepsEarlierPaths checks that the paths a pathArena returned
// stay as they were while it fills block after block, one path longer
// than a block included.
func TestPathArenaKeepsEarlierPaths(t *testing.T) {
	t.Parallel()
	var a pathArena
	var want, got []string
	for i := 0; i < 20000; i++ {
		s := fmt.Sprintf("node_modules/pkg%04d/lib/file%07d.js", i/300, i)
		if i == 7777 {
			s = strings.Repeat("d/", pathBlock)
		}
		want = append(want, s)
		got = append(got, a.copy(s))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("path %d is %.40q, want %.40q", i, got[i], want[i])
		}
	}
}

// TestZipDuplicateHashNeedsSameName: the walk reports a duplicate entry
// only for two entries of the same name, never for two names whose hashes
// zipDuplicates put together (a collision is made up here by marking every
// name's hash).
func TestZipDuplicateHashNeedsSameName(t *testing.T) {
	t.Parallel()
	z := makeZip(t, []zipEntry{{name: "a.js", data: []byte("1")}, {name: "b.js", data: []byte("2")}, {name: "a.js", data: []byte("3")}})
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	e, err := newEngine(context.Background(), Options{Trust: getFixtures(t).trust, Time: checkTime})
	if err != nil {
		t.Fatal(err)
	}
	ff := foldname.NewFilter(len(zr.File))
	recs := zipRecords(zr, int64(len(z)), ff)
	zc := e.newZipChecks(recs, ff, bytes.NewReader(z), int64(len(z)), "", "")
	zc.MayRepeat = func(string) bool { return true } // every name's hash repeated
	e.zipChunkEntries(zc, zr, 0, bytes.NewReader(z), int64(len(z)), "", 0, newRef(func() {}), nil, nil, zr, func(j *job) { j.finish() })
	var dups []string
	for _, f := range e.findings {
		if f.Rule == ruleDuplicateEntry {
			dups = append(dups, f.Path)
		}
	}
	if len(dups) != 1 || dups[0] != "a.js" {
		t.Errorf("duplicate-entry findings on %q, want one on a.js", dups)
	}
}
