package codesign

import (
	"fmt"

	"github.com/shipgate/shipgate/signing"
)

// Page shifts the kernel accepts in a Mach-O's CodeDirectories. XNU's
// cs_validate_codedirectory (bsd/kern/ubc_subr.c) refuses with EBADEXEC,
// "disallowing unsupported code signature page shift", any pageSize other
// than PAGE_SHIFT_4K (12) or the running kernel's PAGE_SHIFT: 12 on Intel
// Macs, 14 (16 KiB) on arm64 kernels. So 0 (one hash over the whole code,
// which disk images use, never an executable), 13 or 15 and up are refused
// everywhere, and 16 KiB pages on an Intel Mac, where x86_64 slices run.
// Apple silicon runs an x86_64 slice under Rosetta with its own kernel,
// which takes 16 KiB pages; that does not make such a slice valid, since
// Intel Macs, which it is for, refuse it.
const (
	pageShift4K  = 12
	pageShift16K = 14
	// cpuARM64 and cpuARM6432 run only on kernels with 16 KiB pages
	// (Apple silicon Macs, watchOS), which accept both page shifts.
	cpuARM64   = 0x0100000c
	cpuARM6432 = 0x0200000c
)

// kernelRefusals reports what XNU refuses in a Mach-O slice's signature
// before checking a single page, so that such a slice is never valid:
// a CodeDirectory whose page size the kernel does not accept, and two
// CodeDirectories of one hash type (cs_validate_csblob ranks directories
// by hash type and rejects a repeated rank: "multiple hash=%d
// CodeDirectories in signature; rejecting"). Both are codesign/malformed,
// and the slice invalid. A disk image's embedded signature, which no
// kernel maps, is not judged here (its single hash has page size 0).
func (s *sliceState) kernelRefusals() {
	if s.embedded {
		return
	}
	base := s.slice.Offset
	seen := map[HashType]*CodeDirectory{}
	for _, cd := range s.cds {
		at := base + cd.off
		switch {
		case !s.kernelPageSize(cd.PageSize) && cd.PageSize == 1<<pageShift16K:
			// An Apple silicon kernel accepts its own 16 KiB pages
			// in an x86_64 slice it runs under Rosetta; an Intel
			// Mac's, the slice's own, refuses them: a thin file
			// runs only on Apple silicon, and a universal file's
			// Intel slice, chosen only on Intel Macs, never runs.
			s.add(RuleMalformed, signing.SeverityError, signing.StatusInvalid, at,
				fmt.Sprintf("%s has %s, which an Intel Mac's kernel refuses (it accepts only 4 KiB pages; only Apple silicon's, running the %s slice under Rosetta, accepts 16 KiB ones): Intel Macs will not run it",
					slotName(cd.Slot), pageSizeName(cd.PageSize), archOrCPU(s.slice)))
		case !s.kernelPageSize(cd.PageSize):
			s.add(RuleMalformed, signing.SeverityError, signing.StatusInvalid, at,
				fmt.Sprintf("%s has %s, which the kernel refuses for a %s slice (it accepts only 4 KiB pages%s): macOS will not run it",
					slotName(cd.Slot), pageSizeName(cd.PageSize), archOrCPU(s.slice), sixteenKiB(s.slice.CPUType)))
		}
		if prev, ok := seen[cd.HashType]; ok {
			s.add(RuleMalformed, signing.SeverityError, signing.StatusInvalid, at,
				fmt.Sprintf("%s repeats the hash type %s of %s: the kernel rejects a signature with two CodeDirectories of one hash type, and macOS will not run it", slotName(cd.Slot), cd.HashType, slotName(prev.Slot)))
			continue
		}
		seen[cd.HashType] = cd
	}
}

// kernelPageSize reports whether a kernel that runs slices of s's CPU type
// accepts CodeDirectory page size size.
func (s *sliceState) kernelPageSize(size int64) bool {
	switch size {
	case 1 << pageShift4K:
		return true
	case 1 << pageShift16K:
		return s.slice.CPUType == cpuARM64 || s.slice.CPUType == cpuARM6432
	}
	return false
}

func pageSizeName(size int64) string {
	if size == 0 {
		return "page size 0 (one hash over the whole code)"
	}
	return fmt.Sprintf("a page size of %d bytes", size)
}

func sixteenKiB(cpu uint32) string {
	if cpu == cpuARM64 || cpu == cpuARM6432 {
		return " and, on arm64, 16 KiB ones"
	}
	return ""
}

func archOrCPU(sl Slice) string {
	if sl.Arch != "" {
		return sl.Arch
	}
	return fmt.Sprintf("CPU type %#x", sl.CPUType)
}
