package nsis

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf16"
)

// The header's block table ("fileform.h": struct header): flags, then
// BLOCKS_NUM (offset, count) pairs, offsets from the header's start.
const (
	blocksNum   = 8
	blkEntries  = 2
	blkStrings  = 3
	blkLangTabs = 4
	entrySize   = 28 // which, then six parameters
)

// Opcodes of NSIS 2 and 3 (7-Zip's main layout, NsisIn.cpp; the same in
// makensis 3.x's fileform.h).
const (
	opCreateDir   = 11 // CreateDirectory, SetOutPath: [path, update $OUTDIR, …]
	opExtractFile = 20 // File: [overwrite, name, data offset, time low, time high, …]
	opAssignVar   = 25 // StrCpy: [variable, string, max length, start]
)

// Variables of NSIS 3 (state.h): $0–$9, $R0–$R9, then these.
const (
	varOutDir = 22
	numVars   = 32
	// maxString bounds a string read from the table, in characters.
	maxString = 1 << 16
	// maxEntries bounds how many instructions are read.
	maxEntries = 1 << 22
)

var varNames = [numVars]string{
	"$0", "$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$9",
	"$R0", "$R1", "$R2", "$R3", "$R4", "$R5", "$R6", "$R7", "$R8", "$R9",
	"$CMDLINE", "$INSTDIR", "$OUTDIR", "$EXEDIR", "$LANGUAGE", "$TEMP", "$PLUGINSDIR", "$EXEPATH", "$EXEFILE", "$HWNDPARENT", "$_CLICK", "$_OUTDIR",
}

// Header is what this package reads of an installer's header.
type Header struct {
	// Unicode says the strings are UTF-16 (an NSIS 3 Unicode installer).
	Unicode bool
	// Files are the EW_EXTRACTFILE instructions, in the script's order.
	Files []File
}

// File is one EW_EXTRACTFILE instruction.
type File struct {
	// Entry is the instruction's index.
	Entry int
	// Name is where it extracts to, as a script would write it:
	// variables not assigned a plain string are named ($INSTDIR,
	// $PLUGINSDIR, $R0), shell folders $SHELL(n), language strings $(n).
	Name string
	// DataOffset is the data block's offset in the data.
	DataOffset int64
}

// Path returns the file's name as a relative "/"-separated path: its
// elements, split at "\" and "/", without empty and "." elements. ok is
// false when an element is "..": the name leads out of the folder it names.
func (f File) Path() (p string, ok bool) {
	var els []string
	for _, e := range strings.FieldsFunc(f.Name, func(r rune) bool { return r == '\\' || r == '/' }) {
		switch e {
		case ".":
			continue
		case "..":
			return "", false
		}
		els = append(els, e)
	}
	if len(els) == 0 {
		return "", false
	}
	return strings.Join(els, "/"), true
}

// headerError says a decompressed header is malformed: Offset is the
// offending field's offset in the header. NewReader turns it into a
// [FormatError] at a file offset.
type headerError struct {
	Offset int64
	Reason string
}

func (e *headerError) Error() string {
	return fmt.Sprintf("nsis: %s at offset 0x%x of the header", e.Reason, e.Offset)
}

// blockTableLen is the size of the header's fixed start: its flags and
// block table. makensis writes every block after it (and after the rest
// of struct header, whose size depends on the version).
const blockTableLen = 4 + 8*blocksNum

// headerTables returns where the instructions and the string table of the
// decompressed header h lie: the string table runs to the language tables
// when they follow it, else to the header's end.
func headerTables(h []byte) (eoff, en, soff, send int64) {
	le := binary.LittleEndian
	blk := func(i int) (int64, int64) {
		return int64(le.Uint32(h[4+8*i:])), int64(le.Uint32(h[8+8*i:]))
	}
	eoff, en = blk(blkEntries)
	soff, _ = blk(blkStrings)
	send, _ = blk(blkLangTabs)
	if send <= soff || send > int64(len(h)) {
		send = int64(len(h))
	}
	return eoff, en, soff, send
}

