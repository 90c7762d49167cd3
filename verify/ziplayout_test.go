package verify

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// toZip64 rewrites the end of the zip archive z (no comment; its offsets
// count base bytes before it) in ZIP64 form: a ZIP64 end record where
// the end record was, its locator, and an end record whose fields say
// "see ZIP64".
func toZip64(t *testing.T, z []byte, base int64) []byte {
	t.Helper()
	out, err := pefixtures.Zip64(z, base)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// zipFindings returns the findings of rule at path p.
func zipFindings(r *Report, p string, rule signing.Rule) []signing.Finding {
	var out []signing.Finding
	for _, f := range r.Findings {
		if f.Path == p && f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

// TestZipTrailingDataAfterEndRecord: bytes after a zip archive's end
// record and its declared comment belong to nothing and are reported with
// their offset and size (an input zip, a zip in a release, a ZIP64 archive,
// an empty archive's end record appended, data after a self-extractor's
// zip); a comment is declared and passes, as does a signed self-extractor
// whose archive ends at its certificate table's alignment.
func TestZipTrailingDataAfterEndRecord(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	z := makeZip(t, []zipEntry{{name: "a.txt", data: []byte("hello")}, {name: "b.dll", data: f.peValid, store: true}})
	commented := append([]byte(nil), z...)
	binary.LittleEndian.PutUint16(commented[len(z)-2:], 11)
	commented = append(commented, "hello world"...)
	junk := []byte("payload the directory does not list")
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	for _, tc := range []struct {
		name string
		b    []byte
		at   int // offset of the unowned bytes, -1 when none
	}{
		{"none", z, -1},
		{"comment", commented, -1},
		{"after the end record", cat(z, junk), len(z)},
		{"after the comment", cat(commented, junk), len(commented)},
		{"empty end record appended", cat(z, []byte("PK\x05\x06"+strings.Repeat("\x00", 18))), len(z)},
		{"after a ZIP64 end record", cat(toZip64(t, z, 0), junk), len(toZip64(t, z, 0))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"x.zip": tc.b, "data.bin": cat([]byte("junk before the archive "), tc.b)})
			for _, in := range []struct{ path, at, entries string }{{filepath.Join(dir, "x.zip"), "x.zip", ""}, {dir, "x.zip", "x.zip"}, {dir, "data.bin", "data.bin"}} {
				r := run(t, Options{Policy: requireValid()}, in.path)
				got := zipFindings(r, in.at, ruleZipTrailing)
				if tc.at < 0 {
					if len(got) != 0 || !r.Summary.Passed {
						t.Errorf("%s in %s: %v", in.at, in.path, r.Findings)
					}
					continue
				}
				want := int64(tc.at)
				if in.at == "data.bin" {
					want += int64(len("junk before the archive "))
				}
				if len(got) != 1 || got[0].Severity != signing.SeverityError || got[0].Offset == nil || *got[0].Offset != want {
					t.Errorf("%s in %s: want one error at offset %d, got %+v", in.at, in.path, want, got)
				}
				if fileByPath(r, joinPath(in.entries, "b.dll")) == nil {
					t.Errorf("%s in %s: the archive's entries were not checked", in.at, in.path)
				}
			}
		})
	}
}

