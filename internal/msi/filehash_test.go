package msi

import (
	"bytes"
	"crypto/md5"
	"os"
	"testing"

	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/wixlfix"
)

// TestFileChecksWixl cross-checks FileChecks against msitools' wixl, which
// writes an MsiFileHash row for each unversioned file: the digest read back
// is the file's MD5 (HashPart1–4 as little-endian 32-bit words), and the
// size is the File table's.
func TestFileChecksWixl(t *testing.T) {
	readme := []byte("read me, from wixl")
	p := wixlfix.Build(t, wixlfix.Spec{Version: "1.0.0", Files: []wixlfix.File{{ID: "Readme", Name: "readme.txt", Data: readme}}})
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	ck := open(t, b).FileChecks()["Readme"]
	if sum := md5.Sum(readme); ck.Size != int64(len(readme)) || !bytes.Equal(ck.MD5, sum[:]) {
		t.Errorf("FileChecks[Readme] = size %d MD5 %x, want %d %x", ck.Size, ck.MD5, len(readme), sum)
	}
}

// TestFileChecksBuilt reads back the MsiFileHash rows BuildInstaller
// writes, and a FileSize given other than the file's length.
func TestFileChecksBuilt(t *testing.T) {
	data := []byte("x")
	s := Installer{Files: map[string][]byte{"a.txt": data, "b.dll": data},
		Hashed: map[string][]byte{"a.txt": []byte("other")}, Sizes: map[string]int{"b.dll": 7}}
	got := open(t, cfb.Build(BuildInstaller(s))).FileChecks()
	sum := md5.Sum([]byte("other"))
	if a := got["F1"]; a.Size != 1 || !bytes.Equal(a.MD5, sum[:]) {
		t.Errorf("F1: %+v", a)
	}
	if b := got["F2"]; b.Size != 7 || b.MD5 != nil {
		t.Errorf("F2: %+v", b)
	}
}