// parseHeader reads the instructions and strings of a decompressed
// header. It checks only what reading them needs (the tables lie in the
// header), as exehead, which checks nothing, would run them: the
// ambiguity check asks it whether another reading gives a header exehead
// would act on. [checkReal] refuses the headers makensis cannot write.
func parseHeader(h []byte) (*Header, error) {
	le := binary.LittleEndian
	eoff, en, soff, send := headerTables(h)
	size := int64(len(h))
	if en > maxEntries || eoff > size || en*entrySize > size-eoff {
		return nil, &headerError{Offset: 4 + 8*blkEntries, Reason: fmt.Sprintf("the header's %d instructions at offset %d do not fit in its %d bytes", en, eoff, size)}
	}
	if soff > size {
		return nil, &headerError{Offset: 4 + 8*blkStrings, Reason: fmt.Sprintf("the header's string table at offset %d lies beyond its %d bytes", soff, size)}
	}
	st := strtab{b: h[soff:send]}
	// Unicode tables start with an empty string of two zero bytes
	// (7-Zip's test).
	st.unicode = len(st.b) >= 2 && st.b[0] == 0 && st.b[1] == 0
	hd := &Header{Unicode: st.unicode}
	vars := map[int]string{}
	for i := int64(0); i < en; i++ {
		e := h[eoff+i*entrySize:]
		which := le.Uint32(e)
		parm := func(k int) int64 { return int64(int32(le.Uint32(e[4+4*k:]))) }
		switch which {
		case opCreateDir:
			if parm(1) != 0 {
				vars[varOutDir] = st.get(parm(0), vars)
			}
		case opAssignVar:
			if v := parm(0); v >= 0 && v < numVars && parm(2) == 0 && parm(3) == 0 {
				vars[int(v)] = st.get(parm(1), vars)
			}
		case opExtractFile:
			name, abs := st.getPath(parm(1), vars)
			if !abs {
				dir, ok := vars[varOutDir]
				if !ok {
					dir = varNames[varOutDir]
				}
				name = dir + `\` + name
			}
			hd.Files = append(hd.Files, File{Entry: int(i), Name: name, DataOffset: parm(2)})
		}
	}
	return hd, nil
}

// strtab is an installer's string table.
type strtab struct {
	b       []byte
	unicode bool
}

// Special codes in strings (fileform.h): NSIS 3 (Unicode and ANSI), and
// NSIS 2 (ANSI).
const (
	uLang, uShell, uVar, uSkip = 1, 2, 3, 4
	aSkip, aVar, aShell, aLang = 252, 253, 254, 255
)

// get renders the string at offset off (in characters), variables
// replaced by the values in vars or named.
func (s strtab) get(off int64, vars map[int]string) string {
	v, _ := s.getPath(off, vars)
	return v
}

// getPath is get, also reporting whether the string starts with a
// variable or a shell folder, or a drive or UNC path: a full path, which
// EW_EXTRACTFILE does not put under $OUTDIR.
func (s strtab) getPath(off int64, vars map[int]string) (string, bool) {
	cur := strCursor{s: s, width: 1}
	if s.unicode {
		cur.width = 2
	}
	cur.pos = off * cur.width
	if off < 0 || cur.pos >= int64(len(s.b)) {
		return fmt.Sprintf("$(string %d)", off), false
	}
	// UTF-16 code units are kept until flushed, so that surrogate pairs
	// decode; the appends stay here, where u16 can live on the stack.
	var b strings.Builder
	var u16 []uint16
	flush := func() {
		if len(u16) > 0 {
			b.WriteString(string(utf16.Decode(u16)))
			u16 = u16[:0]
		}
	}
	abs := false
	first := true
	for n := 0; n < maxString; n++ {
		c, ok := cur.next()
		if !ok || c == 0 {
			break
		}
		kind := s.codeKind(c)
		if kind == uSkip {
			if c, ok = cur.next(); !ok {
				first = false
				continue
			}
			kind = 0
		}
		if kind == 0 {
			if s.unicode {
				u16 = append(u16, c)
			} else {
				flush()
				b.WriteRune(rune(c)) // Latin-1 for the ANSI code page
			}
			first = false
			continue
		}
		flush()
		if v, ok := cur.code(); ok {
			if first {
				abs = kind == uVar || kind == uShell
			}
			writeCode(&b, kind, v, vars)
		}
		first = false
	}
	flush()
	out := b.String()
	if len(out) >= 2 && (out[1] == ':' || strings.HasPrefix(out, `\\`)) {
		abs = true
	}
	return out, abs
}

// codeKind returns the special code (uLang, uShell, uVar or uSkip) that
// character c is, or 0 for a plain character.
func (s strtab) codeKind(c uint16) int {
	switch {
	case s.unicode && c >= uLang && c <= uSkip:
		return int(c)
	case !s.unicode && c >= uLang && c <= uSkip:
		// NSIS 3's ANSI installers use the Unicode codes.
		return int(c)
	case !s.unicode && c >= aSkip:
		// NSIS 2's codes: in an NSIS 3 ANSI installer these are
		// the letters ü to ÿ, which names then render wrongly.
		return map[uint16]int{aSkip: uSkip, aVar: uVar, aShell: uShell, aLang: uLang}[c]
	}
	return 0
}

// strCursor reads a string table's characters from pos (in bytes), each
// width bytes.
type strCursor struct {
	s          strtab
	pos, width int64
}

// next reads a character; false at the table's end.
func (r *strCursor) next() (uint16, bool) {
	if r.pos+r.width > int64(len(r.s.b)) {
		return 0, false
	}
	var c uint16
	if r.s.unicode {
		c = binary.LittleEndian.Uint16(r.s.b[r.pos:])
	} else {
		c = uint16(r.s.b[r.pos])
	}
	r.pos += r.width
	return c, true
}

// code reads a code's two bytes (one WCHAR in Unicode) and decodes them as
// NSIS's DECODE_SHORT: seven bits from each byte.
func (r *strCursor) code() (int, bool) {
	var lo, hi byte
	if r.s.unicode {
		c, ok := r.next()
		if !ok {
			return 0, false
		}
		lo, hi = byte(c), byte(c>>8)
	} else {
		c0, ok0 := r.next()
		c1, ok1 := r.next()
		if !ok0 || !ok1 {
			return 0, false
		}
		lo, hi = byte(c0), byte(c1)
	}
	return int(hi&0x7f)<<7 | int(lo&0x7f), true
}

// writeCode writes to b what special code kind with value v stands for: a
// variable (its value in vars, else its name), a shell folder or a
// language string.
func writeCode(b *strings.Builder, kind, v int, vars map[int]string) {
	switch kind {
	case uVar:
		if val, ok := vars[v]; ok {
			b.WriteString(val)
		} else if v < numVars {
			b.WriteString(varNames[v])
		} else {
			fmt.Fprintf(b, "$var%d", v)
		}
	case uShell:
		fmt.Fprintf(b, "$SHELL(%d)", v)
	case uLang:
		fmt.Fprintf(b, "$(%d)", v)
	}
}