// TestZipGapBeforeEndRecord: bytes between the central directory and the
// end record (which archive/zip passes over when the directory is at its
// recorded offset) are reported; so are bytes between a ZIP64 end record
// and its locator.
func TestZipGapBeforeEndRecord(t *testing.T) {
	t.Parallel()
	z := makeZip(t, []zipEntry{{name: "a.txt", data: []byte("hello")}})
	eocd := len(z) - eocdLen
	junk := []byte("hidden between the directory and the end record")
	gap := append(append(append([]byte(nil), z[:eocd]...), junk...), z[eocd:]...)
	z64 := toZip64(t, z, 0)
	loc := len(z64) - eocdLen - 20
	// The ZIP64 record keeps its 44 bytes; the junk follows it.
	gap64 := append(append(append([]byte(nil), z64[:loc]...), junk...), z64[loc:]...)
	for name, tc := range map[string]struct {
		b  []byte
		at int
	}{
		"directory": {gap, eocd},
		"zip64":     {gap64, loc},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"x.zip": tc.b})
			r := run(t, Options{}, filepath.Join(dir, "x.zip"))
			got := zipFindings(r, "x.zip", ruleZipTrailing)
			if len(got) != 1 || got[0].Offset == nil || *got[0].Offset != int64(tc.at) {
				t.Errorf("want one finding at offset %d, got %+v (all: %v)", tc.at, got, r.Findings)
			}
			if fileByPath(r, "a.txt") == nil {
				t.Errorf("entries not checked")
			}
		})
	}
}

// TestZip64WithPrependedData: a ZIP64 archive after other data (a junk
// prefix, a self-extractor's PE stub), its offsets adjusted to the file or
// not, is opened like any zip: its entries are verified and the file is
// not reported malformed. Given alone, in a release, and as an input zip.
func TestZip64WithPrependedData(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	entries := []zipEntry{{name: "bin/ffmpeg.dll", data: f.peTampered}, {name: "bin/ok.dll", data: f.peValid, store: true}}
	junk := bytes.Repeat([]byte("not a zip header; "), 100)
	for _, prefix := range []struct {
		name string
		b    []byte
	}{{"junk", junk}, {"pe stub", f.peUnsigned}} {
		for _, adjust := range []bool{false, true} {
			t.Run(prefix.name+map[bool]string{false: " unadjusted", true: " adjusted"}[adjust], func(t *testing.T) {
				base := int64(0)
				if adjust {
					base = int64(len(prefix.b))
				}
				z := toZip64(t, zipAt(t, len(prefix.b), adjust, entries), base)
				b := append(append([]byte(nil), prefix.b...), z...)
				dir := t.TempDir()
				writeTree(t, dir, map[string][]byte{"data.bin": b})
				for _, in := range []string{dir, filepath.Join(dir, "data.bin")} {
					r := mustFail(t, Options{Policy: requireValid()}, "data.bin/bin/ffmpeg.dll", digestMismatch, in)
					if p := fileByPath(r, "data.bin/bin/ok.dll"); p == nil || len(rulesFor(r, "data.bin/bin/ok.dll")) != 0 {
						t.Errorf("ok.dll: %+v %v", p, rulesFor(r, "data.bin/bin/ok.dll"))
					}
					for _, rule := range []signing.Rule{ruleMalformed, ruleZipInvalid, ruleZipTrailing, ruleZipUnlisted} {
						if got := zipFindings(r, "data.bin", rule); len(got) != 0 {
							t.Errorf("data.bin: %v", got)
						}
					}
				}
			})
		}
	}
	// Without a prefix, as an input zip: it passes when its entries do.
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"x.zip": toZip64(t, makeZip(t, entries[1:]), 0)})
	if r := run(t, Options{Policy: requireValid()}, filepath.Join(dir, "x.zip")); !r.Summary.Passed || fileByPath(r, "bin/ok.dll") == nil {
		t.Errorf("plain ZIP64: %v", r.Findings)
	}
}

