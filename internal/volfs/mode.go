package volfs

import "io/fs"

// SpecialBits returns the set-user-ID, set-group-ID and sticky bits of a
// BSD st_mode (S_ISUID 0o4000, S_ISGID 0o2000, S_ISVTX 0o1000) as
// fs.FileMode bits, which a reader adds to the permissions it reports:
// os.Lstat reports them so for a file of a folder, and tar for an entry,
// so a disk image's files show the same facts.
func SpecialBits(mode uint32) fs.FileMode {
	var m fs.FileMode
	if mode&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if mode&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if mode&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m
}

// BSDSpecial is SpecialBits' inverse: the st_mode bits for m's
// set-user-ID, set-group-ID and sticky bits, which the test image
// builders store.
func BSDSpecial(m fs.FileMode) uint16 {
	var b uint16
	if m&fs.ModeSetuid != 0 {
		b |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		b |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		b |= 0o1000
	}
	return b
}
