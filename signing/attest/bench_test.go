package attest

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
)

// benchReport makes a passing report of n files.
func benchReport(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"schemaVersion":1,"tool":{"name":"shipgate","version":"bench"},"files":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		sum := sha256.Sum256([]byte(fmt.Sprint(i)))
		fmt.Fprintf(&b, `{"path":"resources/app/node_modules/pkg%05d/index.js","size":1234,"sha256":"%x","kind":"other","signatures":[]}`, i, sum)
	}
	fmt.Fprintf(&b, `],"findings":[],"summary":{"files":%d,"signed":0,"errors":0,"warnings":0,"passed":true}}`, n)
	return []byte(b.String())
}

func BenchmarkStatement10k(b *testing.B) {
	report := benchReport(10000)
	b.SetBytes(int64(len(report)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Statement(report, StatementOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify10k(b *testing.B) {
	report := benchReport(10000)
	s, v := signerFor(b, testKey{"p256", testpki.Key(testpki.ECDSA, 0), KeyOptions{}})
	env, err := Sign(report, s, SignOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(env)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(env, v, VerifyOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
