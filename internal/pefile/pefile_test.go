package pefile

import (
	"bytes"
	"crypto"
	"debug/pe"
	"encoding/binary"
	"testing"
)

// TestBuildParsesWithDebugPE checks the builder's images with the standard
// library's PE reader, an independent parser.
func TestBuildParsesWithDebugPE(t *testing.T) {
	for _, s := range []Spec{
		{},
		{PE32: true, Size: 0x601},
		{Sections: []Section{{Name: ".text", Data: []byte{0xc3}, Characteristics: SectionCode}, {Name: ".data", Data: bytes.Repeat([]byte{1}, 0x1234)}}},
	} {
		img, err := Build(s)
		if err != nil {
			t.Fatal(err)
		}
		if s.Size != 0 && len(img) != s.Size {
			t.Errorf("size %d, want %d", len(img), s.Size)
		}
		f, err := pe.NewFile(bytes.NewReader(img))
		if err != nil {
			t.Fatalf("debug/pe: %v", err)
		}
		want := len(s.Sections)
		if want == 0 {
			want = 1
		}
		if len(f.Sections) != want {
			t.Errorf("%d sections, want %d", len(f.Sections), want)
		}
		for i, sec := range s.Sections {
			data, err := f.Sections[i].Data()
			if err != nil || !bytes.HasPrefix(data, sec.Data) {
				t.Errorf("section %d data differs (%v)", i, err)
			}
		}
		_, is32 := f.OptionalHeader.(*pe.OptionalHeader32)
		if is32 != s.PE32 {
			t.Errorf("PE32 = %v", is32)
		}
	}
}

func TestChecksumKnown(t *testing.T) {
	// Words 0x0201 and 0x0403, plus an odd trailing byte 0x05, plus length 5.
	if got := Checksum([]byte{1, 2, 3, 4, 5}, -8); got != 0x0201+0x0403+0x05+5 {
		t.Errorf("checksum 0x%x", got)
	}
	// End-around carry: 0xffff + 0x0002 folds to 0x0002.
	if got := Checksum([]byte{0xff, 0xff, 0x02, 0x00}, -8); got != 0x0002+4 {
		t.Errorf("checksum 0x%x", got)
	}
}

func TestAttachAndDigest(t *testing.T) {
	img, err := Build(Spec{Size: 0x803})
	if err != nil {
		t.Fatal(err)
	}
	before, err := ImageDigest(img, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := Attach(img, Entry([]byte("not really pkcs7")))
	if err != nil {
		t.Fatal(err)
	}
	in, err := Parse(signed)
	if err != nil {
		t.Fatal(err)
	}
	if in.CertOff%8 != 0 || int(in.CertOff+in.CertSize) != len(signed) {
		t.Errorf("table at 0x%x+0x%x in a %d-byte file", in.CertOff, in.CertSize, len(signed))
	}
	if n := binary.LittleEndian.Uint32(signed[in.CertOff:]); n%8 != 0 || n != in.CertSize {
		t.Errorf("dwLength %d, directory size %d", n, in.CertSize)
	}
	after, err := ImageDigest(signed, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("attaching a table changed the image digest: the unsigned digest must pad to 8 bytes")
	}
	if got := binary.LittleEndian.Uint32(signed[in.ChecksumOff:]); got != Checksum(signed, in.ChecksumOff) {
		t.Error("checksum not updated")
	}
	back, err := Unsigned(signed)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(img)+(8-len(img)%8)%8 {
		t.Errorf("unsigned length %d", len(back))
	}
}
