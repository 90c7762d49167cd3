package pkg

import (
	"bytes"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
)

// BenchmarkVerify verifies a signed package with a 32 MiB payload: the
// cost is hashing every heap byte once.
func BenchmarkVerify(b *testing.B) {
	s := signedSpec(b)
	payload := make([]byte, 32<<20)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	s.Files = append(plainFiles()[:2], pkgfile.File{Path: "a.pkg/Payload", Data: payload})
	pk, _ := pkgfile.Build(s)
	_, trust := testPKI(b)
	b.SetBytes(int64(len(pk)))
	b.ResetTimer()
	for b.Loop() {
		res, err := Verify(bytes.NewReader(pk), int64(len(pk)), Options{Trust: trust, Time: machofile.SignTime})
		if err != nil || res.Signatures[0].Status.String() != "valid" {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenFS opens the example package's pbzx payload.
func BenchmarkOpenFS(b *testing.B) {
	p, _ := testPKI(b)
	pk, _ := pkgfile.Build(pkgfile.Spec{Files: pkgfile.ExamplePackage(p.PKI, true)})
	b.SetBytes(int64(len(pk)))
	for b.Loop() {
		x, err := NewReader(bytes.NewReader(pk), int64(len(pk)))
		if err != nil {
			b.Fatal(err)
		}
		OpenFS(x, FSOptions{})
	}
}
