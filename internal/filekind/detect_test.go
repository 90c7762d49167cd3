package filekind

import (
	"archive/tar"
	"bytes"
	"encoding/binary"
	"testing"
)

func tarHead(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	if err := tw.WriteHeader(&tar.Header{Name: "a.txt", Mode: 0o644, Size: 1, Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	tw.Write([]byte("x"))
	tw.Close()
	return b.Bytes()
}

func TestDetect(t *testing.T) {
	pe := make([]byte, 0x80)
	copy(pe, "MZ")
	binary.LittleEndian.PutUint32(pe[0x3c:], 0x40)
	copy(pe[0x40:], "PE\x00\x00")
	stub := bytes.Clone(pe)
	binary.LittleEndian.PutUint32(stub[0x3c:], 0x1000)
	badSum := tarHead(t)
	badSum[0] ^= 1
	cases := []struct {
		name string
		b    []byte
		want Kind
	}{
		{"pe", pe, PE},
		{"mz without pe header", []byte("MZ not really"), Other},
		{"pe header beyond the bytes", stub, Other},
		{"macho", []byte{0xcf, 0xfa, 0xed, 0xfe, 0, 0, 0, 0}, MachO},
		{"universal", fat(1, 4096, 16, 4200), MachOUniversal},
		{"elf", []byte("\x7fELF\x02\x01\x01"), ELF},
		{"tar", tarHead(t), Tar},
		{"tar with a bad checksum", badSum, Other},
		{"zero block", make([]byte, 1024), Other},
		{"gzip", []byte("\x1f\x8b\x08\x00"), Gzip},
		{"gzip magic with another method", []byte("\x1f\x8b\xf8\x0a"), Other},
		{"xz", []byte("\xfd7zXZ\x00\x00"), XZ},
		{"zstd", []byte("\x28\xb5\x2f\xfd\x00"), Zstd},
		{"zstd skippable frame first", []byte("\x5a\x2a\x4d\x18\x00\x00\x00\x00"), Zstd},
		{"text", []byte("hello"), Other},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Detect(c.b, int64(len(c.b))); got != c.want {
				t.Errorf("Detect = %v, want %v", got, c.want)
			}
		})
	}
}

func TestDetectAtFindsFarPEHeader(t *testing.T) {
	b := make([]byte, 0x1100)
	copy(b, "MZ")
	binary.LittleEndian.PutUint32(b[0x3c:], 0x1000)
	copy(b[0x1000:], "PE\x00\x00")
	head := b[:HeadLen]
	if k := Detect(head, int64(len(b))); k != Other {
		t.Fatalf("Detect = %v", k)
	}
	if k := DetectAt(bytes.NewReader(b), head, int64(len(b))); k != PE {
		t.Errorf("DetectAt = %v, want pe", k)
	}
}

// TestIsTarHeader checks the header test on a real header, and its
// rejections: a byte changed (checksum mismatch), the checksum field not
// octal or blank, an all-zero block, and a short one.
func TestIsTarHeader(t *testing.T) {
	good := tarHead(t)[:TarBlock]
	mod := func(f func(b []byte)) []byte {
		b := bytes.Clone(good)
		f(b)
		return b
	}
	for _, c := range []struct {
		name string
		b    []byte
		want bool
	}{
		{"tar header", good, true},
		{"name changed", mod(func(b []byte) { b[0]++ }), false},
		{"checksum not octal", mod(func(b []byte) { b[150] = '8' }), false},
		{"checksum blank", mod(func(b []byte) { copy(b[148:156], "        ") }), false},
		{"checksum NULs", mod(func(b []byte) { copy(b[148:156], make([]byte, 8)) }), false},
		{"all zeros", make([]byte, TarBlock), false},
		{"short", good[:TarBlock-1], false},
	} {
		if got := IsTarHeader(c.b); got != c.want {
			t.Errorf("%s: IsTarHeader = %v, want %v", c.name, got, c.want)
		}
	}
}

