package asar

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/signing"
)

func raw(json string, data string) []byte {
	return electronfix.PackAsarRaw([]byte(json), []byte(data))
}

// TestHostileHeaders: archives whose header cannot be read at all.
func TestHostileHeaders(t *testing.T) {
	good := raw(`{"files":{"a":{"size":1,"offset":"0"}}}`, "x")
	set := func(b []byte, off int, v uint32) []byte {
		b = bytes.Clone(b)
		binary.LittleEndian.PutUint32(b[off:], v)
		return b
	}
	cases := []struct {
		name    string
		b       []byte
		opts    Options
		offset  int64
		message string
	}{
		{"empty", nil, Options{}, 0, "too small"},
		{"not asar", set(good, 0, 8), Options{}, 0, "not an asar archive"},
		{"header size past end", set(good, 4, 1<<30), Options{}, 4, "past the end"},
		{"header size past cap", good, Options{MaxHeaderSize: 16}, 4, "exceeds the cap"},
		{"payload past header", set(good, 8, 1<<20), Options{}, 8, "exceeds header size"},
		{"json length past payload", set(good, 12, 1<<20), Options{}, 12, "does not fit"},
		{"negative json length", set(good, 12, 0xffffffff), Options{}, 12, "does not fit"},
		{"invalid json", raw(`{"files":{"a":`, ""), Options{}, 30, "JSON header"},
		{"not an object", raw(`[1,2]`, ""), Options{}, 16, "not an object"},
		{"trailing data", raw(`{"files":{}} {}`, ""), Options{}, 29, "trailing data"},
		{"root not a directory", raw(`{"size":1,"offset":"0"}`, "x"), Options{}, 16, "root is not a directory"},
		{"too many entries", raw(`{"files":{"a":{"size":0,"offset":"0"},"b":{"size":0,"offset":"0"}}}`, ""), Options{MaxEntries: 1}, 58, "more than 1 entries"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewReaderOptions(bytes.NewReader(c.b), int64(len(c.b)), c.opts)
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want *FormatError", err)
			}
			if !strings.Contains(fe.Reason, c.message) || fe.Offset != c.offset {
				t.Errorf("err = %v (offset %d), want %q at %d", err, fe.Offset, c.message, c.offset)
			}
			if f := fe.Finding(); f.Rule != RuleMalformed || *f.Offset != fe.Offset {
				t.Errorf("finding = %+v", f)
			}
		})
	}
}

