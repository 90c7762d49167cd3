// Package foldname gives the keys under which case-insensitive file
// systems find a name, so that archives and installers can report entries
// that are one file once extracted.
//
// Each file system compares names its own way (see [FS]): APFS by the
// Unicode canonical caseless match, HFS+ by its Unicode 2.0 lower-case
// table without the characters it ignores, NTFS (and Windows above it) by
// simple upper case without normalization, once Windows has dropped the
// trailing dots and spaces of each name. [KeysOf] gives a name's key on
// each; two names are one entry on a file system when their keys there are
// equal. [Set] finds those entries among an archive's, files and folders.
package foldname

import (
	"strings"
	"unicode/utf8"
)

// FS is a file system whose name comparison Keys models.
type FS uint8

const (
	// APFS results in the key of APFS's case-insensitive volumes (macOS's
	// default): the Unicode Standard's canonical caseless match (D145:
	// canonical decomposition, full case folding, decomposition again).
	// It folds names that lower-casing keeps apart ("µ" and "μ", "ſ" and
	// "s", "ß" and "ss") and NFC and NFD spellings of one name.
	APFS FS = iota
	// HFSPlus results in the key of case-insensitive HFS+ volumes (a
	// .pkg or .dmg may still be installed onto one): canonical
	// decomposition, its lower-case table (Unicode 2.0's: Georgian
	// capitals fold onto U+10D0–U+10F5), without the code points its
	// comparison ignores (U+200C–U+200F, U+202A–U+202E, U+206A–U+206F,
	// U+FEFF). See TN1150's FastUnicodeCompare.
	HFSPlus
	// NTFS results in the key of Windows on NTFS (and FAT): each path
	// element without its trailing dots and spaces (Win32 drops them, so
	// "foo.dll." and "foo.dll " open "foo.dll") or the name of its
	// default stream ("foo.dll::$DATA" is foo.dll), then upper-cased code
	// unit by code unit by the simple mapping ($UpCase), without
	// normalization: NFC and NFD spellings stay apart, and so do
	// characters beyond the Basic Multilingual Plane, which are two
	// UTF-16 code units the table does not map. 8.3 short names are
	// compared by a Set, not by Keys (short.go).
	NTFS
	// NumFS is the number of file systems.
	NumFS
)

var fsNames = [NumFS]string{APFS: "APFS", HFSPlus: "HFS+", NTFS: "NTFS (Windows)"}

// String returns the file system's name: "APFS", "HFS+" or
// "NTFS (Windows)".
func (f FS) String() string {
	if f < NumFS {
		return fsNames[f]
	}
	return "FS(" + string(rune('0'+f)) + ")"
}

// Keys are a name's keys, one per file system (indexed by FS).
type Keys [NumFS]string

// KeysOf returns name's key on each file system. A path ("lib/x.dll")
// folds element by element, so the key of each folder prefix is the
// key's prefix up to the matching "/". An ASCII name without a colon,
// none of whose elements ends in a dot or a space, has one key, name
// lower-cased, on
// every file system, which costs no allocation when name is already
// lower case.
func KeysOf(name string) Keys {
	if plain(name) {
		k := strings.ToLower(name)
		return Keys{k, k, k}
	}
	return Keys{APFS: apfsKey(name), HFSPlus: hfsPlusKey(name), NTFS: ntfsKey(name)}
}

// Key returns name's key on APFS (KeysOf(name)[APFS]).
func Key(name string) string {
	if plain(name) {
		return strings.ToLower(name)
	}
	return apfsKey(name)
}

// HFSPlusKey returns name's key on a case-insensitive HFS+ volume
// (KeysOf(name)[HFSPlus]).
func HFSPlusKey(name string) string {
	if plain(name) {
		return strings.ToLower(name)
	}
	return hfsPlusKey(name)
}

// plain reports whether name is ASCII, without a colon (an NTFS stream
// name), and none of its path elements ends in a dot or a space: then
// every file system's key is name in lower case.
func plain(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= utf8.RuneSelf {
			return false
		}
		if c == ':' || (c == '.' || c == ' ') && (i+1 == len(name) || name[i+1] == '/') {
			return false
		}
	}
	return true
}
