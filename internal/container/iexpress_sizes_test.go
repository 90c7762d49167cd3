package container

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/squirrel"
	"github.com/shipgate/shipgate/signing"
)

// iexpressWith returns an IExpress stub whose resources are the
// fixture's for cabinet, with FILESIZES replaced by sizes (nil: none).
func iexpressWith(t *testing.T, cabinet, sizes []byte) []byte {
	t.Helper()
	var rs []squirrel.BuildResource
	for _, r := range pefixtures.IExpressResources(cabinet, "setup.bat") {
		if r.Name != IExpressFileSizes {
			rs = append(rs, r)
		}
	}
	if sizes != nil {
		rs = append(rs, squirrel.BuildResource{TypeID: squirrel.RTRCData, Name: IExpressFileSizes, Data: sizes})
	}
	img, err := pefixtures.SquirrelSetup(rs)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// iexpressFindings walks img and returns its findings of rule as
// "message@offset" (offset -1 when none), and the entries' paths.
func iexpressFindings(t *testing.T, img []byte, rule signing.Rule) (finds []string, offs []int64, w *walked) {
	t.Helper()
	Walk(t.Context(), IExpress, bytes.NewReader(img), int64(len(img)), "setup.exe", nil, Visitor{Finding: func(f signing.Finding) {
		if f.Rule != rule {
			return
		}
		off := int64(-1)
		if f.Offset != nil {
			off = *f.Offset
		}
		finds = append(finds, f.Message)
		offs = append(offs, off)
	}})
	return finds, offs, walkAll(t, IExpress, img, "setup.exe", nil, 0)
}

// TestIExpressFileSizes: the FILESIZES resource wextract requires (36
// bytes, a total that is not 0) and whose total is the cabinet's is
// silent, the control; each way it fails is one iexpress/file-sizes
// warning, and the cabinet's files are checked all the same. The attack:
// a cabinet swapped into a built stub (here one with another file) keeps
// the old total.
func TestIExpressFileSizes(t *testing.T) {
	good := iexpressCab()
	sizes, ok := pefixtures.IExpressFileSizes(good)
	if !ok {
		t.Fatal("the fixture's cabinet is no cabinet")
	}
	swapped := cab.Build([]cab.BuildFile{{Name: "app.dll", Data: []byte("MZ app, trojanized: more bytes")}, {Name: "setup.bat", Data: []byte("rundll32 app.dll,Install")}}, cab.BuildOptions{Method: cab.MethodMSZIP})
	zeroTotal := append([]byte(nil), sizes...)
	binary.LittleEndian.PutUint32(zeroTotal[32:], 0)
	for _, tc := range []struct {
		name           string
		cabinet, sizes []byte
		want           string // in the one finding's message; "" for none
		total          bool   // the finding's offset is the total's
	}{
		{"control", good, sizes, "", false},
		{"missing", good, nil, "no FILESIZES resource", false},
		{"32 bytes", good, sizes[:32], "holds 32 bytes", false},
		{"zero total", good, zeroTotal, "a total of 0 bytes", true},
		{"cabinet swapped", swapped, sizes, "the cabinet is not the one IExpress packaged", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := iexpressWith(t, tc.cabinet, tc.sizes)
			finds, offs, w := iexpressFindings(t, img, RuleIExpressFileSizes)
			slices.Sort(w.paths)
			if !slices.Equal(w.paths, []string{"setup.exe/app.dll", "setup.exe/setup.bat"}) {
				t.Errorf("entries %q", w.paths)
			}
			if tc.want == "" {
				if len(finds) != 0 {
					t.Errorf("findings %q", finds)
				}
				return
			}
			if len(finds) != 1 || !strings.Contains(finds[0], tc.want) {
				t.Fatalf("findings %q, want one saying %q", finds, tc.want)
			}
			if tc.total {
				at := int64(bytes.Index(img, tc.sizes))
				if offs[0] != at+32 {
					t.Errorf("offset %d, want the total's, %d", offs[0], at+32)
				}
			}
		})
	}
}

// TestIExpressAttackCabinetTrailingData: bytes appended to the cabinet in
// its CABINET resource, past the length its header gives, are extracted
// by nothing (FDI reads the cabinet no further), yet signed with the
// stub: an iexpress/cabinet-trailing-data warning at their offset, and
// the bytes are handed over to be checked. FILESIZES still matches: the
// files are the same.
func TestIExpressAttackCabinetTrailingData(t *testing.T) {
	good := iexpressCab()
	sizes, _ := pefixtures.IExpressFileSizes(good)
	payload := []byte("MZ hidden payload")
	img := iexpressWith(t, append(append([]byte(nil), good...), payload...), sizes)
	finds, offs, w := iexpressFindings(t, img, RuleIExpressCabinetTrailing)
	at := int64(bytes.Index(img, payload))
	if len(finds) != 1 || offs[0] != at || !strings.Contains(finds[0], "17 bytes after") {
		t.Errorf("findings %q at %v, want one at %d", finds, offs, at)
	}
	p := "setup.exe/" + IExpressCabinetTrailing
	if !bytes.Equal(w.entries[p], payload) {
		t.Errorf("entries %q; %s holds %q", w.paths, p, w.entries[p])
	}
	if slices.ContainsFunc(w.finds, func(s string) bool { return strings.HasPrefix(s, string(RuleIExpressFileSizes)) }) {
		t.Errorf("findings %q", w.finds)
	}
}