// TestZip64LocatorPointsToGarbage: a ZIP64 locator that points where no
// ZIP64 end record is (and none ends at the locator) is a malformed
// archive, reported with the locator's offset, and never a failed run; a
// locator that points to one record while another ends at the locator is
// an archive two extractors read two ways.
func TestZip64LocatorPointsToGarbage(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	z64 := toZip64(t, makeZip(t, []zipEntry{{name: "a.dll", data: f.peValid}}), 0)
	loc := len(z64) - eocdLen - 20
	rec := loc - 56
	garbage := append([]byte(nil), z64...)
	copy(garbage[rec:], "XXXX") // no record where the locator points, nor before it
	// Another record, a copy, in data before the archive, which the
	// locator points to.
	prefix := append([]byte("data before "), z64[rec:loc]...)
	twin := append(append([]byte(nil), prefix...), z64...)
	binary.LittleEndian.PutUint64(twin[len(prefix)+loc+8:], uint64(len("data before ")))

	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"x.zip": garbage, "rel/data.bin": append([]byte("prefix "), garbage...), "twin/data.bin": twin})
	r := run(t, Options{}, filepath.Join(dir, "x.zip"))
	if got := zipFindings(r, "x.zip", ruleMalformed); len(got) != 1 || got[0].Offset == nil || *got[0].Offset != int64(loc) || !strings.Contains(got[0].Message, "ZIP64") {
		t.Errorf("x.zip: want file/malformed at the locator (%d), got %+v", loc, r.Findings)
	}
	r = run(t, Options{}, filepath.Join(dir, "rel"))
	if got := zipFindings(r, "data.bin", ruleMalformed); len(got) != 1 || got[0].Offset == nil || *got[0].Offset != int64(loc+len("prefix ")) {
		t.Errorf("data.bin: want file/malformed at the locator, got %+v", r.Findings)
	}
	r = run(t, Options{}, filepath.Join(dir, "twin"))
	if got := zipFindings(r, "data.bin", ruleZipInvalid); len(got) != 1 || got[0].Offset == nil || *got[0].Offset != int64(len(prefix)+loc) {
		t.Errorf("twin: want file/zip-invalid at the locator, got %+v", r.Findings)
	}
}

// TestZipLocalHeaderHiddenInPrefix: a local file header in the data before
// a zip's first listed entry (a second archive in a self-extractor's stub
// or after a junk prefix, a lone local entry) is file/zip-unlisted-entry
// at its offset, whether the archive's offsets count the prefix or not; a
// stub that is a PE, or junk holding the signature without a header an
// extractor would read, is not. A whole archive in a PE's overlay is
// checked too, under the PE's path (sbom lists it there).
func TestZipLocalHeaderHiddenInPrefix(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	hidden := makeZip(t, []zipEntry{{name: "evil.dll", data: f.peUnsigned}})
	lone := hidden[:bytes.Index(hidden, []byte("PK\x01\x02"))] // a local entry, no directory
	junk := []byte("junk before the archive; ")
	noise := append(append([]byte(nil), junk...), "PK\x03\x04\x14\x00\x00\x00\xee\xee and then no header at all"...)
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	entries := []zipEntry{{name: "ok.txt", data: []byte("hello")}}
	for _, tc := range []struct {
		name   string
		prefix []byte
		at     int  // -1: nothing to report
		hidden bool // the hidden archive is a PE's, opened too (container.AppendedZips)
	}{
		{"archive after junk", cat(junk, hidden, junk), len(junk), false},
		{"archive in a PE stub's overlay", cat(f.peUnsigned, hidden), len(f.peUnsigned), true},
		{"lone local entry", cat(junk, lone), len(junk), false},
		{"PE stub", f.peUnsigned, -1, false},
		{"signature without a header", noise, -1, false},
	} {
		for _, adjust := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s adjusted=%v", tc.name, adjust), func(t *testing.T) {
				b := cat(tc.prefix, zipAt(t, len(tc.prefix), adjust, entries))
				dir := t.TempDir()
				writeTree(t, dir, map[string][]byte{"setup.bin": b})
				r := run(t, Options{}, dir)
				got := zipFindings(r, "setup.bin", ruleZipUnlisted)
				if fileByPath(r, "setup.bin/ok.txt") == nil {
					t.Errorf("the archive's entry was not checked: %v", r.Findings)
				}
				if tc.at < 0 {
					if len(got) != 0 {
						t.Errorf("false positive: %+v", got)
					}
					return
				}
				if len(got) != 1 || got[0].Offset == nil || *got[0].Offset != int64(tc.at) || got[0].Severity != signing.SeverityError {
					t.Errorf("want one error at offset %d, got %+v", tc.at, got)
				}
				if tc.hidden && fileByPath(r, "setup.bin/evil.dll") == nil {
					t.Errorf("the hidden archive's entry was not checked: %v", r.Findings)
				}
			})
		}
	}
}

