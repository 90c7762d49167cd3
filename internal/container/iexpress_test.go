package container

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/squirrel"
	"github.com/shipgate/shipgate/signing"
)

// iexpressCab is the cabinet the IExpress fixtures carry.
func iexpressCab() []byte {
	return cab.Build([]cab.BuildFile{{Name: "app.dll", Data: []byte("MZ app")}, {Name: "setup.bat", Data: []byte("rundll32 app.dll,Install")}}, cab.BuildOptions{Method: cab.MethodMSZIP})
}

// TestWalkIExpress: an IExpress stub is detected, its cabinet's files are
// handed over under its path, and its RUNPROGRAM is a note (the
// POSTRUNPROGRAM "<None>" is not).
func TestWalkIExpress(t *testing.T) {
	img, err := pefixtures.IExpressSetup(iexpressCab(), "setup.bat")
	if err != nil {
		t.Fatal(err)
	}
	if k := Detect(bytes.NewReader(img), ".exe", img[:HeadLen], int64(len(img))); k != IExpress {
		t.Fatalf("detected as %s", k)
	}
	var notes []string
	w := walkAll(t, IExpress, img, "setup.exe", nil, 0)
	Walk(t.Context(), IExpress, bytes.NewReader(img), int64(len(img)), "setup.exe", nil, Visitor{Finding: func(f signing.Finding) { notes = append(notes, f.Message) }})
	slices.Sort(w.paths)
	if !slices.Equal(w.paths, []string{"setup.exe/app.dll", "setup.exe/setup.bat"}) || string(w.entries["setup.exe/app.dll"]) != "MZ app" {
		t.Errorf("entries %q", w.paths)
	}
	if !slices.Equal(w.finds, []string{string(RuleIExpressCommand) + " setup.exe"}) || len(notes) != 1 || !strings.Contains(notes[0], `RUNPROGRAM "setup.bat"`) {
		t.Errorf("findings %q %q", w.finds, notes)
	}
}

// cabinetEntry returns the file offset of the CABINET resource's data
// entry in img: the RVA and size pair that locates its data.
func cabinetEntry(t *testing.T, img []byte) int {
	t.Helper()
	rs, err := squirrel.Resources(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if isIExpressCabinet(r) {
			var size [4]byte
			binary.LittleEndian.PutUint32(size[:], uint32(r.Size))
			// The data entries precede the data; the entry's size field
			// follows its RVA.
			if i := bytes.Index(img[:r.Offset], size[:]); i >= 4 {
				return i - 4
			}
		}
	}
	t.Fatal("no CABINET resource")
	return 0
}

// TestIExpressCabinetOutsideFile: a CABINET resource whose data range lies
// past the file's end is a file/malformed error naming its data entry's
// offset, not a panic nor a stub that passes with its files unchecked.
func TestIExpressCabinetOutsideFile(t *testing.T) {
	img, err := pefixtures.IExpressSetup(iexpressCab(), "setup.bat")
	if err != nil {
		t.Fatal(err)
	}
	at := cabinetEntry(t, img)
	binary.LittleEndian.PutUint32(img[at+4:], 0x7ffffff0)
	if k := Detect(bytes.NewReader(img), ".exe", img[:HeadLen], int64(len(img))); k != IExpress {
		t.Fatalf("detected as %s", k)
	}
	var offs []int64
	var rules []string
	Walk(t.Context(), IExpress, bytes.NewReader(img), int64(len(img)), "setup.exe", nil, Visitor{
		Entry: func(e Entry) { t.Errorf("entry %s", e.Path) },
		Finding: func(f signing.Finding) {
			rules = append(rules, string(f.Rule)+" "+f.Severity.String())
			if f.Rule == release.RuleMalformed && f.Offset != nil {
				offs = append(offs, *f.Offset)
			}
		},
	})
	if len(offs) != 1 || offs[0] != int64(at) || !slices.Contains(rules, string(release.RuleMalformed)+" "+signing.SeverityError.String()) {
		t.Errorf("findings %q, offsets %v, want one malformed error at 0x%x", rules, offs, at)
	}
}

// TestIExpressCabinetNotACabinet: a CABINET resource that holds no
// cabinet is a file/malformed error at its data.
func TestIExpressCabinetNotACabinet(t *testing.T) {
	img, err := pefixtures.IExpressSetup([]byte("not a cabinet, just bytes here to fill"), "x")
	if err != nil {
		t.Fatal(err)
	}
	w := walkAll(t, IExpress, img, "setup.exe", nil, 0)
	if len(w.paths) != 0 || !slices.Contains(w.finds, string(release.RuleMalformed)+" setup.exe") {
		t.Errorf("entries %q, findings %q", w.paths, w.finds)
	}
}
