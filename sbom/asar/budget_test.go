package asar

import (
	"bytes"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The parser budget: per MB of hostile header, at most 100 MB allocated and
// one second spent (the time bound is checked loosely, ×4, since tests
// share the machine).
const (
	budgetAllocPerByte = 100
	budgetTimePerMB    = time.Second
)

// checkBudget parses the archive b and fails when it allocates or takes
// more than the budget for its size.
func checkBudget(t *testing.T, b []byte) *Reader {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	ar, _ := NewReader(bytes.NewReader(b), int64(len(b)))
	if ar != nil {
		readAll(t, ar)
	}
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	mb := float64(len(b)) / (1 << 20)
	t.Logf("%.2f MB archive: %d MB allocated, %v", mb, alloc>>20, took)
	if limit := uint64(budgetAllocPerByte*len(b)) + 4<<20; alloc > limit {
		t.Errorf("allocated %d bytes for a %d-byte archive, budget %d", alloc, len(b), limit)
	}
	if limit := time.Duration(4 * (mb + 1) * float64(budgetTimePerMB)); took > limit {
		t.Errorf("took %v for a %.2f MB archive, budget %v", took, mb, limit)
	}
	return ar
}

// TestBudgetDeepLongNames bounds the paths of deeply nested directories
// with long names: each entry's path repeats its parents' names, so paths
// grow with depth × name length.
func TestBudgetDeepLongNames(t *testing.T) {
	name := strings.Repeat("n", 4000)
	var h strings.Builder
	for range DefaultMaxDepth {
		h.WriteString(`{"files":{"` + name + `":`)
	}
	h.WriteString(`{"size":0,"offset":"0"}`)
	for range DefaultMaxDepth {
		h.WriteString(`}}`)
	}
	if ar := checkBudget(t, raw(h.String(), "")); ar != nil {
		t.Error("an archive whose paths total 130 MB from 1 MB of header was accepted")
	}
}

// TestBudgetWideDeepDirectory bounds many short-named entries in a
// directory whose own path is long.
func TestBudgetWideDeepDirectory(t *testing.T) {
	name := strings.Repeat("n", 1000)
	var h strings.Builder
	const depth = 16
	for range depth {
		h.WriteString(`{"files":{"` + name + `":`)
	}
	h.WriteString(`{"files":{`)
	for i := range 40000 {
		if i > 0 {
			h.WriteByte(',')
		}
		h.WriteString(`"` + strings.Repeat("x", 1+i%3) + string(rune('a'+i%26)) + strconv.Itoa(i) + `":{"link":"a"}`)
	}
	h.WriteString(`}}`)
	for range depth {
		h.WriteString(`}}`)
	}
	if ar := checkBudget(t, raw(h.String(), "")); ar != nil {
		t.Error("an archive whose paths total 640 MB from 1 MB of header was accepted")
	}
}

// TestBudgetDeepNesting bounds JSON nesting in a value the parser skips.
func TestBudgetDeepNesting(t *testing.T) {
	const n = 9000
	checkBudget(t, raw(`{"files":{},"x":`+strings.Repeat("[", n)+strings.Repeat("]", n)+`}`, ""))
	checkBudget(t, raw(`{"files":{},"x":`+strings.Repeat(`{"a":`, n)+"1"+strings.Repeat("}", n)+`}`, ""))
}

// TestBudgetManyKeys bounds huge key counts: entries, unknown keys and
// duplicate names.
func TestBudgetManyKeys(t *testing.T) {
	var h strings.Builder
	h.WriteString(`{"files":{`)
	for i := range 100000 {
		if i > 0 {
			h.WriteByte(',')
		}
		h.WriteString(`"` + strconv.Itoa(i) + `":{"files":{}}`)
	}
	h.WriteString(`}}`)
	checkBudget(t, raw(h.String(), ""))

	h.Reset()
	h.WriteString(`{"files":{`)
	for i := range 100000 {
		if i > 0 {
			h.WriteByte(',')
		}
		h.WriteString(`"a":{"link":"b"}`)
	}
	h.WriteString(`}}`)
	checkBudget(t, raw(h.String(), ""))

	h.Reset()
	h.WriteString(`{"files":{}`)
	for i := range 200000 {
		h.WriteString(`,"k` + strconv.Itoa(i) + `":0`)
	}
	h.WriteString(`}`)
	checkBudget(t, raw(h.String(), ""))
}

// TestBudgetIntegrityBlocks bounds integrity block arrays: huge counts of
// tiny blocks, and a block size of 1 over a real file, which VerifyFile
// hashes block by block.
func TestBudgetIntegrityBlocks(t *testing.T) {
	blocks := strings.Repeat(`"",`, 300000) + `""`
	checkBudget(t, raw(`{"files":{"f":{"size":1,"offset":"0","integrity":{"algorithm":"SHA256","hash":"","blockSize":1,"blocks":[`+blocks+`]}}}}`, "x"))

	const size = 100000
	one := `"` + strings.Repeat("0", 64) + `",`
	blocks = strings.Repeat(one, size-1) + `"` + strings.Repeat("0", 64) + `"`
	checkBudget(t, raw(`{"files":{"f":{"size":`+strconv.Itoa(size)+`,"offset":"0","integrity":{"algorithm":"SHA256","hash":"","blockSize":1,"blocks":[`+blocks+`]}}}}`, strings.Repeat("x", size)))
}
