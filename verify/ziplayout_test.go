package verify

import (
	"bytes"
	"encoding/binary"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
)

// toZip64 rewrites the end of the zip archive z (no comment; its offsets
// count base bytes before it) in ZIP64 form: a ZIP64 end record where
// the end record was, its locator, and an end record whose fields say
// "see ZIP64".
func toZip64(t *testing.T, z []byte, base int64) []byte {
	t.Helper()
	le := binary.LittleEndian
	eocd := len(z) - eocdLen
	if string(z[eocd:eocd+4]) != "PK\x05\x06" {
		t.Fatal("no end record at the end of the archive")
	}
	records, dirSize, dirOff := uint64(le.Uint16(z[eocd+10:])), uint64(le.Uint32(z[eocd+12:])), uint64(le.Uint32(z[eocd+16:]))
	out := append([]byte(nil), z[:eocd]...)
	out = append(out, "PK\x06\x06"...)
	out = le.AppendUint64(out, 44)
	out = le.AppendUint16(out, 45)
	out = le.AppendUint16(out, 45)
	out = le.AppendUint32(out, 0)
	out = le.AppendUint32(out, 0)
	out = le.AppendUint64(out, records)
	out = le.AppendUint64(out, records)
	out = le.AppendUint64(out, dirSize)
	out = le.AppendUint64(out, dirOff)
	out = append(out, "PK\x06\x07"...)
	out = le.AppendUint32(out, 0)
	out = le.AppendUint64(out, uint64(base)+uint64(eocd))
	out = le.AppendUint32(out, 1)
	out = append(out, "PK\x05\x06\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00"...)
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
