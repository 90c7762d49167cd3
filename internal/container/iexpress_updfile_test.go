package container

import (
	"encoding/binary"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"

	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/squirrel"
	"github.com/shipgate/shipgate/signing"
)

// updFile returns an UPDFILE resource's data as updfile.exe writes it:
// size, 0xFFFFFFFF, name NUL, bytes (size is len(data) unless declared
// is not negative).
func updFile(name string, data []byte, declared int) []byte {
	if declared < 0 {
		declared = len(data)
	}
	b := binary.LittleEndian.AppendUint32(nil, uint32(declared))
	b = binary.LittleEndian.AppendUint32(b, 0xFFFFFFFF)
	b = append(append(b, name...), 0)
	return append(b, data...)
}

// iexpressUpd returns the fixture's IExpress stub with the given UPDFILE
// resources added (name -> data).
func iexpressUpd(t *testing.T, upd map[string][]byte) []byte {
	t.Helper()
	rs := pefixtures.IExpressResources(iexpressCab(), "setup.bat")
	for name, data := range upd {
		rs = append(rs, squirrel.BuildResource{TypeID: squirrel.RTRCData, Name: name, Data: data})
	}
	img, err := pefixtures.SquirrelSetup(rs)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestAttackIExpressUpdFile: updfile.exe adds files to a built IExpress
// stub as UPDFILE0, UPDFILE1, … resources, which wextract writes after
// the cabinet's files, replacing one of the same name. shipgate opened
// only the cabinet: a trojanized app.dll in UPDFILE0 was installed over
// the cabinet's checked one, unseen. Each file is now checked under the
// stub's path with an iexpress/updated-file finding (an error when it
// replaces a cabinet file, declares more bytes than it holds, or is never
// written for a gap in the numbering); a name leaving the folder is
// file/insecure-path. A stub without UPDFILE resources has no finding.
func TestAttackIExpressUpdFile(t *testing.T) {
	trojan := []byte("MZ trojanized app")
	for _, tc := range []struct {
		name    string
		upd     map[string][]byte
		finds   []string          // "severity rule path" of the findings of the rule and insecure-path
		entries map[string]string // path -> bytes, of the entries beyond the cabinet's
	}{
		{"control", nil, nil, nil},
		{"extra file", map[string][]byte{"UPDFILE0": updFile("readme.txt", []byte("hello"), -1)},
			[]string{"warning iexpress/updated-file setup.exe/readme.txt"}, map[string]string{"setup.exe/readme.txt": "hello"}},
		{"replaces a cabinet file", map[string][]byte{"UPDFILE0": updFile("APP.DLL", trojan, -1)},
			[]string{"error iexpress/updated-file setup.exe/APP.DLL"}, map[string]string{"setup.exe/APP.DLL": string(trojan)}},
		{"declares more", map[string][]byte{"UPDFILE0": updFile("x.dll", []byte("MZ"), 4096)},
			[]string{"warning iexpress/updated-file setup.exe/x.dll", "error iexpress/updated-file setup.exe/x.dll"}, map[string]string{"setup.exe/x.dll": "MZ"}},
		{"declares less", map[string][]byte{"UPDFILE0": updFile("x.txt", []byte("textMZ hidden"), 4)},
			[]string{"warning iexpress/updated-file setup.exe/x.txt", "warning iexpress/updated-file setup.exe/x.txt"}, map[string]string{"setup.exe/x.txt": "text", "setup.exe/x.txt.$trailing": "MZ hidden"}},
		{"gap", map[string][]byte{"UPDFILE0": updFile("a.txt", []byte("a"), -1), "UPDFILE2": updFile("b.dll", trojan, -1)},
			[]string{"warning iexpress/updated-file setup.exe/a.txt", "error iexpress/updated-file setup.exe"}, map[string]string{"setup.exe/a.txt": "a", "setup.exe/$RSRC/10/UPDFILE2/1033": string(updFile("b.dll", trojan, -1))}},
		{"insecure name", map[string][]byte{"UPDFILE0": updFile(`..\evil.dll`, trojan, -1)},
			[]string{"error file/insecure-path setup.exe"}, nil},
		{"no name", map[string][]byte{"UPDFILE0": {1, 0, 0, 0}},
			[]string{"error iexpress/updated-file setup.exe"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := iexpressUpd(t, tc.upd)
			var finds []string
			entries := map[string][]byte{}
			Walk(t.Context(), IExpress, strings.NewReader(string(img)), int64(len(img)), "setup.exe", nil, Visitor{
				Finding: func(f signing.Finding) {
					if f.Rule == RuleIExpressUpdatedFile || f.Rule == release.RuleInsecurePath {
						finds = append(finds, f.Severity.String()+" "+string(f.Rule)+" "+f.Path)
					}
				},
				Entry: func(e Entry) {
					if e.Path == "setup.exe/app.dll" || e.Path == "setup.exe/setup.bat" {
						return
					}
					rc, err := e.Source.Open()
					if err != nil {
						t.Fatal(err)
					}
					defer rc.Close()
					b, err := io.ReadAll(rc)
					if err != nil {
						t.Fatal(err)
					}
					entries[e.Path] = b
				},
			})
			slices.Sort(finds)
			want := slices.Sorted(slices.Values(tc.finds))
			if !slices.Equal(finds, want) {
				t.Errorf("findings %q, want %q", finds, want)
			}
			if len(entries) != len(tc.entries) {
				t.Errorf("entries %q, want %q", entries, tc.entries)
			}
			for p, b := range tc.entries {
				if string(entries[p]) != b {
					t.Errorf("%s holds %q, want %q (entries %q)", p, entries[p], b, slices.Sorted(maps.Keys(entries)))
				}
			}
		})
	}
}