// TestZipGoBuiltSelfExtractorStub: a Go program that reads zip archives,
// built for Windows, holds "PK\x03\x04" in its code; as a self-extractor's
// stub it gives no file/zip-unlisted-entry, and the same stub with a
// second archive appended to it does, both archives' files checked.
func TestZipGoBuiltSelfExtractorStub(t *testing.T) {
	t.Parallel()
	stub := goBuiltStub(t)
	if !bytes.Contains(stub, []byte("PK\x03\x04")) {
		t.Log("the stub does not hold the local header signature; the test proves less")
	}
	f := getFixtures(t)
	hidden := makeZip(t, []zipEntry{{name: "evil.dll", data: f.peUnsigned}})
	entries := []zipEntry{{name: "payload/readme.txt", data: []byte("hello")}}
	for _, adjust := range []bool{false, true} {
		dir := t.TempDir()
		attacked := append(append([]byte(nil), stub...), hidden...)
		writeTree(t, dir, map[string][]byte{
			"setup.exe":  append(append([]byte(nil), stub...), zipAt(t, len(stub), adjust, entries)...),
			"setup2.exe": append(attacked, zipAt(t, len(attacked), adjust, entries)...),
		})
		r := run(t, Options{}, dir)
		if got := zipFindings(r, "setup.exe", ruleZipUnlisted); len(got) != 0 || fileByPath(r, "setup.exe/payload/readme.txt") == nil {
			t.Errorf("adjusted=%v: real stub: %+v", adjust, got)
		}
		if got := zipFindings(r, "setup2.exe", ruleZipUnlisted); len(got) != 1 || *got[0].Offset != int64(len(stub)) {
			t.Errorf("adjusted=%v: stub with a hidden archive: %+v", adjust, got)
		}
		if fileByPath(r, "setup2.exe/evil.dll") == nil || fileByPath(r, "setup2.exe/payload/readme.txt") == nil {
			t.Errorf("adjusted=%v: the hidden archive and the last are not both checked: %v", adjust, r.Findings)
		}
	}
}

// TestZipTrailingDataInNestedZip: a zip inside a zip is held to the same
// rule: bytes after its end record are reported at the inner archive's
// path, stored or deflated, and a ZIP64 archive with data before it and
// unadjusted offsets is opened inside another zip too.
func TestZipTrailingDataInNestedZip(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	inner := makeZip(t, []zipEntry{{name: "a.dll", data: f.peValid}})
	trailing := append(append([]byte(nil), inner...), "payload"...)
	junk := []byte("junk before a ZIP64 archive")
	z64 := append(append([]byte(nil), junk...), toZip64(t, zipAt(t, len(junk), false, []zipEntry{{name: "b.dll", data: f.peTampered}}), 0)...)
	for _, store := range []bool{false, true} {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"outer.zip": makeZip(t, []zipEntry{{name: "inner.zip", data: trailing, store: store}, {name: "z64.bin", data: z64, store: store}})})
		r := run(t, Options{Policy: requireValid()}, filepath.Join(dir, "outer.zip"))
		if got := zipFindings(r, "inner.zip", ruleZipTrailing); len(got) != 1 || *got[0].Offset != int64(len(inner)) {
			t.Errorf("store=%v: %+v", store, r.Findings)
		}
		wantRules(t, r, "z64.bin/b.dll", digestMismatch)
		if got := zipFindings(r, "z64.bin", ruleMalformed); len(got) != 0 {
			t.Errorf("store=%v: z64.bin: %+v", store, got)
		}
	}
}

