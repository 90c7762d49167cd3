package memo

import (
	"sync"
	"testing"
)

// TestBoundedStopsAtMax checks that a Bounded remembers what it is given
// until it holds Max entries, and nothing after, and that the zero value
// remembers nothing.
func TestBoundedStopsAtMax(t *testing.T) {
	b := Bounded[int, string]{Max: 2}
	b.Put(1, "a")
	b.Put(2, "b")
	b.Put(3, "c")
	if v, ok := b.Get(1); !ok || v != "a" {
		t.Fatalf("Get(1) = %q, %v; want a, true", v, ok)
	}
	if _, ok := b.Get(3); ok {
		t.Fatal("an entry past Max was remembered")
	}
	if n := b.Len(); n != 2 {
		t.Fatalf("Len() = %d, want 2", n)
	}
	var z Bounded[int, int]
	z.Put(1, 1)
	if _, ok := z.Get(1); ok || z.Len() != 0 {
		t.Fatal("the zero Bounded remembered an entry")
	}
}

// TestBoundedConcurrent exercises Get and Put from many goroutines (for
// the race detector).
func TestBoundedConcurrent(t *testing.T) {
	b := Bounded[int, int]{Max: 64}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				b.Put(i, g)
				b.Get(i)
			}
		}()
	}
	wg.Wait()
	if n := b.Len(); n != 64 {
		t.Fatalf("Len() = %d, want 64", n)
	}
}
