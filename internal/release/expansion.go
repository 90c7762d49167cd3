package release

import (
	"fmt"
	"sync/atomic"
)

// Archives found in a release are opened, and archives hold archives:
// 42.zip expands 42 KB into petabytes through five levels. The archives
// nested in one archive (a zip, tarball, cabinet or MSI given as input, or
// the outermost one found in a release) may together declare at most
// ExpansionRatio times its size in entries, and at least MinExpansion
// bytes; the readers hold each entry to its declared size. The ratio is
// Apache POI's zip bomb bound.
const (
	ExpansionRatio = 100
	MinExpansion   = 4 << 30
)

// Expansion is the bytes the archives nested in one archive may still
// declare, shared by the walkers of every nesting level (safe for
// concurrent use).
type Expansion struct{ left atomic.Int64 }

// NewExpansion returns the budget of an outermost archive of size bytes.
func NewExpansion(size int64) *Expansion {
	x := &Expansion{}
	x.left.Store(max(MinExpansion, min(size, 1<<50)*ExpansionRatio))
	return x
}

// Take charges n bytes and reports whether they were left; when they were
// not, nothing is charged.
func (x *Expansion) Take(n int64) bool {
	if x.left.Add(-n) >= 0 {
		return true
	}
	x.left.Add(n)
	return false
}

// MaxDepth bounds the nesting of archives the walkers open: an archive
// found MaxDepth levels down is reported, not opened.
const MaxDepth = 4

// TooDeepMessage is the finding's message, for verify and sbom alike,
// about an archive found depth levels down (at least MaxDepth) whose
// entries were not opened; done is the verb's participle ("checked",
// "inventoried").
func TooDeepMessage(depth int, done string) string {
	return fmt.Sprintf("archive nested %d levels deep; its entries were not %s", depth, done)
}
