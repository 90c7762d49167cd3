package authenticode

import (
	"bytes"
	"crypto"
	"encoding/binary"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackLowAlignmentMapsCertTable: with SectionAlignment below the
// 4 KiB page, Windows maps a PE file one to one, as a single executable
// region over the pages of SizeOfImage, not section by section. A signer
// that sets SizeOfImage past the end of its last section makes the loader
// map the certificate table, which the digest skips, into the running
// image: the file passed as valid, since no section covers the table. It
// is now an error that fails the signature; the page rounding every
// low-alignment image has is a warning, an error when the bytes it maps
// hold data no signature owns (which is tolerated alone, as where the
// loader does not map it), and images of normal alignment or for UEFI are
// not judged so.
func TestAttackLowAlignmentMapsCertTable(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := fixtureTrust(t)
	for _, tc := range []struct {
		name        string
		spec        pefile.Spec
		sizeOfImage uint32 // 0 keeps the linker's
		subsystem   uint16 // 0 keeps the console subsystem
		// unowned adds a 16-byte digestAlgorithms entry no signer uses,
		// data no signature owns that is tolerated alone.
		unowned bool
		sev     signing.Severity
		finding bool
		status  signing.Status
	}{
		{name: "low alignment, SizeOfImage over the table", spec: pefile.Spec{SectionAlignment: 0x200, FileAlignment: 0x200}, sizeOfImage: 0x2000,
			finding: true, sev: signing.SeverityError, status: signing.StatusInvalid},
		{name: "low alignment, PE32, SizeOfImage over the table", spec: pefile.Spec{PE32: true, SectionAlignment: 0x80, FileAlignment: 0x80}, sizeOfImage: 0x3000,
			finding: true, sev: signing.SeverityError, status: signing.StatusInvalid},
		{name: "low alignment as linked: the last page reaches the table", spec: pefile.Spec{SectionAlignment: 0x200, FileAlignment: 0x200},
			finding: true, sev: signing.SeverityWarning, status: signing.StatusValid},
		{name: "low alignment as linked, unowned data in the last page", spec: pefile.Spec{SectionAlignment: 0x200, FileAlignment: 0x200}, unowned: true,
			finding: true, sev: signing.SeverityError, status: signing.StatusInvalid},
		{name: "page alignment, unowned data", spec: pefile.Spec{}, unowned: true,
			status: signing.StatusValid},
		{name: "low alignment, table on a page boundary", spec: pefile.Spec{SectionAlignment: 0x200, FileAlignment: 0x200, Size: 0x1000},
			status: signing.StatusValid},
		{name: "page alignment, SizeOfImage over the table", spec: pefile.Spec{}, sizeOfImage: 0x8000,
			status: signing.StatusValid},
		{name: "low alignment UEFI application", spec: pefile.Spec{SectionAlignment: 0x200, FileAlignment: 0x200}, sizeOfImage: 0x2000, subsystem: 10,
			status: signing.StatusValid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img, err := pefile.Build(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			oh := int(binary.LittleEndian.Uint32(img[0x3c:])) + 24
			if tc.sizeOfImage != 0 {
				binary.LittleEndian.PutUint32(img[oh+56:], tc.sizeOfImage)
			}
			if tc.subsystem != 0 {
				binary.LittleEndian.PutUint16(img[oh+68:], tc.subsystem)
			}
			pefile.SetChecksum(img)
			spec := pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256}
			if tc.unowned {
				spec.Tweak = func(c *testpki.CMSSpec) {
					c.ExtraDigestAlgorithms = [][]byte{testpki.TLV(0x30, testpki.TLV(0x06, append([]byte{0x2a}, bytes.Repeat([]byte{'P'}, 11)...)))}
				}
			}
			signed, err := pefile.SignAttach(img, spec)
			if err != nil {
				t.Fatal(err)
			}
			res := verifyBytes(t, signed, Options{Trust: trust, Time: fixtures.Now})
			if res.Status != tc.status {
				t.Errorf("status %s, want %s", res.Status, tc.status)
			}
			got := findingsOf(res, RuleSectionOverlapsCertTable)
			if !tc.finding {
				for _, f := range got {
					t.Errorf("unexpected finding %s: %s", f.Severity, f.Message)
				}
				return
			}
			var sevs []signing.Severity
			for _, f := range got {
				sevs = append(sevs, f.Severity)
			}
			if !slices.Contains(sevs, tc.sev) || (tc.sev == signing.SeverityError && tc.unowned) != (len(got) == 2) {
				t.Fatalf("findings %v, want a %s %s (and the warning it escalates)", got, tc.sev, RuleSectionOverlapsCertTable)
			}
			if o := got[0].Offset; o == nil || *o != res.CertTable.Offset {
				t.Errorf("finding offset %v, want the table's %#x", o, res.CertTable.Offset)
			}
		})
	}
}