// TestZipPrefixHeaderWithDataDescriptor: a hidden local header whose sizes
// are in a data descriptor (flag bit 3, sizes zero), as streaming writers
// make them, is reported in a prefix like any other.
func TestZipPrefixHeaderWithDataDescriptor(t *testing.T) {
	t.Parallel()
	var hdr []byte
	hdr = append(hdr, "PK\x03\x04\x14\x00\x08\x00\x08\x00"...)
	hdr = append(hdr, make([]byte, 16)...) // time, date, CRC, sizes: zero
	hdr = binary.LittleEndian.AppendUint16(hdr, uint16(len("evil.dll")))
	hdr = binary.LittleEndian.AppendUint16(hdr, 0)
	hdr = append(hdr, "evil.dll"...)
	hdr = append(hdr, bytes.Repeat([]byte{0xaa}, 64)...)
	prefix := append([]byte("stub "), hdr...)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.bin": append(prefix, zipAt(t, len(prefix), false, []zipEntry{{name: "ok.txt", data: []byte("hi")}})...)})
	r := run(t, Options{}, dir)
	if got := zipFindings(r, "setup.bin", ruleZipUnlisted); len(got) != 1 || *got[0].Offset != int64(len("stub ")) {
		t.Errorf("%+v", r.Findings)
	}
}

// TestZipPrefixFullOfSignaturesIsLinear: a prefix of 16 MiB made of local
// header signatures costs one pass over it, not a read per signature, and
// reports nothing (none starts a header an extractor would read).
func TestZipPrefixFullOfSignaturesIsLinear(t *testing.T) {
	t.Parallel()
	// Not at offset 0, where any signature is reported (see zipUnlisted).
	prefix := append([]byte("stub"), bytes.Repeat([]byte("PK\x03\x04"), 4<<20)...)
	b := append(prefix, zipAt(t, len(prefix), true, []zipEntry{{name: "ok.txt", data: []byte("hi")}})...)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"x.zip": b})
	reads := countReads(t)
	name := filepath.Join(dir, "x.zip")
	r := run(t, Options{hooks: reads.hooks()}, name)
	// One pass over the prefix, and the hash of the file: a read per
	// signature (a local header each, 4 Mi of them) would be many times
	// the file's size.
	if n := reads.n[name]; n > 4*int64(len(b)) {
		t.Errorf("read %d bytes of a %d-byte zip", n, len(b))
	}
	if got := zipFindings(r, "x.zip", ruleZipUnlisted); len(got) != 0 {
		t.Errorf("%+v", got)
	}
}

// TestZipTrailingDataBeyondSearchWindowFailsClosed: more than 64 KiB
// appended to a zip puts its end record out of reach of extractors that
// search the last 64 KiB (archive/zip, Info-ZIP) and of shipgate: a file
// that starts like a zip is then file/malformed, never an opaque file that
// passes.
func TestZipTrailingDataBeyondSearchWindowFailsClosed(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	z := append(makeZip(t, []zipEntry{{name: "a.dll", data: f.peUnsigned}}), bytes.Repeat([]byte("x"), 70000)...)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"x.zip": z})
	mustFail(t, Options{}, "x.zip", ruleMalformed, dir)
}

// BenchmarkZipPrefixFullOfSignatures measures searching a 16 MiB prefix
// made of local header signatures for a hidden header.
func BenchmarkZipPrefixFullOfSignatures(b *testing.B) {
	prefix := append([]byte("stub"), bytes.Repeat([]byte("PK\x03\x04"), 4<<20)...)
	r := bytes.NewReader(prefix)
	b.SetBytes(int64(len(prefix)))
	for b.Loop() {
		if at, ok := release.ZipHiddenInPrefix(r, int64(len(prefix)), int64(len(prefix))); ok {
			b.Fatalf("header reported at %d", at)
		}
	}
}
