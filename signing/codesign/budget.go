package codesign

import "fmt"

// budget bounds the work verifying one file may take, in proportion to its
// size: a universal header may list up to maxFatArches slices over the same
// bytes, and each slice's load commands, signature and CodeDirectories say
// how much to read and hash. Real files stay far inside it: their slices do
// not overlap, so everything read is at most the file once and everything
// hashed at most once per CodeDirectory.
type budget struct {
	read, hash, count int64 // what is left
	// exceeded names what ran out, empty while within the budget.
	exceeded string
}

// Budget factors, documented under codesign/work-budget-exceeded.
const (
	budgetReadFactor = 4       // bytes of load commands and signatures read, per byte of file
	budgetHashFactor = 8       // bytes of code hashed, per byte of file
	budgetSlack      = 1 << 20 // added to both, so small files are never cramped
	budgetCountDiv   = 4       // load commands, blobs and hash slots: one per 4 bytes of file
	budgetCountSlack = 64 << 10
	budgetCMSCost    = 4096 // a CMS signature verified counts as this many
)

func newBudget(size int64) *budget {
	return &budget{
		read:  budgetReadFactor*size + budgetSlack,
		hash:  budgetHashFactor*size + budgetSlack,
		count: size/budgetCountDiv + budgetCountSlack,
	}
}

// take charges n units of what against left and reports whether the budget
// still holds. Once exhausted it stays exhausted.
func (b *budget) take(left *int64, n int64, what string) bool {
	if b == nil {
		return true
	}
	if b.exceeded != "" {
		return false
	}
	if n < 0 || n > *left {
		b.exceeded = what
		return false
	}
	*left -= n
	return true
}

func (b *budget) readBytes(n int64, what string) bool {
	return b == nil || b.take(&b.read, n, fmt.Sprintf("bytes read (%s)", what))
}

func (b *budget) hashBytes(n int64) bool {
	return b == nil || b.take(&b.hash, n, "bytes hashed")
}

func (b *budget) items(n int64, what string) bool {
	return b == nil || b.take(&b.count, n, what)
}
