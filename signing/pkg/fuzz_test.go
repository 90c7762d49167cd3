package pkg

import (
	"bytes"
	"io"
	"testing"

	"github.com/shipgate/shipgate/internal/pkgfile"
)

// FuzzReader reads arbitrary archives: NewReader and every accessor must
// return errors, never panic or allocate past the limits.
func FuzzReader(f *testing.F) {
	b, _ := pkgfile.Build(pkgfile.Spec{Files: plainFiles()})
	f.Add(b)
	b, _ = pkgfile.Build(pkgfile.Spec{Files: plainFiles(), ExtraHeap: []byte("x")})
	f.Add(b)
	f.Add([]byte("xar!\x00\x1c\x00\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		Verify(bytes.NewReader(b), int64(len(b)), Options{})
		x, err := NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		x.TOCDigest()
		for _, e := range x.Entries {
			x.CheckData(e)
			if r, err := x.Open(e); err == nil {
				io.Copy(io.Discard, io.LimitReader(r, 1<<20))
			}
		}
		for _, s := range x.Signatures {
			x.ReadHeap(s.Ref, maxSignatureSize)
		}
	})
}
