package msi

import (
	"strings"
	"unicode/utf16"
)

// The alphabet of packed stream names: 0-9, A-Z, a-z, "." and "_".
func charIndex(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0')
	case r >= 'A' && r <= 'Z':
		return int(r-'A') + 10
	case r >= 'a' && r <= 'z':
		return int(r-'a') + 36
	case r == '.':
		return 62
	case r == '_':
		return 63
	}
	return -1
}

func indexChar(i int) rune {
	switch {
	case i < 10:
		return rune('0' + i)
	case i < 36:
		return rune('A' + i - 10)
	case i < 62:
		return rune('a' + i - 36)
	case i == 62:
		return '.'
	}
	return '_'
}

// DecodeName unpacks a stream name as stored in the compound file: a code
// unit in U+3800–U+47FF holds two characters of the alphabet (low six bits
// first), one in U+4800–U+483F holds one; others stand for themselves
// (U+4840 marks a table's stream).
func DecodeName(stored string) string {
	var b strings.Builder
	for _, r := range stored {
		switch {
		case r >= 0x3800 && r < 0x4800:
			v := int(r - 0x3800)
			b.WriteRune(indexChar(v & 0x3f))
			b.WriteRune(indexChar(v >> 6 & 0x3f))
		case r >= 0x4800 && r < 0x4840:
			b.WriteRune(indexChar(int(r - 0x4800)))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// EncodeName packs a stream name as Windows Installer stores it; table
// marks a table's stream.
func EncodeName(name string, table bool) string {
	var out []rune
	if table {
		out = append(out, 0x4840)
	}
	rs := []rune(name)
	for i := 0; i < len(rs); i++ {
		a := charIndex(rs[i])
		if a < 0 {
			out = append(out, rs[i])
			continue
		}
		if i+1 < len(rs) {
			if c := charIndex(rs[i+1]); c >= 0 {
				out = append(out, rune(0x3800+c<<6+a))
				i++
				continue
			}
		}
		out = append(out, rune(0x4800+a))
	}
	return string(utf16.Decode(utf16.Encode(out)))
}

// catalogTables are the tables of the database's own catalog, whose
// streams Windows Installer opens whether or not _Columns describes them.
var catalogTables = map[string]bool{"_StringPool": true, "_StringData": true, "_Tables": true, "_Columns": true, "_Validation": true}

// Unreferenced returns the database's streams that Windows Installer does
// not open, in [Database.Streams] order: all but the table streams of the
// tables the schema describes and of the catalog, the streams of the
// binary columns' rows ([Database.Payloads]), the embedded cabinets the
// Media table names, and the summary information and signature streams.
// A stream whose stored name decodes to another's ([Database.Shadowed])
// is unreferenced. Of the other Windows Installer files, the cabinets
// they keep outside a Media table are referenced ([Database.FamilyCabinets]),
// and so are a transform's streams of tables and of rows of tables it
// changes ([Database.TransformStream]): its table streams are changes to
// another database's tables, which its own schema does not describe.
func (d *Database) Unreferenced() []*Stream {
	used := map[*Stream]bool{}
	for _, p := range d.Payloads() {
		used[p.Stream] = true
	}
	for _, c := range d.Cabinets() {
		used[c.Stream] = true
	}
	for _, s := range d.FamilyCabinets() {
		used[s] = true
	}
	for _, s := range d.Streams {
		if d.TransformStream(s) {
			used[s] = true
		}
	}
	var out []*Stream
	for _, s := range d.Streams {
		switch {
		case d.Shadowed(s):
		case used[s],
			s.Table && (d.Schema[s.Name] != nil || catalogTables[s.Name]),
			!s.Table && SystemStream(s.Name) && s.Entry.Name == s.Name:
			continue
		}
		out = append(out, s)
	}
	return out
}