// asarHead returns the first bytes of an asar archive whose JSON header is
// json (its length declared as n, or len(json) when n is 0).
func asarHead(json string, n int) []byte {
	if n == 0 {
		n = len(json)
	}
	padded := (n + 3) &^ 3
	b := binary.LittleEndian.AppendUint32(nil, 4)
	b = binary.LittleEndian.AppendUint32(b, uint32(8+padded))
	b = binary.LittleEndian.AppendUint32(b, uint32(4+padded))
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	return append(b, json...)
}

// TestIsAsarHeaderPrefix: Chromium's JSON reader, which Electron parses an
// asar's header with, skips a UTF-8 byte order mark and white space before
// the object, so an asar is one with them too; a comment ('/') is left to
// the asar reader. A JSON string of white space only is no asar; one the
// head cuts off in white space may be.
func TestIsAsarHeaderPrefix(t *testing.T) {
	for _, c := range []struct {
		name string
		b    []byte
		want bool
	}{
		{"object", asarHead(`{"files":{}}`, 0), true},
		{"space", asarHead(` {"files":{}}`, 0), true},
		{"white space", asarHead("\r\n\t {\"files\":{}}", 0), true},
		{"byte order mark", asarHead("\xef\xbb\xbf{\"files\":{}}", 0), true},
		{"byte order mark and space", asarHead("\xef\xbb\xbf \n{\"files\":{}}", 0), true},
		{"comment", asarHead(`/**/{"files":{}}`, 0), true},
		{"cut off in white space", asarHead("  ", 100), true},
		{"cut off in the length", asarHead("", 100)[:14], false},
		{"white space only", asarHead("    ", 0), false},
		{"array", asarHead(` ["files"]`, 0), false},
		{"two byte order marks", asarHead("\xef\xbb\xbf\xef\xbb\xbf{}", 0), false},
		{"payload after other bytes", shifted(`{"files":{}}`, "junk"), true},
		{"payload after other bytes, not JSON", shifted(`["files"]`, "junk"), false},
		{"payload misaligned", shifted(`{"files":{}}`, "abc"), false},
	} {
		if got := IsAsar(c.b); got != c.want {
			t.Errorf("%s: IsAsar = %v, want %v", c.name, got, c.want)
		}
	}
}

// shifted returns the first bytes of an asar archive whose header pickle
// holds before before its payload (the JSON string's length, and json):
// base::Pickle, as Electron reads it, takes the payload to be the
// pickle's last bytes.
func shifted(json, before string) []byte {
	padded := (len(json) + 3) &^ 3
	b := binary.LittleEndian.AppendUint32(nil, 4)
	b = binary.LittleEndian.AppendUint32(b, uint32(4+len(before)+4+padded))
	b = binary.LittleEndian.AppendUint32(b, uint32(4+padded))
	b = append(b, before...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(json)))
	b = append(b, json...)
	return append(b, make([]byte, padded-len(json))...)
}

// TestDetectAtFindsFarAsarPayload: a header pickle whose payload, where
// Electron reads the JSON string, lies beyond the head is found by
// DetectAt; one that points at no JSON, or past the file, is not.
func TestDetectAtFindsFarAsarPayload(t *testing.T) {
	far := shifted(`{"files":{}}`, string(bytes.Repeat([]byte{'x'}, 2*HeadLen)))
	head := far[:HeadLen]
	if IsAsar(head) {
		t.Error("IsAsar decided beyond its bytes")
	}
	if got := DetectAt(bytes.NewReader(far), head, int64(len(far))); got != Asar {
		t.Errorf("DetectAt = %v, want asar", got)
	}
	notJSON := shifted(`["files"]`, string(bytes.Repeat([]byte{'x'}, 2*HeadLen)))
	if got := DetectAt(bytes.NewReader(notJSON), notJSON[:HeadLen], int64(len(notJSON))); got != Other {
		t.Errorf("payload not JSON: DetectAt = %v, want other", got)
	}
	if got := DetectAt(bytes.NewReader(far), head, int64(len(far))-8); got != Other {
		t.Errorf("payload past the file's end: DetectAt = %v, want other", got)
	}
}
