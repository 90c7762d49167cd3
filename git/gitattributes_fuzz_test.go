package git

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzGitAttributes reads hostile root and nested .gitattributes files and
// asks for attributes of paths under them: no panic; every attribute a
// kept line names is one git accepts; a file of the kept lines alone reads
// the same lines; and a path's value is one a line wrote.
func FuzzGitAttributes(f *testing.F) {
	f.Add(attrFixture[".gitattributes"], attrFixture["sub/.gitattributes"], "sub/deep/z.txt")
	f.Add("[attr]stamp export-subst\n*.py stamp\n", attrFixture["keep/.gitattributes"], `sub/"quoted name".txt`)
	f.Add("[attr]a b\n[attr]b a\n* a\n", attrFixture["bad/.gitattributes"], "sub/a.txt")
	f.Add("**/x/** export-ignore\n/d/ -export-ignore\n[!a]*.c eol=crlf\n", "\"\\x\" x\n\"unterminated\n\t  # c\r\n", "sub/x/y/z.c")
	f.Add("* "+strings.Repeat("a ", 1100)+"\n", "!neg.txt -export-subst\n", "sub/neg.txt")
	f.Add(attrQuotingFixture, "\"\\101\" x\n\"\\377\\0\" y\n\"a\"b c\n", "sub/A.txt")
	f.Fuzz(func(t *testing.T, root, sub, p string) {
		g := &gitAttrs{files: map[string][]attrLine{}, macros: map[string][]attrState{}}
		g.files[""] = g.parse(root, true)
		g.files["sub"] = g.parse(sub, false)
		written := map[string]bool{"": true}
		for dir, lines := range g.files {
			var raw []string
			for _, l := range lines {
				for _, s := range l.states {
					if !attrNameValid(s.name) {
						t.Fatalf("line %q kept with attribute %q", l.raw, s.name)
					}
					written[s.value] = true
				}
				raw = append(raw, l.raw)
			}
			again := (&gitAttrs{macros: map[string][]attrState{}}).parse(strings.Join(raw, "\n"), dir == "")
			if !reflect.DeepEqual(again, lines) {
				t.Fatalf("%q: kept lines %q read again as %+v, were %+v", dir, raw, again, lines)
			}
		}
		for _, attr := range []string{"export-subst", "export-ignore", "eol", "a"} {
			for _, dir := range []bool{false, true} {
				if v := g.value(p, dir, attr); !written[v] {
					t.Fatalf("%q %s = %q, which no line wrote", p, attr, v)
				}
			}
		}
	})
}

// FuzzLFSPointer reads hostile blobs as Git LFS pointers: no panic, no
// pointer larger than git-lfs reads, and none without its version and oid
// lines.
func FuzzLFSPointer(f *testing.F) {
	f.Add([]byte(lfsPointerText))
	f.Add([]byte("\r\n version http://git-media.io/v/2\r\noid x\r\nsize 99999999999999999999\n"))
	f.Add([]byte("version https://hawser.github.com/spec/v1\noid \nsize -1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, size := range []int64{int64(len(b)), int64(len(b)) + 1} {
			r := lfsPointer(b, size)
			if r == "" {
				continue
			}
			if size != int64(len(b)) || size > maxLFSPointer || !strings.Contains(string(b), "version ") || !strings.Contains(string(b), "oid ") {
				t.Fatalf("lfsPointer(%q, %d) = %q", b, size, r)
			}
		}
	})
}
