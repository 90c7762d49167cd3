package authenticode

import (
	"fmt"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// loaderPage is the page size of the Windows memory manager on the
// machines it runs PE images for (x86, x64, ARM64).
const loaderPage = 4096

// efiSubsystem reports whether subsystem names a UEFI image (application,
// boot or runtime driver, ROM): firmware loads those by copying the
// headers and each section, never through the Windows memory manager.
func efiSubsystem(subsystem uint16) bool { return subsystem >= 10 && subsystem <= 13 }

// checkLowAlignment reports the certificate table bytes that the Windows
// memory manager maps into a low-alignment image. When SectionAlignment is
// below the page size, MiCreateImageFileMap builds no subsection per
// section: it requires every section's PointerToRawData to equal its
// VirtualAddress and maps the file itself, one to one, as a single
// subsection with execute and copy-on-write protection, over the pages of
// SizeOfImage; on 64-bit Windows the subsection is backed by the file to
// its end, so the last page holds file bytes up to the page boundary
// (32-bit Windows stops at SizeOfImage). Certificate table bytes in that
// range run as part of the image, though the Authenticode digest skips
// them. A table that starts below SizeOfImage is an error that fails every
// signature, as a section over the table is (checkSections): no linker
// sets SizeOfImage past the table, which signers append after the last
// section. A table reached only by the rounding of SizeOfImage up to a
// page is a warning: linkers of low-alignment images (drivers linked with
// /ALIGN:0x80, say) leave it so, and the table's bytes there are the
// PKCS#7's, whose every unsigned byte the ownership checks bound.
// UEFI images are not mapped by Windows and are not judged here.
func (v *verifier) checkLowAlignment() {
	l := v.l
	if l.secDirOff < 0 || l.certLen <= 0 || l.sectionAlign == 0 || l.sectionAlign >= loaderPage || efiSubsystem(l.subsystem) {
		return
	}
	mapEnd := min(l.size, (int64(l.sizeOfImage)+loaderPage-1)/loaderPage*loaderPage)
	ts, te := l.certOff, min(l.certOff+l.certLen, l.size)
	if ts >= mapEnd || te <= ts {
		return
	}
	mapped := fmt.Sprintf("SectionAlignment 0x%x is below the %d-byte page, so Windows maps the file one to one as a single executable region over the pages of SizeOfImage 0x%x, file bytes to 0x%x", l.sectionAlign, loaderPage, l.sizeOfImage, mapEnd)
	if ts < int64(l.sizeOfImage) {
		why := fmt.Sprintf("%s; the certificate table [0x%x, 0x%x) starts inside SizeOfImage", mapped, ts, te)
		v.tableProblems = append(v.tableProblems, "a low-alignment image maps the certificate table")
		v.finding(RuleSectionOverlapsCertTable, signing.SeverityError, -1, ts,
			why+": the loader maps bytes the Authenticode digest skips, so they run unsigned")
		return
	}
	v.lowMapped = span{ts, min(te, mapEnd)}
	v.finding(RuleSectionOverlapsCertTable, signing.SeverityWarning, -1, ts,
		fmt.Sprintf("%s, on 64-bit Windows; the %d bytes of the certificate table [0x%x, 0x%x) before that page boundary are mapped executable with the image, though the Authenticode digest skips them", mapped, min(te, mapEnd)-ts, ts, min(te, mapEnd)))
}

// escalateLowMapped runs once every signature is judged. The part of the
// certificate table a low-alignment image maps through its last page
// (lowMapped, a warning of checkLowAlignment) is harmless while it holds
// the PKCS#7's owned bytes; when a finding tolerated alone (an unused
// certificate, unowned signature data) lies in it, those bytes are ones
// no signature covers that the loader maps executable: an error, and
// every signature is invalid.
func (v *verifier) escalateLowMapped() {
	m := v.lowMapped
	if m.end <= m.start {
		return
	}
	var at []string
	first := int64(-1)
	for _, f := range v.res.Findings {
		if (f.Rule != RuleUnusedCertificate && f.Rule != RuleUnownedSignatureData) || f.Offset == nil || *f.Offset < m.start || *f.Offset >= m.end {
			continue
		}
		if first < 0 || *f.Offset < first {
			first = *f.Offset
		}
		at = append(at, fmt.Sprintf("0x%x", *f.Offset))
	}
	if first < 0 {
		return
	}
	msg := fmt.Sprintf("the low-alignment image maps the certificate table's bytes [0x%x, 0x%x) executable, and they hold data no signature owns (an unused certificate or unowned signature data, at %s): it runs unsigned", m.start, m.end, strings.Join(dedupeStrings(at), ", "))
	v.finding(RuleSectionOverlapsCertTable, signing.SeverityError, -1, first, msg)
	v.res.Status = signing.StatusValid
	for i := range v.res.Signatures {
		s := &v.res.Signatures[i]
		s.AddCheck(CheckCertTable, false, msg)
		s.Status = s.Status.Worse(signing.StatusInvalid)
		v.res.Status = v.res.Status.Worse(s.Status)
	}
	signing.SortFindings(v.res.Findings)
}
