package git

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
)

// peHeader is a synthetic DOS/PE header followed by code-like noise: what
// the first KB of a Windows executable looks like.
func peHeader() []byte {
	p := make([]byte, 1024)
	copy(p, "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff")
	binary.LittleEndian.PutUint32(p[60:], 0x80)
	copy(p[64:], "\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21This program cannot be run in DOS mode.\r\r\n$")
	copy(p[0x80:], "PE\x00\x00\x64\x86")
	copy(p[0x200:], noise(512, 7))
	return p
}

// elfHeader is a synthetic ELF64 header followed by noise.
func elfHeader() []byte {
	p := make([]byte, 1024)
	copy(p, "\x7fELF\x02\x01\x01")
	binary.LittleEndian.PutUint16(p[16:], 2)    // ET_EXEC
	binary.LittleEndian.PutUint16(p[18:], 0x3e) // x86-64
	copy(p[0x100:], noise(768, 9))
	return p
}

// xxdDump spells p as `xxd` does.
func xxdDump(p []byte) string {
	var b strings.Builder
	for off := 0; off < len(p); off += 16 {
		line := p[off:min(off+16, len(p))]
		fmt.Fprintf(&b, "%08x: ", off)
		for i := 0; i < 16; i += 2 {
			switch {
			case i+1 < len(line):
				fmt.Fprintf(&b, "%02x%02x ", line[i], line[i+1])
			case i < len(line):
				fmt.Fprintf(&b, "%02x   ", line[i])
			default:
				b.WriteString("     ")
			}
		}
		b.WriteString(" " + printable(line) + "\n")
	}
	return b.String()
}

// hexdumpC spells p as `hexdump -C` does.
func hexdumpC(p []byte) string {
	var b strings.Builder
	for off := 0; off < len(p); off += 16 {
		line := p[off:min(off+16, len(p))]
		fmt.Fprintf(&b, "%08x  ", off)
		for i, c := range line {
			fmt.Fprintf(&b, "%02x ", c)
			if i == 7 {
				b.WriteString(" ")
			}
		}
		b.WriteString(" |" + printable(line) + "|\n")
	}
	return b.String()
}

// odX spells p as `od -x` does: octal offsets, little-endian words.
func odX(p []byte) string {
	var b strings.Builder
	for off := 0; off+1 < len(p); off += 16 {
		fmt.Fprintf(&b, "%07o", off)
		for i := off; i+1 < min(off+16, len(p)); i += 2 {
			fmt.Fprintf(&b, " %04x", binary.LittleEndian.Uint16(p[i:]))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// odTx1 spells p as `od -A x -t x1` does.
func odTx1(p []byte) string {
	var b strings.Builder
	for off := 0; off < len(p); off += 16 {
		fmt.Fprintf(&b, "%06x", off)
		for _, c := range p[off:min(off+16, len(p))] {
			fmt.Fprintf(&b, " %02x", c)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// printable is the ASCII column of a dump.
func printable(p []byte) string {
	b := []byte(string(p))
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			b[i] = '.'
		}
	}
	return string(b)
}

// TestAttackHexDump: an executable pasted as a hex dump (xxd, hexdump -C,
// od) into a vendored file passed as text: its hex groups are too short
// for the wrapped hex scanner.
func TestAttackHexDump(t *testing.T) {
	t.Parallel()
	noisy := []byte(noise(6000, 33))
	for _, c := range []struct{ name, b string }{
		{"xxd PE", "/* fixture\n" + xxdDump(peHeader()) + "*/\n"},
		{"xxd ELF", xxdDump(elfHeader())},
		{"hexdump -C PE", hexdumpC(peHeader())},
		{"od -x PE", odX(peHeader())},
		{"od -t x1 ELF", odTx1(elfHeader())},
		{"xxd of compressed data", xxdDump(noisy)},
		{"hexdump -C of compressed data", hexdumpC(noisy)},
	} {
		k := classify([]byte(c.b), int64(len(c.b)))
		if !k.suspicious || !strings.Contains(k.reason, "hex dump") {
			t.Errorf("%s: not reported as a hex dump: %+v", c.name, k)
		}
	}
}

// TestHexDumpCleanText: dumps of text and of small tables, hex colour
// lists and version strings are not hex dumps of binary.
func TestHexDumpCleanText(t *testing.T) {
	t.Parallel()
	text := []byte(strings.Repeat("The quick brown fox jumps over the lazy dog.\n", 20))
	table := make([]byte, 512)
	for i := range table {
		table[i] = byte(i % 16)
	}
	colors := strings.Repeat("palette: ff00 00ff 0f0f f0f0 aa55 55aa 1234 abcd\n", 100)
	for _, c := range []struct{ name, b string }{
		{"xxd of text", xxdDump(text)},
		{"hexdump -C of a table", hexdumpC(table)},
		{"colour list", colors},
	} {
		if k := classify([]byte(c.b), int64(len(c.b))); k.suspicious {
			t.Errorf("%s: suspicious: %s", c.name, k.reason)
		}
	}
}
