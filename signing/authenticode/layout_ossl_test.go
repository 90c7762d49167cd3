package authenticode

import (
	"encoding/binary"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/signing"
)

// TestOsslsigncodeLayoutsMappingCertTable cross-checks the layouts of
// TestAttackLowAlignmentMapsCertTable and
// TestAttackUnalignedSectionEndMapsCertTable with osslsigncode: it signs
// each image, appending the certificate table where the loader maps it,
// and verifies the signature it made; only the loader's view of the
// layout tells the file apart, and shipgate reports it.
func TestOsslsigncodeLayoutsMappingCertTable(t *testing.T) {
	t.Parallel()
	e := newOsslEnv(t)
	lowAlign := func(t *testing.T) []byte {
		img, err := pefile.Build(pefile.Spec{SectionAlignment: 0x200, FileAlignment: 0x200})
		if err != nil {
			t.Fatal(err)
		}
		oh := int(binary.LittleEndian.Uint32(img[0x3c:])) + 24
		binary.LittleEndian.PutUint32(img[oh+56:], 0x2000) // SizeOfImage over the table
		pefile.SetChecksum(img)
		return img
	}
	unaligned := func(t *testing.T) []byte {
		img, err := pefile.Build(pefile.Spec{})
		if err != nil {
			t.Fatal(err)
		}
		img = img[:0x500]
		editSection(t, img, 0, 0x180, 0x180, 0x300) // mapped to 0x600
		return img
	}
	for _, tc := range []struct {
		name  string
		build func(*testing.T) []byte
	}{
		{"low-alignment", lowAlign},
		{"unaligned-section", unaligned},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := e.write(tc.name+".exe", tc.build(t))
			_, out := e.sign(t, in, tc.name+"-signed.exe")
			if o, err := e.verify(out); err != nil {
				t.Fatalf("osslsigncode does not verify its own signature: %v\n%s", err, o)
			}
			res, err := Open(out, Options{Trust: e.trust, Time: fixtures.Now})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != signing.StatusInvalid || len(findingsOf(res, RuleSectionOverlapsCertTable)) == 0 {
				t.Errorf("status %s, findings %+v; want invalid with %s", res.Status, res.Findings, RuleSectionOverlapsCertTable)
			}
			for _, s := range res.Signatures {
				if s.Digest == nil || !s.Digest.Match() {
					t.Errorf("digest %+v does not match: only the layout should fail", s.Digest)
				}
			}
		})
	}
}
