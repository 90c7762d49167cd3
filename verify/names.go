package verify

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/internal/filekind"
	"github.com/shipgate/shipgate/signing"
)

// windowsName returns the "/"-separated path p as Win32 resolves it: a
// backslash separates elements as "/" does (`lib\evil.dll` is lib/evil.dll,
// and empty elements are dropped), and each element loses an NTFS stream
// suffix (":stream" or "::$DATA") and its trailing dots and spaces.
// "app.exe.", "app.exe " and "app.exe::$DATA" all open app.exe. A NUL byte
// ends an element too, as it ends the name an extractor written in C passes
// to the file system.
func windowsName(p string) string {
	els := strings.Split(strings.ReplaceAll(p, `\`, "/"), "/")
	out := els[:0]
	for _, el := range els {
		if el == "" {
			continue
		}
		if j := strings.IndexAny(el, ":\x00"); j >= 0 {
			el = el[:j]
		}
		out = append(out, strings.TrimRight(el, ". "))
	}
	return strings.Join(out, "/")
}

// checkWindowsAlias reports native code and asar archives whose path is not
// the one Windows installs them under. The policy's rules match the path as
// it is in the release, so "app.exe." would escape a rule for "*.exe" (a
// signer requirement, say) and still be installed as app.exe by an
// extractor or installer running on Windows.
func (c *check) checkWindowsAlias() {
	if !c.f.Kind.Native() && c.f.Kind != KindAsar {
		return
	}
	w := windowsName(c.f.Path)
	if w == c.f.Path {
		return
	}
	c.add(RuleWindowsAlias, signing.SeverityError, fmt.Sprintf("%s file's name %q is %q on Windows (a backslash separates folders; trailing dots and spaces, NTFS stream suffixes and what follows a NUL are dropped), so policy rules matched a name it is not installed under", kindLabel(c.f.Kind), c.f.Path, w))
}

// archiveMagic lists the container formats recognised by their first bytes
// (tar by its ustar magic at 257) that are not opened, and the binary
// patches an updater builds files from (patch): Squirrel.Windows' delta
// packages (App-1.2.3-delta.nupkg) carry lib/net45/App.exe.bsdiff or an
// MSDelta App.exe.diff, which Update.exe applies to the installed App.exe
// to write the new one, checked against a SHA-1 in the same package.
var archiveMagic = []struct {
	name  string
	off   int
	magic string
	patch bool
}{
	{"gzip", 0, "\x1f\x8b\x08", false}, // method 8, deflate: the only one (see filekind)
	{"xz", 0, "\xfd7zXZ\x00", false},
	{"bzip2", 0, "BZh", false},
	{"zstd", 0, zstdMagic, false},
	// What GNU tar or bsdtar also decompress before reading a tarball,
	// found by these bytes (GNU tar's buffer.c, libarchive's filters).
	{"lz4", 0, "\x04\x22\x4d\x18", false},
	{"lz4 (legacy)", 0, "\x02\x21\x4c\x18", false},
	{"lzip", 0, "LZIP", false},
	{"lzma", 0, "\x5d\x00\x00", false},
	{"lzma", 0, "\xffLZMA", false},
	{"lzop", 0, "\x89LZO", false},
	{"compress (.Z)", 0, "\x1f\x9d", false},
	{"lrzip", 0, "LRZI", false},
	{"7-Zip", 0, "7z\xbc\xaf\x27\x1c", false},
	{"RAR", 0, "Rar!\x1a\x07", false},
	{"Microsoft Cabinet", 0, "MSCF", false},
	{"OLE compound (MSI installer or Office document)", 0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", false},
	{"xar (macOS installer package)", 0, "xar!", false},
	// What InstallShield's setup and unshield read (data1.hdr,
	// data1.cab: the installed files), and what expand.exe, an INF's
	// copy queue (setupapi) and libmspack decompress: files that
	// Microsoft's compress.exe packed (setup.ex_, app.dl_).
	{"InstallShield cabinet", 0, "ISc(", false},
	{"SZDD (compress.exe)", 0, "SZDD\x88\xf0\x27\x33", false},
	{"KWAJ (compress.exe)", 0, "KWAJ\x88\xf0\x27\xd1", false},
	{"tar", 257, "ustar", false},
	{"bsdiff", 0, "BSDIFF40", true},
	{"MSDelta", 0, "PA30", true},
	// A legacy PatchAPI (mspatcha) delta: Squirrel applies .diff files
	// with DELTA_APPLY_FLAG_ALLOW_PA19, so MSDelta takes these too.
	{"MSDelta (PatchAPI PA19)", 0, "PA19", true},
}

// zstdMagic starts a Zstandard frame.
const zstdMagic = "\x28\xb5\x2f\xfd"

// checkUnopenedArchive reports an "other" file that is a container shipgate
// cannot open: a payload packed into plugins.tar.gz or an MSI would
// otherwise pass a gate that requires every native file to be signed,
// because the native files inside are never seen.
func (c *check) checkUnopenedArchive(hdr []byte) {
	if c.f.Kind != KindOther || IsZip(hdr) || c.tarOpened || c.sevenOpened {
		return
	}
	if filekind.IsZstdSkippable(hdr) {
		hdr = []byte(zstdMagic) // a skippable frame first: a zstd stream all the same
	}
	for _, m := range archiveMagic {
		if len(hdr) >= m.off+len(m.magic) && string(hdr[m.off:m.off+len(m.magic)]) == m.magic {
			if m.patch {
				c.add(RuleUncheckedArchive, signing.SeverityWarning, fmt.Sprintf("%s patch: an updater (Squirrel's Update.exe, for the .bsdiff and .diff files of a delta package) builds a file from it and the installed one, and the file it builds was not checked; check the full package it must equal, and compare the SHA-1 in the .shasum file beside the patch with that file's", m.name))
				return
			}
			c.add(RuleUncheckedArchive, signing.SeverityWarning, fmt.Sprintf("%s archive: shipgate does not open it, so the files inside were not checked; unpack it into the release to check them", m.name))
			return
		}
	}
}

// overlayMagic lists the archives a self-extractor's stub carries after
// its sections that shipgate does not open (a 7-Zip archive and cabinets
// are opened: see container.Attached; zips are found from the end).
var overlayMagic = []struct{ name, magic string }{
	{"RAR (a WinRAR self-extractor's?)", "Rar!\x1a\x07"},
	{"OLE compound (an MSI installer?)", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"},
	{"gzip", "\x1f\x8b\x08"},
	{"xz", "\xfd7zXZ\x00"},
	{"bzip2", "BZh"},
	{"zstd", "\x28\xb5\x2f\xfd"},
	{"xar", "xar!"},
}

// checkUnopenedOverlay reports a PE whose overlay, the bytes from where
// its sections end, starts with an archive shipgate does not open: a
// self-extractor's payload (a WinRAR SFX module followed by its archive),
// which the stub extracts and runs; and an Inno Setup installer, an
// InstallShield setup.exe or a PyInstaller executable, whose files lie there in a format shipgate does
// not read. The PE's signature covers the bytes,
// not the signatures of the files in the archive, which were not checked.
func (c *check) checkUnopenedOverlay(ra io.ReaderAt, size int64) {
	if c.f.Kind != KindPE {
		return
	}
	off := container.PESectionsEnd(ctxReaderAt{c.e.ctx, ra}, size)
	end := size
	if t, ok := container.PECertTable(ctxReaderAt{c.e.ctx, ra}, size); ok {
		if t <= off {
			return // the overlay is the certificate table
		}
		end = t
	}
	if off > 0 && pyInstallerCookie(ra, off, end) {
		c.add(RuleUncheckedArchive, signing.SeverityWarning, "the PE is a PyInstaller executable (its archive's MEI cookie ends the data after its sections): the Python modules, native extensions (.pyd) and DLLs it extracts and loads are in a format shipgate does not open, so they were not checked (the PE's signature covers their bytes, not theirs); build one-folder (--onedir) to ship them where shipgate can see them")
		return
	}
	if container.InnoSetup(ctxReaderAt{c.e.ctx, ra}, size) {
		c.add(RuleUncheckedArchive, signing.SeverityWarning, "the PE is an Inno Setup installer (its loader's offset table is the RT_RCDATA resource 11111): the setup program and the files it installs, compressed after its sections, are in a format shipgate does not open, so they were not checked (the PE's signature covers their bytes, not theirs); check the installed files, or ship them where shipgate can see them")
		return
	}
	if container.InstallShield(ctxReaderAt{c.e.ctx, ra}, end) {
		c.add(RuleUncheckedArchive, signing.SeverityWarning, "the PE is an InstallShield setup.exe (an \"InstallShield\" or \"ISSetupStream\" header follows its sections): the MSI package, cabinets, script and prerequisites it decrypts, extracts and runs are in a format shipgate does not open, so they were not checked (the PE's signature covers their bytes, not theirs); check the extracted files, or ship them where shipgate can see them")
		return
	}
	var b [8]byte
	if off <= 0 || off >= size {
		return
	}
	n, _ := ra.ReadAt(b[:], off)
	for _, m := range overlayMagic {
		if n >= len(m.magic) && string(b[:len(m.magic)]) == m.magic {
			c.add(RuleUncheckedArchive, signing.SeverityWarning, fmt.Sprintf("the PE carries a %s archive at offset %d, where its sections end, as a self-extractor's stub carries the files it extracts and runs: shipgate does not open it, so the files inside were not checked (the PE's signature covers the archive's bytes, not theirs); unpack it into the release to check them", m.name, off))
			return
		}
	}
	// UnRAR and WinRAR's SFX modules find their archive anywhere in the
	// first 4 MiB: junk before it does not hide it.
	if at, ok := container.RAROverlay(ctxReaderAt{c.e.ctx, ra}, size, off, end, c.hashedSFX7z(size)); ok {
		c.add(RuleUncheckedArchive, signing.SeverityWarning, fmt.Sprintf("the PE carries a RAR archive at offset %d, after its sections, where UnRAR and a WinRAR self-extractor's module find it (they search the first 4 MiB): shipgate does not open it, so the files inside were not checked (the PE's signature covers the archive's bytes, not theirs); unpack it into the release to check them", at))
		return
	}
	// A stub reads its payload where it put it: padding, or another
	// file first, does not hide an MSI or an xz stream after it.
	// The installers whose walk reads the overlay are told first, from
	// the hashing pass's scanners, so that theirs is not read again.
	if c.overlayWalked(ra, size) {
		return
	}
	if name, at, ok := container.ArchiveInOverlay(ctxReaderAt{c.e.ctx, ra}, size, off, end, c.hashedSFX7z(size)); ok {
		c.add(RuleUncheckedArchive, signing.SeverityWarning, fmt.Sprintf("the PE carries a %s archive at offset %d, after its sections (%d bytes in), as a self-extractor's stub carries the files it extracts and runs: shipgate does not open it, so the files inside were not checked (the PE's signature covers the archive's bytes, not theirs); unpack it into the release to check them", name, at, at-off))
	}
}

// overlayWalked reports whether the PE of size bytes at ra is an
// installer whose walk reads the data after its sections (NSIS, a 7-Zip
// self-extractor, attached cabinets): what that data holds is checked as
// the files it extracts, stored raw or not.
func (c *check) overlayWalked(ra io.ReaderAt, size int64) bool {
	hdr := make([]byte, min(size, container.HeadLen))
	n, _ := ra.ReadAt(hdr, 0)
	switch container.DetectScanned(ctxReaderAt{c.e.ctx, ra}, "", hdr[:n], size, c.hashedNSIS(size), c.hashedSFX7z(size), &c.peRes) {
	case container.NSIS, container.Attached:
		return true
	}
	return false
}

// pyInstallerMagic is the cookie PyInstaller's bootloader looks for,
// searching back from the end of its file, to find the archive (CArchive)
// of the modules and libraries it extracts and loads.
const pyInstallerMagic = "MEI\x0c\x0b\x0a\x0b\x0e"

// pyInstallerCookie reports whether the last 4 KiB of [off, end) of ra,
// a PE's overlay before its certificate table, hold PyInstaller's cookie.
func pyInstallerCookie(ra io.ReaderAt, off, end int64) bool {
	from := max(off, end-4096)
	if end <= from {
		return false
	}
	b := make([]byte, end-from)
	n, _ := ra.ReadAt(b, from)
	return bytes.Contains(b[:n], []byte(pyInstallerMagic))
}
