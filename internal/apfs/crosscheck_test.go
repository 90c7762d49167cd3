package apfs

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCrossCheck7Zip: 7-Zip's own APFS reader extracts the containers
// Build makes (one leaf, many nodes, case-sensitive) to the same paths
// and bytes as this package reads, so the writer and the reader do not
// merely agree with each other. 7-Zip puts the files of a container of
// several volumes under Volume1, Volume2…, where we use the volumes'
// names.
func TestCrossCheck7Zip(t *testing.T) {
	sz, err := exec.LookPath("7z")
	if err != nil {
		t.Skip("7z (Debian p7zip-full or 7zip) not installed: the APFS writer and reader are not cross-checked")
	}
	many := sample()
	for i := range 150 {
		many[fmt.Sprintf("many/f%03d", i)] = BuildFile{Data: bytes.Repeat([]byte{byte(i)}, 100*i)}
	}
	two := BuildSpec{Files: sample(), Name: "First", More: []BuildSpec{{Files: map[string]BuildFile{"Hidden.app/x": {Data: []byte("hidden")}, "Café": {Data: []byte("c")}}, Name: "Second", CaseSensitive: true}}}
	for i, s := range []BuildSpec{{Files: sample()}, {Files: many, LeafRecords: 7}, {Files: many, CaseSensitive: true}, two} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			img := build(t, s)
			v := open(t, img)
			dir := t.TempDir()
			p := filepath.Join(dir, "vol.apfs")
			if err := os.WriteFile(p, img, 0o644); err != nil {
				t.Fatal(err)
			}
			x := filepath.Join(dir, "x")
			if out, err := exec.Command(sz, "x", "-o"+x, p).CombinedOutput(); err != nil {
				t.Fatalf("7z x: %v\n%s", err, out)
			}
			var theirs []string
			filepath.WalkDir(x, func(q string, d fs.DirEntry, err error) error {
				rel, _ := filepath.Rel(x, q)
				if err != nil || rel == "." || strings.Contains(rel, ":") { // 7z's attribute streams
					return err
				}
				theirs = append(theirs, filepath.ToSlash(rel))
				return nil
			})
			// 7-Zip's name for our path q.
			seven := func(q string) string {
				for i, f := range v.Folders {
					if f != "." && (q == f || strings.HasPrefix(q, f+"/")) {
						return fmt.Sprintf("Volume%d", i+1) + q[len(f):]
					}
				}
				return q
			}
			ours := slices.DeleteFunc(v.Paths(), func(s string) bool { return s == "." })
			renamed := make([]string, len(ours))
			for i, q := range ours {
				renamed[i] = seven(q)
			}
			slices.Sort(renamed)
			slices.Sort(theirs)
			if !slices.Equal(renamed, theirs) {
				t.Fatalf("paths differ:\nours   %v\ntheirs %v", renamed, theirs)
			}
			for _, q := range ours {
				st, _ := v.Lstat(q)
				switch {
				case st.IsDir():
				case st.Mode()&fs.ModeSymlink != 0:
					want, _ := v.ReadLink(q)
					got, err := os.Readlink(filepath.Join(x, seven(q)))
					if err != nil {
						b, _ := os.ReadFile(filepath.Join(x, seven(q)))
						got = string(b)
					}
					if got != want {
						t.Errorf("%s: 7z link %q, ours %q", q, got, want)
					}
				default:
					want, err := fs.ReadFile(v, q)
					got, _ := os.ReadFile(filepath.Join(x, seven(q)))
					if err != nil || !bytes.Equal(got, want) {
						t.Errorf("%s: 7z extracts %d bytes, we read %d (%v)", q, len(got), len(want), err)
					}
				}
			}
		})
	}
}
