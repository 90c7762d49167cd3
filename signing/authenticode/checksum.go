package authenticode

import "github.com/shipgate/shipgate/signing"

// subsystemNative is IMAGE_SUBSYSTEM_NATIVE: kernel-mode drivers and the
// native programs the kernel starts at boot (smss.exe, autochk.exe).
const subsystemNative = 1

// checksumJudgement returns the severity of a wrong PE checksum (set, and
// not the file's) and what the finding says of it. The loader of Windows
// images checks CheckSum only where it matters to the system: "The
// operating system requires the Checksum for device drivers" (the /RELEASE
// linker option, on by default with /SUBSYSTEM:NATIVE), and a boot driver
// or native program whose checksum is wrong does not load
// (STATUS_IMAGE_CHECKSUM_MISMATCH). So for a native-subsystem image it is
// an error: the driver, signed and intact, will not run; for others a
// warning: Windows ignores it, but the file was changed after linking or
// signing. Whatever SectionAlignment is: a low-alignment image is mapped
// one to one (lowalign.go), but its loader checks the checksum by
// subsystem, not by layout. UEFI images are loaded by firmware, which
// reads no checksum. The signature's status does not change either way:
// CheckSum is outside the Authenticode digest.
func (v *verifier) checksumJudgement() (signing.Severity, string) {
	if v.l != nil && v.l.subsystem == subsystemNative {
		return signing.SeverityError, "the file was changed after linking or signing, and its subsystem is native (a driver): Windows requires the checksum of drivers and boot files, and will not load it"
	}
	return signing.SeverityWarning, "the file was changed after linking or signing; Windows enforces it only for drivers and boot files"
}

// article names severity sev with its article: "an error", "a warning".
func article(sev signing.Severity) string {
	if sev == signing.SeverityError {
		return "an error"
	}
	return "a " + sev.String()
}
