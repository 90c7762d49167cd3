package container

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"testing"

	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
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
			got, finds := walkEntries(context.Background(), MSI, cfb.Build(msi.BuildInstaller(s)), nil)
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

// TestMSIExternalCabinetBudget: an external cabinet's files are read
// within a budget of the cabinet's own, not the MSI's: with the MSI's
// budget spent, they are still checked (InstallShield ships a small MSI
// beside large cabinets). A cabinet the release lacks is an
// msi/missing-cabinet error.
func TestMSIExternalCabinetBudget(t *testing.T) {
	s := msi.Installer{Folder: "Acme", Cabinet: "data1.cab", External: true, Files: map[string][]byte{"a.dll": []byte("MZ a")}}
	data, c := cfb.Build(msi.BuildInstaller(s)), s.CAB()
	for _, present := range []bool{true, false} {
		x := release.NewExpansion(0)
		if !x.Take(release.MinExpansion) {
			t.Fatal("the budget refused its own size")
		}
		got := map[string]string{}
		var finds []signing.Finding
		Walk(context.Background(), MSI, bytes.NewReader(data), int64(len(data)), "setup.msi", x, Visitor{
			Entry: func(e Entry) {
				rc, _ := e.Source.Open()
				b, _ := io.ReadAll(rc)
				got[e.Path] = string(b)
			},
			Finding: func(f signing.Finding) { finds = append(finds, f) },
			Cabinet: func(name string) (io.ReaderAt, int64, io.Closer, error) {
				if !present || name != "data1.cab" {
					return nil, 0, nil, fs.ErrNotExist
				}
				return bytes.NewReader(c), int64(len(c)), io.NopCloser(nil), nil
			},
		})
		if present && (got["setup.msi/data1.cab/Acme/a.dll"] != "MZ a" || len(finds) != 0) {
			t.Errorf("present: entries %q, findings %+v", got, finds)
		}
		if !present && (len(got) != 0 || len(finds) != 1 || finds[0].Rule != RuleMSIMissingCabinet || finds[0].Path != "setup.msi/data1.cab") {
			t.Errorf("missing: entries %q, findings %+v", got, finds)
		}
	}
}
