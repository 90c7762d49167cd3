package verify

import (
	"bytes"
	"encoding/binary"
	"path/filepath"
	"testing"
)

// dropCentralRecord removes the central directory record of the entry
// named name from the zip archive z (no comment, no ZIP64), so its local
// header and data stay where they are, listed by nothing.
func dropCentralRecord(t *testing.T, z []byte, name string) []byte {
	t.Helper()
	le := binary.LittleEndian
	eocd := len(z) - eocdLen
	if string(z[eocd:eocd+4]) != "PK\x05\x06" {
		t.Fatal("no end record at the end of the archive")
	}
	n, size, off := int(le.Uint16(z[eocd+10:])), int(le.Uint32(z[eocd+12:])), int(le.Uint32(z[eocd+16:]))
	var dir []byte
	kept := 0
	for p := off; p < off+size; {
		l := 46 + int(le.Uint16(z[p+28:])) + int(le.Uint16(z[p+30:])) + int(le.Uint16(z[p+32:]))
		if string(z[p+46:p+46+int(le.Uint16(z[p+28:]))]) != name {
			dir = append(dir, z[p:p+l]...)
			kept++
		}
		p += l
	}
	if kept != n-1 {
		t.Fatalf("entry %q not found in the directory", name)
	}
	out := append(append([]byte(nil), z[:off]...), dir...)
	end := append([]byte(nil), z[eocd:]...)
	le.PutUint16(end[8:], uint16(kept))
	le.PutUint16(end[10:], uint16(kept))
	le.PutUint32(end[12:], uint32(len(dir)))
	return append(out, end...)
}

// TestZipLocalEntryBetweenListedEntries: a local entry that the central
// directory does not list, between two listed entries or after the last
// one, is extracted by streaming readers (which go from one local header to
// the next) and never checked by directory readers: file/zip-unlisted-entry.
// The same archive with every entry listed passes.
func TestZipLocalEntryBetweenListedEntries(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	for _, tc := range []struct {
		name    string
		entries []zipEntry
	}{
		{name: "between", entries: []zipEntry{{name: "a.txt", data: []byte("first")}, {name: "hidden.dll", data: f.peUnsigned}, {name: "b.txt", data: []byte("second")}}},
		{name: "after the last", entries: []zipEntry{{name: "a.txt", data: []byte("first")}, {name: "hidden.dll", data: f.peUnsigned}}},
		{name: "stored between", entries: []zipEntry{{name: "a.txt", data: []byte("first"), store: true}, {name: "hidden.dll", data: f.peUnsigned, store: true}, {name: "b.txt", data: []byte("second"), store: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			full := makeZip(t, tc.entries)
			hidden := dropCentralRecord(t, full, "hidden.dll")
			if !bytes.Contains(hidden, []byte("hidden.dll")) {
				t.Fatal("hidden entry's local header gone")
			}
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"x.zip": hidden, "y.zip": full})
			r := mustFail(t, Options{Policy: requireValid()}, "x.zip", ruleZipUnlisted, filepath.Join(dir, "x.zip"))
			if got := rulesFor(r, "x.zip/hidden.dll"); len(got) != 0 {
				t.Errorf("hidden entry checked: %v", got)
			}
			// Inside a release too.
			mustFail(t, Options{Policy: requireValid()}, "x.zip", ruleZipUnlisted, dir)
			// Listed, the unsigned DLL is the finding, not the layout.
			r = run(t, Options{Policy: requireValid()}, filepath.Join(dir, "y.zip"))
			if got := rulesFor(r, "y.zip"); len(got) != 0 {
				t.Errorf("y.zip: %v", got)
			}
		})
	}
}
