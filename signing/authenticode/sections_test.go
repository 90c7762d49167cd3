package authenticode

import (
	"bytes"
	"crypto"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// sectionHeader returns the offset of section header i of img.
func sectionHeader(t *testing.T, img []byte, i int) int {
	t.Helper()
	in, err := pefile.Parse(img)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	oh := in.Lfanew + 24
	return oh + int(le.Uint16(img[in.Lfanew+20:])) + 40*i
}

// editSection sets section i's VirtualSize, SizeOfRawData and
// PointerToRawData (negative values keep the field).
func editSection(t *testing.T, img []byte, i int, vsize, rawSize, rawOff int64) {
	t.Helper()
	h := sectionHeader(t, img, i)
	le := binary.LittleEndian
	if vsize >= 0 {
		le.PutUint32(img[h+8:], uint32(vsize))
	}
	if rawSize >= 0 {
		le.PutUint32(img[h+16:], uint32(rawSize))
	}
	if rawOff >= 0 {
		le.PutUint32(img[h+20:], uint32(rawOff))
	}
	pefile.SetChecksum(img)
}

// signImage signs img (edited headers and all, so the digest matches) with
// the fixture leaf.
func signImage(t *testing.T, p *fixtures.PKI, img []byte) []byte {
	t.Helper()
	out, err := pefile.SignAttach(img, pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func findingsOf(res *Result, rule signing.Rule) []signing.Finding {
	var out []signing.Finding
	for _, f := range res.Findings {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

// Sections whose file data the loader maps over the certificate table or the
// skipped header fields are errors; overlapping sections are warnings. Each
// file is signed after its headers were edited, so its digest matches and
// only the layout check can catch it.
func TestSectionLayout(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	base := fixtures.Base()
	in, err := pefile.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	last := len(in.Sections) - 1
	lastSec := in.Sections[last]
	// The signed size of base's table, to grow the last section over it.
	tableLen := int64(len(signImage(t, p, base)) - len(base))

	cases := []struct {
		name   string
		make   func() []byte
		rule   signing.Rule // "" for no layout finding
		sev    signing.Severity
		status signing.Status
	}{
		{name: "clean", make: func() []byte { return bytes.Clone(base) }, status: signing.StatusValid},
		{name: "raw-data-over-table", rule: RuleSectionOverlapsCertTable, sev: signing.SeverityError, status: signing.StatusInvalid, make: func() []byte {
			img := bytes.Clone(base)
			editSection(t, img, last, -1, int64(lastSec.Size)+tableLen, -1)
			return img
		}},
		{name: "file-alignment-rounding-over-table", rule: RuleSectionOverlapsCertTable, sev: signing.SeverityError, status: signing.StatusInvalid, make: func() []byte {
			// SizeOfRawData 0x240 (not a multiple of FileAlignment 0x200)
			// and the table right after it: the loader maps 0x400 bytes.
			img := bytes.Clone(base[:lastSec.Offset+0x240])
			editSection(t, img, last, 0x240, 0x240, -1)
			return img
		}},
		{name: "unaligned-raw-size-table-after-rounding", status: signing.StatusValid, make: func() []byte {
			// The same unaligned SizeOfRawData, but the file keeps the
			// padding to FileAlignment, so the table starts after every
			// byte the loader maps.
			img := bytes.Clone(base[:lastSec.Offset+0x240])
			editSection(t, img, last, 0x240, 0x240, -1)
			return append(img, make([]byte, 0x400-0x240)...)
		}},
		{name: "sections-share-data", rule: RuleSectionOverlap, sev: signing.SeverityWarning, status: signing.StatusValid, make: func() []byte {
			img := bytes.Clone(base)
			editSection(t, img, 1, -1, -1, int64(in.Sections[0].Offset))
			return img
		}},
		{name: "section-in-headers", rule: RuleSectionOverlap, sev: signing.SeverityWarning, status: signing.StatusValid, make: func() []byte {
			// SizeOfHeaders grown over the first section, which starts at
			// 0x200, past the fields the digest skips.
			img := bytes.Clone(base)
			binary.LittleEndian.PutUint32(img[in.Lfanew+24+60:], in.Sections[0].Offset+0x200)
			pefile.SetChecksum(img)
			return img
		}},
		{name: "section-rounded-down-over-checksum", rule: RuleSectionOverlap, sev: signing.SeverityError, status: signing.StatusInvalid, make: func() []byte {
			// PointerToRawData 0x1f8 is read from 0: the loader rounds it
			// down to 512 bytes, so the section starts with the headers.
			img := bytes.Clone(base)
			editSection(t, img, 0, -1, -1, 0x1f8)
			return img
		}},
		{name: "section-over-checksum", rule: RuleSectionOverlap, sev: signing.SeverityError, status: signing.StatusInvalid, make: func() []byte {
			img := bytes.Clone(base)
			editSection(t, img, 0, -1, -1, int64(in.ChecksumOff&^7))
			return img
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img := signImage(t, p, c.make())
			res := verifyBytes(t, img, Options{Trust: fixtureTrust(t), Time: fixtures.Now})
			if res.Status != c.status {
				t.Errorf("status %s, want %s; findings %v", res.Status, c.status, res.Findings)
			}
			for _, s := range res.Signatures {
				if s.Digest == nil || !s.Digest.Match() {
					t.Errorf("digest does not match: the case must be caught by the layout check alone")
				}
			}
			var layout []signing.Finding
			for _, r := range []signing.Rule{RuleSectionOverlapsCertTable, RuleSectionOverlap} {
				layout = append(layout, findingsOf(res, r)...)
			}
			if c.rule == "" {
				if len(layout) > 0 {
					t.Errorf("layout findings %v, want none", layout)
				}
				return
			}
			if len(layout) == 0 || layout[0].Rule != c.rule || layout[0].Severity != c.sev {
				t.Errorf("layout findings %v, want %s (%s)", layout, c.rule, c.sev)
			}
		})
	}
}

// A signed PE cut short, before or inside its certificate table, is damaged
// (cert-table-invalid, a malformed signature), never unsigned.
func TestTruncatedSignedPE(t *testing.T) {
	t.Parallel()
	img, err := os.ReadFile(filepath.Join(fixtureDir, "sha256.exe"))
	if err != nil {
		t.Fatal(err)
	}
	in, err := pefile.Parse(img)
	if err != nil {
		t.Fatal(err)
	}
	table := int(in.CertOff)
	cuts := map[string]int{
		"in-last-section":       table - 0x100,
		"at-table":              table,
		"in-entry-header":       table + 4,
		"after-entry-header":    table + 8,
		"in-pkcs7":              table + 8 + 200,
		"in-pkcs7-certificates": table + int(in.CertSize)/2,
		"last-byte":             len(img) - 1,
	}
	names := make([]string, 0, len(cuts))
	for n := range cuts {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			cut := img[:cuts[name]]
			res := verifyBytes(t, cut, Options{Trust: fixtureTrust(t), Time: fixtures.Now})
			if res.Status == signing.StatusUnsigned || res.Status == signing.StatusValid || len(res.Signatures) == 0 {
				t.Fatalf("status %s with %d signatures, want a damaged signature", res.Status, len(res.Signatures))
			}
			if len(findingsOf(res, RuleCertTableInvalid)) == 0 {
				t.Errorf("no %s finding: %v", RuleCertTableInvalid, res.Findings)
			}
			for _, f := range res.Findings {
				if f.Severity != signing.SeverityError && f.Rule != RuleChecksumMismatch {
					t.Errorf("finding %v is not an error", f)
				}
			}
		})
	}
}

// A hostile section table yields a bounded number of layout findings.
func TestSectionLayoutBounded(t *testing.T) {
	t.Parallel()
	var secs []pefile.Section
	for i := 0; i < 60; i++ {
		secs = append(secs, pefile.Section{Name: ".s", Data: bytes.Repeat([]byte{byte(i)}, 0x200)})
	}
	img, err := pefile.Build(pefile.Spec{Sections: secs})
	if err != nil {
		t.Fatal(err)
	}
	in, _ := pefile.Parse(img)
	for i := range secs {
		editSection(t, img, i, -1, -1, int64(in.Sections[0].Offset))
	}
	res := verifyBytes(t, signImage(t, fixtures.NewPKI(), img), Options{})
	if n := len(findingsOf(res, RuleSectionOverlap)); n == 0 || n > maxOverlapFindings+1 {
		t.Errorf("%d section-overlap findings, want 1 to %d", n, maxOverlapFindings+1)
	}
}
