package authenticode

import (
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackUnalignedSectionEndMapsCertTable: the Windows loader maps a
// section's file data up to PointerToRawData+SizeOfRawData rounded up to
// FileAlignment (MiCreateImageFileMap's ending sector), not up to
// PointerToRawData plus SizeOfRawData rounded. With PointerToRawData off
// the FileAlignment grid the two differ: a section at 0x300 of 0x180 bytes
// (FileAlignment 0x200) is mapped to 0x600, and a certificate table at
// 0x500 had its first 0x100 bytes mapped into an executable section while
// the file passed as valid. The controls, a section on the grid and one
// whose rounded end stops before the table, stay valid.
func TestAttackUnalignedSectionEndMapsCertTable(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := fixtureTrust(t)
	for _, tc := range []struct {
		name        string
		off, size   int64
		wantFinding bool
	}{
		{"off the grid, rounded end past the table start", 0x300, 0x180, true},
		{"off the grid, rounded end at the table start", 0x300, 0x100, false},
		{"on the grid", 0x200, 0x180, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img, err := pefile.Build(pefile.Spec{})
			if err != nil {
				t.Fatal(err)
			}
			img = img[:0x500] // the table follows at 0x500
			editSection(t, img, 0, tc.size, tc.size, tc.off)
			res := verifyBytes(t, signImage(t, p, img), Options{Trust: trust, Time: fixtures.Now})
			if res.CertTable.Offset != 0x500 {
				t.Fatalf("table at %#x, want 0x500", res.CertTable.Offset)
			}
			got := findingsOf(res, RuleSectionOverlapsCertTable)
			want := signing.StatusValid
			if tc.wantFinding {
				want = signing.StatusInvalid
				if len(got) != 1 || got[0].Severity != signing.SeverityError {
					t.Errorf("findings %v, want one error %s", got, RuleSectionOverlapsCertTable)
				}
			} else if len(got) != 0 {
				t.Errorf("findings %v, want none", got)
			}
			if res.Status != want {
				t.Errorf("status %s, want %s", res.Status, want)
			}
		})
	}
}
