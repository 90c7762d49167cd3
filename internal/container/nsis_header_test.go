package container

import (
	"encoding/binary"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/nsis"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// TestWalkNSISAllZeroHeader: NSIS data whose stored header is all zeros
// (it parses: no instruction, every table at the header's start) is no
// header makensis writes; it is a file/malformed error at the offending
// field's file offset, with none of the data blocks handed over as an
// installer's files. The control, the same data with a real header, is
// read.
func TestWalkNSISAllZeroHeader(t *testing.T) {
	le := binary.LittleEndian
	good := nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\a.dll`, Data: []byte("MZ a")}}, nsis.BuildOptions{})
	hl := le.Uint32(good[20:])
	bad := append([]byte(nil), good...)
	clear(bad[28+4 : 28+4+hl])
	pe := stubPE(t)
	for name, data := range map[string][]byte{"control": good, "all-zero header": bad} {
		in := nsis.Stub(pe, data)
		at := int64(strings.Index(string(in), "NullsoftInst") - 8)
		var offs []int64
		w := walkAll(t, NSIS, in, "setup.exe", nil, 0)
		Walk(t.Context(), NSIS, strings.NewReader(string(in)), int64(len(in)), "setup.exe", nil, Visitor{Finding: func(f signing.Finding) {
			if f.Offset != nil {
				offs = append(offs, *f.Offset)
			}
		}})
		if name == "control" {
			if !slices.Equal(w.paths, []string{"setup.exe/$INSTDIR/a.dll"}) || len(w.finds) != 0 {
				t.Errorf("control: entries %q, findings %q", w.paths, w.finds)
			}
			continue
		}
		if len(w.paths) != 0 {
			t.Errorf("entries %q", w.paths)
		}
		// The instructions' offset field: 28 (firstheader) + 4 (block
		// length) + 20 into the header.
		if want := []string{string(release.RuleMalformed) + " setup.exe"}; !slices.Equal(w.finds, want) || !slices.Equal(offs, []int64{at + 28 + 4 + 20}) {
			t.Errorf("findings %q at %v, want %q at 0x%x", w.finds, offs, want, at+28+4+20)
		}
	}
}
