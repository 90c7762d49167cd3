package git

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// elfPayload is the start of an x86-64 ELF executable followed by code-like
// bytes: what an attacker appends to a text file to smuggle a binary.
func elfPayload() string {
	return "\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00\x01\x00\x00\x00" + noise(4096, 11)
}

// TestAttackBinaryAfterTextPadding: a binary payload after a text prefix
// longer than the 8000 bytes git's NUL test looks at, and after one longer
// than a 64 KiB window, is still binary. Both passed as text before.
func TestAttackBinaryAfterTextPadding(t *testing.T) {
	t.Parallel()
	text := func(n int) string { return strings.Repeat("int pad = 0; /* ordinary code */\n", n/33+1)[:n] }
	for _, pad := range []int{8 << 10, 100 << 10, 3 << 20} {
		tr := newTestRepo(t)
		root, base := rtBase(tr)
		c := tr.commit(commitSpec{files: with(base, "src/data.c", text(pad)+elfPayload()), parents: []plumbing.Hash{root}})
		tr.head(c)
		rtAudit(t, tr.dir, Options{Since: "v1"}, func(t *testing.T, res *Result) {
			rtHas(t, res, RuleBinaryAdded, c)
		})
	}
}

// TestAttackBlobLargerThanRead: a blob larger than the heuristics read is
// reported as too large to inspect, not assumed to be text from its prefix.
func TestAttackBlobLargerThanRead(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	line := "int pad = 0; /* ordinary code */\n"
	big := strings.Repeat(line, sniffBytes/len(line)+1)
	c := tr.commit(commitSpec{files: with(base, "src/big.c", big), parents: []plumbing.Hash{root}})
	tr.head(c)
	rtAudit(t, tr.dir, Options{Since: "v1"}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleBinaryAdded, c)
		if fs := findingsOf(res, RuleBinaryAdded); len(fs) != 1 || !strings.Contains(fs[0].Message, "too large to inspect") {
			t.Errorf("findings %v, want one saying too large to inspect", fs)
		}
	})
}

// TestLargeTextNotBinary: megabytes of ordinary text, read in full, are
// not binary, and neither is UTF-8 text whose runes straddle the windows.
func TestLargeTextNotBinary(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	code := strings.Repeat("func main() { println(\"hello\") }\n", 4<<20/34)
	prose := strings.Repeat("Grüße, 世界 — ok.\n", 1<<20/22)
	c := tr.commit(commitSpec{files: with(base, "src/big.go", code, "docs/prose.txt", prose), parents: []plumbing.Hash{root}})
	tr.head(c)
	rtAudit(t, tr.dir, Options{Since: "v1"}, func(t *testing.T, res *Result) {
		rtNone(t, res, RuleBinaryAdded)
	})
}

// TestAttackHexPayloadOnLongLines: a binary payload spelled in hex on long
// lines is 4 bits/byte, under the high-entropy text threshold, and passed
// as text. Hex wrapped into short lines counts too (see encoded.go); long
// runs of one digit do not.
func TestAttackHexPayloadOnLongLines(t *testing.T) {
	t.Parallel()
	payload := hex.EncodeToString([]byte(noise(8192, 12)))
	for _, c := range []struct {
		name string
		b    string
		want bool
	}{
		{"hex one line", payload, true},
		{"hex long lines", wrap(payload, 1024), true},
		{"hex after code", strings.Repeat("int pad = 0;\n", 4000) + payload, true},
		{"hex wrapped at 64", wrap(payload, 64), true},
		{"zeros", strings.Repeat("0", 16384), false},
	} {
		if got := classify([]byte(c.b), int64(len(c.b))).suspicious; got != c.want {
			t.Errorf("%s: suspicious=%v, want %v", c.name, got, c.want)
		}
	}
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	c := tr.commit(commitSpec{files: with(base, "tests/files/vector.txt", payload), parents: []plumbing.Hash{root}})
	tr.head(c)
	rtAudit(t, tr.dir, Options{Since: "v1"}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleBinaryAdded, c)
	})
}
