package authenticode

import (
	"fmt"
	"sort"

	"github.com/shipgate/shipgate/signing"
)

// maxOverlapFindings bounds the section-overlap findings of one file.
const maxOverlapFindings = 16

// mappedStart returns where the Windows loader starts reading s's file data:
// PointerToRawData rounded down to 512 bytes, whatever FileAlignment says.
func mappedStart(s section) int64 { return int64(s.off) &^ 0x1ff }

// mappedEnd returns the end of the file bytes the Windows loader copies into
// memory for s: SizeOfRawData rounded up to FileAlignment, but no more than
// VirtualSize rounded up to SectionAlignment (when VirtualSize is set). It is
// at least PointerToRawData+SizeOfRawData, which UEFI loaders (EDK2) map.
// Alignments outside the loader's range (above 64 KiB, or not set) are not
// rounded by. Past that, it is at least where MiCreateImageFileMap ends the
// section's subsection, PointerToRawData+SizeOfRawData rounded up to
// FileAlignment, within the pages that hold file data (those below both
// SizeOfRawData and VirtualSize, from mappedStart): with PointerToRawData
// off the FileAlignment grid that reaches further
// (TestAttackUnalignedSectionEndMapsCertTable).
func (l *layout) mappedEnd(s section) int64 {
	start, raw := int64(s.off), int64(s.size)
	end := start + raw
	if fa := int64(l.fileAlign); fa > 1 && fa <= 1<<16 {
		n := (raw + fa - 1) / fa * fa
		if s.vsize != 0 {
			v := int64(s.vsize)
			if sa := int64(l.sectionAlign); sa > 1 && sa <= 1<<16 {
				v = (v + sa - 1) / sa * sa
			}
			n = min(n, v)
		}
		end = max(end, start+n)
		backed := raw // the bytes of the file-backed pages
		if s.vsize != 0 {
			backed = min(backed, int64(s.vsize))
		}
		pages := mappedStart(s) + (backed+loaderPage-1)/loaderPage*loaderPage
		end = max(end, min((start+raw+fa-1)/fa*fa, pages))
	}
	return end
}

// checkSections looks at the sections' file data, as the loader maps it
// (mappedStart, mappedEnd), against the bytes the
// Authenticode digest skips and against each other. The digest covers every
// byte of the file but three ranges: the CheckSum field, the security
// directory entry and the certificate table. A section whose data reaches
// into one of them makes the loader map bytes no signature covers: into the
// certificate table (an error that fails every signature, as stuffing the
// table does), or over the CheckSum field or the directory entry (an error
// too). Sections that overlap each other or the rest of the headers are
// hashed once, in file order, like every other byte, so they hide nothing
// from the digest; but Go's, MSVC's and mingw's linkers never lay them out
// that way, and Authenticode's formal algorithm (which hashes section by
// section) disagrees with Windows' linear one on them, so they are reported
// as a warning.
func (v *verifier) checkSections() {
	l := v.l
	type rng struct {
		s          section
		start, end int64
	}
	var secs []rng
	for _, s := range l.sections {
		if s.size == 0 {
			continue
		}
		secs = append(secs, rng{s, int64(s.off), int64(s.off) + int64(s.size)})
	}
	// Findings are bounded per rule, so a hostile section table costs
	// little; a table problem past the bound is still one.
	count := map[signing.Rule]int{}
	report := func(rule signing.Rule, sev signing.Severity, off int64, msg string, problem bool) {
		n := count[rule]
		count[rule]++
		switch {
		case n < maxOverlapFindings:
			v.finding(rule, sev, -1, off, msg)
			if problem {
				v.tableProblems = append(v.tableProblems, msg)
			}
		case n == maxOverlapFindings:
			v.finding(rule, sev, -1, off, fmt.Sprintf("more than %d such section layout problems; the rest are not reported", maxOverlapFindings))
			if problem {
				v.tableProblems = append(v.tableProblems, "more section layout problems")
			}
		}
	}
	// The certificate table.
	if l.secDirOff >= 0 && l.certLen > 0 {
		ts, te := l.certOff, l.certOff+l.certLen
		for _, r := range secs {
			mend := l.mappedEnd(r.s)
			var why string
			switch {
			case r.start < te && r.end > ts:
				why = fmt.Sprintf("section %q file data [0x%x, 0x%x) overlaps the certificate table [0x%x, 0x%x)", r.s.name, r.start, r.end, ts, te)
			case r.start < te && mend > ts:
				why = fmt.Sprintf("section %q has SizeOfRawData 0x%x, which the loader rounds up to FileAlignment 0x%x (VirtualSize 0x%x), so it maps [0x%x, 0x%x), which overlaps the certificate table [0x%x, 0x%x)", r.s.name, r.s.size, l.fileAlign, r.s.vsize, r.start, mend, ts, te)
			default:
				continue
			}
			report(RuleSectionOverlapsCertTable, signing.SeverityError, max(r.start, ts),
				why+": the loader maps bytes the Authenticode digest skips, so they run unsigned", true)
		}
	}
	// The headers, and within them the two fields the digest skips.
	skipped := []span{{l.checksumOff, l.checksumOff + 4}}
	if l.secDirOff >= 0 {
		skipped = append(skipped, span{l.secDirOff, l.secDirOff + 8})
	}
	for _, r := range secs {
		ms, me := mappedStart(r.s), l.mappedEnd(r.s)
		var hit []string
		for k, x := range skipped {
			if ms < x.end && me > x.start {
				hit = append(hit, [...]string{"the CheckSum field", "the security directory entry"}[k])
			}
		}
		switch {
		case len(hit) > 0:
			report(RuleSectionOverlap, signing.SeverityError, r.start, fmt.Sprintf("section %q file data [0x%x, 0x%x), as the loader reads it [0x%x, 0x%x), covers %s, which the Authenticode digest skips: the loader maps those bytes into the section unsigned", r.s.name, r.start, r.end, ms, me, joinAnd(hit)), true)
		case r.start < int64(l.sizeOfHeaders):
			report(RuleSectionOverlap, signing.SeverityWarning, r.start, fmt.Sprintf("section %q file data [0x%x, 0x%x) overlaps the headers (SizeOfHeaders 0x%x); no linker lays sections out so", r.s.name, r.start, r.end, l.sizeOfHeaders), false)
		}
	}
	// Each other.
	sort.SliceStable(secs, func(a, b int) bool { return secs[a].start < secs[b].start })
	far := 0 // the section reaching furthest so far
	for i := 1; i < len(secs); i++ {
		if p := secs[far]; secs[i].start < p.end {
			report(RuleSectionOverlap, signing.SeverityWarning, secs[i].start, fmt.Sprintf("sections %q [0x%x, 0x%x) and %q [0x%x, 0x%x) share file data; no linker lays sections out so", p.s.name, p.start, p.end, secs[i].s.name, secs[i].start, secs[i].end), false)
		}
		if secs[i].end > secs[far].end {
			far = i
		}
	}
}

func joinAnd(s []string) string {
	if len(s) == 2 {
		return s[0] + " and " + s[1]
	}
	return s[0]
}
