package testpki

import (
	"bytes"
	"runtime"
	"sync"
)

// FlipEach calls check with a copy of b that has bit 0 of byte i flipped,
// for every i in at, spread over GOMAXPROCS goroutines (each with its own copy, the byte
// flipped back after check returns): the every-byte
// tests verify thousands of independent copies, and on two cores this
// halves their wall time. check runs concurrently, so it must only report
// with t.Errorf (never t.Fatal) and must not share mutable state.
func FlipEach(b []byte, at []int, check func(i int, c []byte)) {
	workers := min(runtime.GOMAXPROCS(0), len(at))
	var next sync.Mutex
	k := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := bytes.Clone(b)
			for {
				next.Lock()
				if k == len(at) {
					next.Unlock()
					return
				}
				i := at[k]
				k++
				next.Unlock()
				c[i] ^= 0x01
				check(i, c)
				c[i] ^= 0x01
			}
		}()
	}
	wg.Wait()
}

// ForEach calls f(k) for every k in [0, n), spread over GOMAXPROCS
// goroutines, for property tests whose cases are independent. As with
// FlipEach, f must report with t.Errorf only.
func ForEach(n int, f func(k int)) {
	var next sync.Mutex
	k := 0
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				next.Lock()
				if k == n {
					next.Unlock()
					return
				}
				i := k
				k++
				next.Unlock()
				f(i)
			}
		}()
	}
	wg.Wait()
}