// TestHostileEntries: problems confined to entries leave the rest readable.
func TestHostileEntries(t *testing.T) {
	const ok = `"ok":{"size":2,"offset":"0"}`
	cases := []struct {
		name string
		json string
		path string // problem path
		err  error
		rule signing.Rule
		// absent is a name that must not be in the file system; open is a
		// name whose Open must fail with err.
		absent, open string
	}{
		{"dot dot", `{"files":{` + ok + `,"..":{"files":{"etc":{"size":1,"offset":"0"}}}}}`, `".."`, ErrInsecurePath, "asar/unsafe-name", "..", ""},
		{"slash", `{"files":{` + ok + `,"a/b":{"size":1,"offset":"0"}}}`, `"a/b"`, ErrInsecurePath, "asar/unsafe-name", "a/b", ""},
		{"backslash", `{"files":{` + ok + `,"..\\x":{"size":1,"offset":"0"}}}`, `"..\\x"`, ErrInsecurePath, "asar/unsafe-name", "..\\x", ""},
		{"dot", `{"files":{` + ok + `,".":{"size":1,"offset":"0"}}}`, `"."`, ErrInsecurePath, "asar/unsafe-name", "", ""},
		{"empty name", `{"files":{` + ok + `,"":{"size":1,"offset":"0"}}}`, `""`, ErrInsecurePath, "asar/unsafe-name", "", ""},
		{"nul", `{"files":{` + ok + `,"a\u0000b":{"size":1,"offset":"0"}}}`, `"a\x00b"`, ErrInsecurePath, "asar/unsafe-name", "", ""},
		{"nested unsafe", `{"files":{` + ok + `,"d":{"files":{"..":{"size":1,"offset":"0"}}}}}`, `d/".."`, ErrInsecurePath, "asar/unsafe-name", "d/..", ""},
		{"offset past end", `{"files":{` + ok + `,"big":{"size":10,"offset":"1"}}}`, "big", ErrOutOfBounds, "asar/out-of-bounds", "", "big"},
		{"offset huge", `{"files":{` + ok + `,"big":{"size":1,"offset":"9223372036854775806"}}}`, "big", ErrOutOfBounds, "asar/out-of-bounds", "", "big"},
		{"offset not decimal", `{"files":{` + ok + `,"f":{"size":1,"offset":"0x1"}}}`, "f", ErrMalformedEntry, "asar/malformed-entry", "", "f"},
		{"offset number", `{"files":{` + ok + `,"f":{"size":1,"offset":0}}}`, "f", ErrMalformedEntry, "asar/malformed-entry", "", "f"},
		{"offset negative", `{"files":{` + ok + `,"f":{"size":1,"offset":"-1"}}}`, "f", ErrMalformedEntry, "asar/malformed-entry", "", "f"},
		{"size negative", `{"files":{` + ok + `,"f":{"size":-1,"offset":"0"}}}`, "f", ErrMalformedEntry, "asar/malformed-entry", "", "f"},
		{"size fraction", `{"files":{` + ok + `,"f":{"size":1.5,"offset":"0"}}}`, "f", ErrMalformedEntry, "asar/malformed-entry", "", "f"},
		{"size above 2^53", `{"files":{` + ok + `,"f":{"size":9007199254740993,"offset":"0"}}}`, "f", ErrMalformedEntry, "asar/malformed-entry", "", "f"},
		{"no offset", `{"files":{` + ok + `,"f":{"size":1}}}`, "f", ErrMalformedEntry, "asar/malformed-entry", "", "f"},
		{"file and dir", `{"files":{` + ok + `,"f":{"size":1,"offset":"0","files":{}}}}`, "f", ErrMalformedEntry, "asar/malformed-entry", "", "f"},
		{"link and file", `{"files":{` + ok + `,"f":{"size":1,"offset":"0","link":"ok"}}}`, "f", ErrMalformedEntry, "asar/malformed-entry", "", "f"},
		{"not an object", `{"files":{` + ok + `,"f":"x"}}`, "f", ErrMalformedEntry, "asar/malformed-entry", "", "f"},
		{"files not an object", `{"files":{` + ok + `,"d":{"files":[]}}}`, "d", ErrMalformedEntry, "asar/malformed-entry", "", "d"},
		{"duplicate key in entry", `{"files":{` + ok + `,"f":{"size":1,"offset":"0","offset":"1"}}}`, "f", ErrMalformedEntry, "asar/malformed-entry", "", "f"},
		{"link climbs out", `{"files":{` + ok + `,"Test":{"link":"../../../../../private/var/folders/x"}}}`, "Test", ErrLinkEscape, "asar/link-escape", "", "Test"},
		{"link absolute", `{"files":{` + ok + `,"l":{"link":"/etc/passwd"}}}`, "l", ErrLinkEscape, "asar/link-escape", "", "l"},
		{"link drive", `{"files":{` + ok + `,"l":{"link":"C:/Windows"}}}`, "l", ErrLinkEscape, "asar/link-escape", "", "l"},
		{"link backslash", `{"files":{` + ok + `,"l":{"link":"..\\..\\x"}}}`, "l", ErrLinkEscape, "asar/link-escape", "", "l"},
		{"link inner climb", `{"files":{` + ok + `,"d":{"files":{}},"l":{"link":"d/../../x"}}}`, "l", ErrLinkEscape, "asar/link-escape", "", "l"},
		{"link loop", `{"files":{` + ok + `,"a":{"link":"b"},"b":{"link":"a"}}}`, "a", ErrLinkLoop, "asar/link-loop", "", "a"},
		{"link self", `{"files":{` + ok + `,"a":{"link":"a"}}}`, "a", ErrLinkLoop, "asar/link-loop", "", "a"},
		{"link through itself", `{"files":{` + ok + `,"a":{"link":"a/x"}}}`, "a", ErrLinkLoop, "asar/link-loop", "", "a"},
		{"link dangling", `{"files":{` + ok + `,"a":{"link":"nope"}}}`, "a", ErrDanglingLink, "asar/dangling-link", "", "a"},
		{"too deep", `{"files":{` + ok + `,"a":{"files":{"b":{"files":{"c":{"files":{}}}}}}}}`, "a/b", ErrTooDeep, "asar/malformed-entry", "", ""},
		{"bad integrity", `{"files":{` + ok + `,"f":{"size":0,"offset":"0","integrity":{"algorithm":1,"blocks":"x"}}}}`, "f", ErrIntegrity, "asar/integrity-mismatch", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := raw(c.json, "ok")
			ar, err := NewReaderOptions(bytes.NewReader(b), int64(len(b)), Options{MaxDepth: 2})
			if err != nil {
				t.Fatalf("NewReader: %v", err)
			}
			probs := ar.Problems()
			if len(probs) == 0 {
				t.Fatal("no problem reported")
			}
			p := probs[0]
			if p.Path != c.path || !errors.Is(p, c.err) {
				t.Errorf("problem = %v (path %q), want %v at %q", p, p.Path, c.err, c.path)
			}
			if p.Offset < 16 || p.Offset >= int64(len(b)) {
				t.Errorf("problem offset %d outside the header", p.Offset)
			}
			if f := p.Finding(); f.Rule != c.rule || f.Path != c.path {
				t.Errorf("finding = %+v, want rule %s", f, c.rule)
			}
			if got, err := ar.ReadFile("ok"); err != nil || string(got) != "ok" {
				t.Errorf("healthy entry: %q, %v", got, err)
			}
			if c.absent != "" {
				if _, err := ar.Lstat(c.absent); err == nil {
					t.Errorf("%q is present", c.absent)
				}
			}
			if c.open != "" {
				_, err := ar.Open(c.open)
				if !errors.Is(err, c.err) {
					t.Errorf("Open(%q) = %v, want %v", c.open, err, c.err)
				}
				if err != nil && !strings.Contains(err.Error(), c.open) {
					t.Errorf("error does not name the entry: %v", err)
				}
			}
			// Walking never escapes or loops.
			n := 0
			if err := fs.WalkDir(ar, ".", func(string, fs.DirEntry, error) error { n++; return nil }); err != nil {
				t.Errorf("WalkDir: %v", err)
			}
		})
	}
}

