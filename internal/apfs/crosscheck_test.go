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
// merely agree with each other.
func TestCrossCheck7Zip(t *testing.T) {
	sz, err := exec.LookPath("7z")
	if err != nil {
		t.Skip("7z (Debian p7zip-full or 7zip) not installed: the APFS writer and reader are not cross-checked")
	}
	many := sample()
	for i := range 150 {
		many[fmt.Sprintf("many/f%03d", i)] = BuildFile{Data: bytes.Repeat([]byte{byte(i)}, 100*i)}
	}
	for i, s := range []BuildSpec{{Files: sample()}, {Files: many, LeafRecords: 7}, {Files: many, CaseSensitive: true}} {
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
			ours := slices.DeleteFunc(v.Paths(), func(s string) bool { return s == "." })
			slices.Sort(theirs)
			if !slices.Equal(ours, theirs) {
				t.Fatalf("paths differ:\nours   %v\ntheirs %v", ours, theirs)
			}
			for _, q := range ours {
				st, _ := v.Lstat(q)
				switch {
				case st.IsDir():
				case st.Mode()&fs.ModeSymlink != 0:
					want, _ := v.ReadLink(q)
					got, err := os.Readlink(filepath.Join(x, q))
					if err != nil {
						b, _ := os.ReadFile(filepath.Join(x, q))
						got = string(b)
					}
					if got != want {
						t.Errorf("%s: 7z link %q, ours %q", q, got, want)
					}
				default:
					want, err := fs.ReadFile(v, q)
					got, _ := os.ReadFile(filepath.Join(x, q))
					if err != nil || !bytes.Equal(got, want) {
						t.Errorf("%s: 7z extracts %d bytes, we read %d (%v)", q, len(got), len(want), err)
					}
				}
			}
		})
	}
}
