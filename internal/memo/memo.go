// Package memo holds [Bounded], the one shape of the process-lifetime
// caches of package signing (signature checks, identities, name keys, root
// bundle files) and package cms (parsed certificates): a map guarded by a
// mutex that stops growing at a fixed size, so a hostile input cannot make
// it grow without end; whatever is met after it is full is computed every
// time.
package memo

import "sync"

// Bounded maps keys to remembered values, holding at most Max of them;
// its zero value remembers nothing, and it is safe for concurrent use.
type Bounded[K comparable, V any] struct {
	// Max is the most entries held; it is set once, before first use.
	Max int

	mu sync.Mutex
	m  map[K]V
}

// Get returns the value remembered for k and whether there is one.
func (b *Bounded[K, V]) Get(k K) (V, bool) {
	b.mu.Lock()
	v, ok := b.m[k]
	b.mu.Unlock()
	return v, ok
}

// Put remembers v for k, unless Max entries are already held.
func (b *Bounded[K, V]) Put(k K, v V) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.m) >= b.Max {
		return
	}
	if b.m == nil {
		b.m = map[K]V{}
	}
	b.m[k] = v
}

// Len returns the number of entries held.
func (b *Bounded[K, V]) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.m)
}
