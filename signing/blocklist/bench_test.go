package blocklist

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// genHash returns a deterministic hex SHA-256 for i.
func genHash(i int) string {
	h := sha256.Sum256([]byte(fmt.Sprint(i)))
	return hex.EncodeToString(h[:])
}

// genNativeJSON writes a native list of n entries: mostly file hashes, every
// tenth a certificate serial with a revocation date.
func genNativeJSON(n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 110)
	b.WriteString("{\"version\": 1, \"entries\": [\n")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		if i%10 == 0 {
			fmt.Fprintf(&b, `{"kind":"serial","value":"%s","revokedAt":"2023-01-01T00:00:00Z","reason":"superseded"}`, genHash(i)[:32])
		} else {
			fmt.Fprintf(&b, `{"kind":"file-sha256","value":"%s","note":"sample %d"}`, genHash(i), i)
		}
	}
	b.WriteString("\n]}\n")
	return b.Bytes()
}

// genCSV writes a Sophos-style CSV of n SHA-256 indicators.
func genCSV(n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 90)
	b.WriteString("\ufeffIndicator,Data,Note\r\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "SHA256,%s,WIN: sample %d\r\n", genHash(i), i)
	}
	return b.Bytes()
}

func BenchmarkLoad1M(b *testing.B) {
	const n = 1_000_000
	for _, c := range []struct {
		name string
		gen  func(int) []byte
	}{{"native-json", genNativeJSON}, {"csv", genCSV}} {
		data := c.gen(n)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				l, err := Parse(bytes.NewReader(data), c.name, LoadOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if l.Len() != n {
					b.Fatalf("Len = %d, want %d", l.Len(), n)
				}
			}
			if cpu := cpuTime() - cpu0; cpu > 0 {
				// CPU seconds of the whole process (parsing and GC) per load.
				b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
			}
		})
	}
}

func BenchmarkMatchChain(b *testing.B) {
	root := testpki.NewRoot(testpki.Spec{CommonName: "Bench Root"})
	leaf := root.Issue(testpki.Spec{CommonName: "Bench Leaf"})
	chain := []signing.Identity{signing.NewIdentity(leaf.Cert), signing.NewIdentity(root.Cert)}
	for _, size := range []int{1_000, 1_000_000} {
		l, err := Parse(bytes.NewReader(genNativeJSON(size)), "bench.json", LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if err := l.Add(Entry{Kind: KindCertSHA256, Value: chain[0].SHA256, Source: "bench"}); err != nil {
			b.Fatal(err)
		}
		at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		b.Run(fmt.Sprintf("entries=%d", size), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if hits := l.MatchChain(chain, at, true, PolicyStrict); len(hits) != 1 {
					b.Fatalf("%d hits", len(hits))
				}
			}
		})
	}
}

// BenchmarkMerge1M measures what a caller pays to combine a loaded
// million-entry list with the built-in one (package verify merges every
// list into one).
func BenchmarkMerge1M(b *testing.B) {
	big, err := Parse(bytes.NewReader(genNativeJSON(1_000_000)), "big.json", LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		l := Default()
		l.Merge(big)
		if l.Len() != big.Len()+Default().Len() {
			b.Fatal("bad merge")
		}
	}
}

// BenchmarkParseDuplicateKeys loads a list repeating one hash 50,000 times,
// the case that was quadratic before the tails index.
func BenchmarkParseDuplicateKeys(b *testing.B) {
	src := []byte(strings.Repeat("0eeb1c0133eb4d571178b2d9d14ce3e9\n", 50_000))
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(src), "dups.txt", LoadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
