package pkg

import (
	"bytes"
	"io"
	"io/fs"
	"testing"

	"github.com/shipgate/shipgate/internal/pkgfile"
	"github.com/shipgate/shipgate/internal/ticketfile"
)

// FuzzReader reads arbitrary archives: NewReader and every accessor must
// return errors, never panic or allocate past the limits.
func FuzzReader(f *testing.F) {
	b, _ := pkgfile.Build(pkgfile.Spec{Files: plainFiles()})
	f.Add(b)
	b, _ = pkgfile.Build(pkgfile.Spec{Files: plainFiles(), ExtraHeap: []byte("x")})
	f.Add(b)
	f.Add([]byte("xar!\x00\x1c\x00\x01"))
	// Stapled: trailers and a ticket after the archive.
	f.Add(append(bytes.Clone(b), ticketfile.Staple(ticketfile.Ticket(bytes.Repeat([]byte{1}, 20)))...))
	f.Add(append(bytes.Clone(b), ticketfile.Trailer(2, 1<<30)...))
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

// FuzzPayload reads arbitrary Payload streams (gzip, pbzx, bzip2 or raw
// odc or newc cpio): decompress and parseCPIO must fail cleanly within the limit.
func FuzzPayload(f *testing.F) {
	cp := pkgfile.CPIO([]pkgfile.CPIOFile{
		{Name: ".", Mode: 0o040755},
		{Name: "./a", Mode: 0o100644, Data: []byte("data")},
		{Name: "./l", Mode: 0o120755, Data: []byte("a")},
	})
	f.Add(cp)
	f.Add(pkgfile.Gzip(cp))
	f.Add(pkgfile.PBZX(cp, 64))
	f.Add(pkgfile.CPIONewc(newcFiles, false))
	f.Add(pkgfile.CPIONewc(newcFiles, true))
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := decompress(bytes.NewReader(b), 1<<20)
		if err != nil {
			return
		}
		if root, _, err := parseCPIO(out); err == nil {
			fs.WalkDir(memFS{root}, ".", func(p string, d fs.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() {
					fs.ReadFile(memFS{root}, p)
				}
				return nil
			})
		}
	})
}
