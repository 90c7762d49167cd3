package container

import (
	"bytes"
	"io"
)

// installShieldHead is how much of a PE's overlay is searched for an
// InstallShield header: it follows the last section, after an optional
// version signature ("NB10…").
const installShieldHead = 1 << 10

// installShieldMagic lists how an InstallShield setup.exe's header
// starts: "InstallShield" (its files encrypted by blocks of 1024 bytes, or
// whole) or, from InstallShield 2015 or so, "ISSetupStream" (each file
// encrypted and perhaps deflated), NUL-terminated in a 14-byte field.
var installShieldMagic = []string{"InstallShield\x00", "ISSetupStream\x00"}

// InstallShield reports whether the PE file of size bytes at r is an
// InstallShield setup.exe: the first KiB from where its sections end holds
// the header of the files it carries there (its MSI package, cabinets,
// setup.inx script, prerequisites), which its stub decrypts, extracts and
// runs. shipgate does not read that format.
func InstallShield(r io.ReaderAt, size int64) bool {
	start := PESectionsEnd(r, size)
	if start <= 0 || start >= size {
		return false
	}
	b := make([]byte, min(size-start, installShieldHead))
	n, _ := r.ReadAt(b, start)
	for _, m := range installShieldMagic {
		if bytes.Contains(b[:n], []byte(m)) {
			return true
		}
	}
	return false
}
