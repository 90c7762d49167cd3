package asar

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
)

// FuzzReader feeds arbitrary archives to the reader and exercises every
// accessor: none may panic, loop, or allocate beyond the input's size.
func FuzzReader(f *testing.F) {
	b, _ := electronfix.PackAsar(sample())
	f.Add(b)
	for _, j := range []string{
		`{"files":{"a":{"size":1,"offset":"0"},"a":{"size":1,"offset":"0"}}}`,
		`{"files":{"..":{"size":1,"offset":"0"},"l":{"link":"../x"}}}`,
		`{"files":{"a":{"link":"b"},"b":{"link":"a/c"}}}`,
		`{"files":{"d":{"files":{"__proto__":{"size":1,"offset":"0","integrity":{"algorithm":"SHA256","hash":"","blockSize":1,"blocks":[""]}}}}}}`,
		`{"files":{"u":{"size":3,"unpacked":true},"big":{"size":9007199254740992,"offset":"1"}}}`,
	} {
		f.Add(electronfix.PackAsarRaw([]byte(j), []byte("abc")))
	}
	// Unowned data: trailing bytes, a gap, header slack, padding not zero.
	f.Add(append(bytes.Clone(b), "MZ-hidden-payload"...))
	f.Add(electronfix.PackAsarRaw([]byte(`{"files":{"a":{"size":1,"offset":"0"},"b":{"size":1,"offset":"9"}}}`), []byte("a_______b")))
	f.Add(headerWith(`{"files":{"a":{"size":1,"offset":"0"}}}`, "a", 8, 24))
	pad := electronfix.PackAsarRaw([]byte(`{"files":{"a":{"size":1,"offset":"0"}}}`), []byte("a"))
	pad[16+39] = 'P'
	f.Add(pad)
	f.Fuzz(func(t *testing.T, b []byte) {
		ar, err := NewReaderOptions(bytes.NewReader(b), int64(len(b)), Options{MaxHeaderSize: 1 << 20})
		if err != nil {
			return
		}
		_ = ar.Problems()
		// Every byte is the header's, a readable file's or reported.
		if err := checkCoverage(ar, b); err != nil {
			t.Error(err)
		}
		_ = fs.WalkDir(ar, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			ar.Lstat(p)
			ar.Stat(p)
			if d.Type()&fs.ModeSymlink != 0 {
				ar.ReadLink(p)
			}
			if d.Type().IsRegular() {
				var data []byte
				if f, err := ar.Open(p); err == nil {
					data, _ = io.ReadAll(f.(io.Reader))
					f.Close()
				}
				sum, err := ar.VerifyFile(p)
				// VerifyFileHead says the same, with the first bytes.
				head := make([]byte, 64)
				sum2, n, err2 := ar.VerifyFileHead(p, head)
				if sum2 != sum || fmt.Sprint(err2) != fmt.Sprint(err) || (sum != "" && !bytes.Equal(head[:n], data[:min(len(data), len(head))])) {
					t.Errorf("%s: VerifyFileHead = %s, %q, %v; VerifyFile = %s, %v, first bytes %q", p, sum2, head[:n], err2, sum, err, data[:min(len(data), len(head))])
				}
				// VerifyEntryData says the same, given a packed file's bytes.
				if e, eerr := ar.Entry(p); eerr == nil && e.Kind == KindFile && !e.Unpacked && int64(len(data)) == e.Size {
					if sum3, err3 := ar.VerifyEntryData(e, data); sum3 != sum || fmt.Sprint(err3) != fmt.Sprint(err) {
						t.Errorf("%s: VerifyEntryData = %s, %v; VerifyFile = %s, %v", p, sum3, err3, sum, err)
					}
				}
			}
			return nil
		})
	})
}
