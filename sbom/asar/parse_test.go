package asar

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
)

// FuzzJSONGrammar checks that the byte scanner accepts exactly the JSON
// encoding/json accepts, and decodes strings as it does.
func FuzzJSONGrammar(f *testing.F) {
	for _, s := range []string{`{"a":[1,-0.5e+3,true,false,null,"x\u00e9\ud83d\ude00\ud800"]}`, `"\ud800\u0041"`, `[1,]`, `{"a" 1}`,
		"\"\xff\xfe\"", `01`, `-`, `1.`, `"\x"`, `"` + "\x01" + `"`, ` [ ] `, `{}x`, `"\/\b\f\n\r\t"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p := &parser{b: b}
		err := p.skip(0)
		ok := err == nil && p.atEnd()
		if ok != json.Valid(b) {
			t.Fatalf("scanner accepts %v, encoding/json %v, for %q (err %v)", ok, json.Valid(b), b, err)
		}
		if ok {
			q := &parser{b: b}
			if q.ws() == '"' {
				got, err := q.str()
				var want string
				if json.Unmarshal(b, &want) != nil || err != nil || got != want {
					t.Fatalf("string %q: got %q (%v), want %q", b, got, err, want)
				}
			}
		}
	})
}

// describeTree renders what a parse produced, without offsets.
func describeTree(root *Entry, problems []*EntryError) string {
	var lines []string
	var visit func(e *Entry)
	visit = func(e *Entry) {
		in := ""
		if e.Integrity != nil {
			in = fmt.Sprintf("%+v", *e.Integrity)
		}
		lines = append(lines, fmt.Sprintf("%q %v size=%d off=%d u=%v x=%v link=%q err=%v linkErr=%v in=%s",
			e.Path, e.Kind, e.Size, e.Offset, e.Unpacked, e.Executable, e.Link, e.err != nil, e.linkErr, in))
		for _, c := range e.children {
			visit(c)
		}
	}
	visit(root)
	for _, p := range problems {
		kind := "?"
		for _, r := range rules {
			if errors.Is(p.Err, r.err) {
				kind = string(r.rule)
				break
			}
		}
		lines = append(lines, fmt.Sprintf("problem %q %s", p.Path, kind))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// FuzzParserDifferential compares the byte scanner with the former token
// decoder parser on arbitrary headers: same verdict, same tree, same
// problems (offsets aside; integrity is compared only where both found it
// well-formed).
func FuzzParserDifferential(f *testing.F) {
	for _, j := range []string{
		`{"files":{"a":{"size":1,"offset":"0"},"a":{"size":1,"offset":"0"}}}`,
		`{"files":{"..":{"size":1,"offset":"0"},"l":{"link":"../x"},"m":{"link":"a"}}}`,
		`{"files":{"d":{"files":{"e":{"files":{"f":{"files":{}}}}}},"x":{"size":"1"},"y":{"size":1,"unpacked":null}}}`,
		`{"files":{"f":{"size":5,"offset":"0","executable":true,"integrity":{"algorithm":"SHA256","hash":"ab","blockSize":4,"blocks":["a","b"]}}}}`,
		`{"files":{"f":{"size":5,"offset":"0","integrity":{"algorithm":1,"blocks":"x"}},"g":{"size":1,"offset":"0","integrity":[]}}}`,
		`{"files":{"\u00e9\ud83d\ude00":{"size":0,"offset":"0"},"k":{"size":1.5,"offset":"01"},"z":[1]}}`,
		`{"files":{"f":{"size":1,"offset":"0","integrity":{"Algorithm":"MD5","algorithm":"SHA256","hash":"a","blockSize":4,"BlockSize":-1,"blocks":["a"]}}}}`,
		`{"Files":{"a":{"size":1,"offset":"0"}},"files":{},"f":{"Size":1}}`,
		`{"files":{"f":{"size":1,"offset":"0","integrity":{"algorithm":"SHA256","hash":"a","blockSize":4,"blocks":["a"],"blocks":["b"]}}}}`,
		// Names in a directory: plain (the path's suffix), escaped, unsafe,
		// empty, a header key, repeated, and one cut by the end.
		`{"files":{"d":{"files":{"\u00e9x":{"size":0,"offset":"0"},"a\"b":{"size":0,"offset":"0"},"..":{"size":0,"offset":"0"},"":{"size":0,"offset":"0"},"files":{"size":1,"offset":"0"},"files":{"size":2,"offset":"0"},"é":{"size":0,"offset":"0"}}}}}`,
		`{"files":{"d":{"files":{"ab`,
	} {
		f.Add([]byte(j))
	}
	f.Fuzz(func(t *testing.T, j []byte) {
		a := &parser{maxEntries: 64, maxDepth: 3}
		rootA, errA := a.parse(j)
		b := &refParser{maxEntries: 64, maxDepth: 3}
		rootB, errB := b.parse(j)
		if (errA == nil) != (errB == nil) {
			t.Fatalf("scanner error %v, reference error %v, for %q", errA, errB, j)
		}
		if errA != nil {
			return
		}
		// Integrity is compared only for entries without integrity problems.
		strip := func(root *Entry, probs []*EntryError) {
			bad := map[string]bool{}
			for _, p := range probs {
				if errors.Is(p.Err, ErrIntegrity) {
					bad[p.Path] = true
				}
			}
			var visit func(e *Entry)
			visit = func(e *Entry) {
				if bad[e.Path] {
					e.Integrity = nil
				}
				for _, c := range e.children {
					visit(c)
				}
			}
			visit(root)
		}
		strip(rootA, a.problems)
		strip(rootB, b.problems)
		if da, db := describeTree(rootA, a.problems), describeTree(rootB, b.problems); da != db {
			t.Fatalf("trees differ for %q:\nscanner:\n%s\nreference:\n%s", j, da, db)
		}
	})
}

// TestIntegrityRepeatedBlocksReplace checks that a repeated "blocks" key
// replaces the earlier array, as JSON.parse does, instead of adding to it,
// and that integrity keys are matched with their exact case.
func TestIntegrityRepeatedBlocksReplace(t *testing.T) {
	p := &parser{maxEntries: 64, maxDepth: 8}
	root, err := p.parse([]byte(`{"files":{"f":{"size":1,"offset":"0","integrity":{"algorithm":"SHA256","Algorithm":"MD5","hash":"a","blockSize":4,"blocks":["a"],"blocks":["b"]}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	in := root.child("f").Integrity
	if in == nil || len(in.Blocks) != 1 || in.Blocks[0] != "b" || in.Algorithm != "SHA256" {
		t.Fatalf("integrity = %+v, want algorithm SHA256 and blocks [b]", in)
	}
}
