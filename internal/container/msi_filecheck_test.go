package container

import (
	"context"
	"testing"

	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
)

// TestMSIFileTableMismatch: a cabinet file whose bytes match its File
// table FileSize and MsiFileHash row passes; one whose MsiFileHash is of
// other bytes, or whose FileSize is another, is an msi/file-table-mismatch
// error at its installed path, and is still handed over.
func TestMSIFileTableMismatch(t *testing.T) {
	readme := []byte("plain text, unversioned")
	for _, c := range []struct {
		name   string
		hashed []byte
		sizes  map[string]int
		want   int
	}{
		{"match", readme, nil, 0},
		{"hash", []byte("the text the database was built with"), nil, 1},
		{"size", readme, map[string]int{"readme.txt": 3}, 1},
		{"no hash row", nil, nil, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := msi.Installer{Folder: "Acme", Files: map[string][]byte{"readme.txt": readme}, Sizes: c.sizes}
			if c.hashed != nil {
				s.Hashed = map[string][]byte{"readme.txt": c.hashed}
			}
			got, finds := walk(context.Background(), MSI, cfb.Build(msi.BuildInstaller(s)), nil)
			const p = "setup/app.cab/Acme/readme.txt"
			if got[p] != string(readme) {
				t.Errorf("entries %q", got)
			}
			n := 0
			for _, f := range finds {
				if f.Rule == RuleMSIFileTableMismatch && f.Path == p {
					n++
				} else {
					t.Errorf("finding %s %s: %s", f.Rule, f.Path, f.Message)
				}
			}
			if n != c.want {
				t.Errorf("%d msi/file-table-mismatch findings, want %d: %+v", n, c.want, finds)
			}
		})
	}
}
