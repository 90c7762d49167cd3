package nsis

import "fmt"

// checkReal refuses a decompressed header that parses (see parseHeader)
// but that makensis cannot have written, such as one of zero bytes.
//
// exehead checks none of this: loadHeaders in fileform.c only adds the
// header's address to each block offset, so an all-zero header points
// every table at the header's own start and runs no instruction: no
// installer's header, but data that only fills the header's place. Read
// as a header it would make the data blocks after it look like an
// installer's that installs nothing; it is malformed instead. What
// makensis 3 always writes (seen in every installer it built for the
// tests, and in its refusals):
//   - the instructions and the string table after the flags and the
//     block table (the rest of struct header follows them too; only the
//     blocks a script leaves empty, such as the fonts, keep offset 0);
//   - at least one instruction: a script needs a section ("no sections
//     specified" is an error), and an empty section compiles to one;
//   - a string table starting with the empty string (7-Zip's NsisIn
//     relies on it to tell Unicode from ANSI);
//   - the tables one after the other, so the instructions and the
//     strings do not overlap.
//
// The checks are for the reading taken only: the ambiguity check asks
// parseHeader, which accepts what exehead would run, about the others.
func checkReal(h []byte) error {
	eoff, en, soff, send := headerTables(h)
	size := int64(len(h))
	switch {
	case eoff < blockTableLen:
		return &headerError{Offset: 4 + 8*blkEntries, Reason: fmt.Sprintf("the header's instructions at offset %d lie inside its first %d bytes, its flags and block table", eoff, blockTableLen)}
	case en == 0:
		return &headerError{Offset: 8 + 8*blkEntries, Reason: "the header holds no instruction (makensis writes at least a section's return)"}
	case soff < blockTableLen:
		return &headerError{Offset: 4 + 8*blkStrings, Reason: fmt.Sprintf("the header's string table at offset %d lies inside its first %d bytes, its flags and block table", soff, blockTableLen)}
	case soff >= size:
		return &headerError{Offset: 4 + 8*blkStrings, Reason: fmt.Sprintf("the header's string table at offset %d is empty (the header has %d bytes; makensis writes at least the empty string)", soff, size)}
	case eoff < send && soff < eoff+en*entrySize:
		return &headerError{Offset: 4 + 8*blkStrings, Reason: fmt.Sprintf("the header's %d instructions at offset %d overlap its string table at offset %d", en, eoff, soff)}
	case h[soff] != 0:
		return &headerError{Offset: soff, Reason: "the header's string table does not start with the empty string"}
	}
	return nil
}