func TestDuplicateNameKeepsLast(t *testing.T) {
	b := raw(`{"files":{"a":{"size":5,"offset":"0"},"a":{"size":5,"offset":"5"}}}`, "firstlast!")
	ar, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	// The first entry's bytes are read by nothing: they are unowned data.
	probs := ar.Problems()
	if len(probs) != 2 || !errors.Is(probs[1], ErrDuplicate) || probs[1].Path != "a" ||
		!errors.Is(probs[0], ErrUnownedData) || probs[0].Offset != ar.DataOffset() || probs[0].Size != 5 {
		t.Fatalf("problems = %v", probs)
	}
	probs = probs[1:]
	if f := probs[0].Finding(); f.Rule != "asar/duplicate-entry" {
		t.Errorf("rule %s", f.Rule)
	}
	got, _ := ar.ReadFile("a")
	if string(got) != "last!" {
		t.Errorf("ReadFile = %q, want the last entry", got)
	}
	list, _ := ar.ReadDir(".")
	if len(list) != 1 {
		t.Errorf("ReadDir lists %d entries", len(list))
	}
}

func TestProtoKeys(t *testing.T) {
	b := raw(`{"files":{"__proto__":{"files":{"constructor":{"size":2,"offset":"0"}}},"prototype":{"size":2,"offset":"2"}}}`, "okok")
	ar, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if len(ar.Problems()) != 0 {
		t.Fatalf("problems: %v", ar.Problems())
	}
	for _, n := range []string{"__proto__/constructor", "prototype"} {
		if got, err := ar.ReadFile(n); err != nil || string(got) != "ok" {
			t.Errorf("ReadFile(%s) = %q, %v", n, got, err)
		}
	}
}

func TestInvalidFSPaths(t *testing.T) {
	ar, _ := openSample(t)
	for _, n := range []string{"../x", "/abs", "a//b", "lib/", ""} {
		if _, err := ar.Open(n); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Open(%q) = %v, want ErrInvalid", n, err)
		}
	}
	if _, err := ar.Open("nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(nope) = %v", err)
	}
	if _, err := ar.Open("main.js/x"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(main.js/x) = %v", err)
	}
}

// TestDuplicateNameInLargeFolder: a folder of more entries than are looked
// through one by one (smallDir), listed out of order, with names repeated
// before and after it grows past that size, keeps the last of each name,
// reports each repeat, and lists its entries sorted.
func TestDuplicateNameInLargeFolder(t *testing.T) {
	var hdr strings.Builder
	var data bytes.Buffer
	hdr.WriteString(`{"files":{`)
	add := func(name string, b byte) {
		if data.Len() > 0 {
			hdr.WriteString(",")
		}
		fmt.Fprintf(&hdr, `%q:{"size":1,"offset":"%d"}`, name, data.Len())
		data.WriteByte(b)
	}
	for i := 3*smallDir - 1; i >= 0; i-- { // out of order
		add(fmt.Sprintf("f%03d", i), 'a')
	}
	add("f040", 'x') // repeats, past and before smallDir entries
	add("f005", 'y')
	add(fmt.Sprintf("f%03d", 3*smallDir-1), 'z')
	hdr.WriteString(`}}`)
	b := raw(hdr.String(), data.String())
	ar, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var dups []string
	for _, p := range ar.Problems() {
		if errors.Is(p, ErrDuplicate) {
			dups = append(dups, p.Path)
		}
	}
	slices.Sort(dups)
	if want := []string{"f005", "f040", fmt.Sprintf("f%03d", 3*smallDir-1)}; !slices.Equal(dups, want) {
		t.Errorf("duplicates reported: %q, want %q", dups, want)
	}
	for name, want := range map[string]string{"f040": "x", "f005": "y", fmt.Sprintf("f%03d", 3*smallDir-1): "z", "f001": "a"} {
		if got, err := ar.ReadFile(name); err != nil || string(got) != want {
			t.Errorf("ReadFile(%s) = %q, %v; want %q", name, got, err, want)
		}
	}
	list, _ := ar.ReadDir(".")
	if len(list) != 3*smallDir || !slices.IsSortedFunc(list, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) }) {
		t.Errorf("ReadDir lists %d entries, sorted %v", len(list), slices.IsSortedFunc(list, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) }))
	}
}
