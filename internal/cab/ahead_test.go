package cab

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

// walkTrace walks c, reading all of each file, or half of it when half is
// set, and returns what it read and the error, one line each.
func walkTrace(c *Reader, half bool) string {
	var out bytes.Buffer
	err := c.Walk(func(f *File, r io.Reader) error {
		n := f.Size
		if half {
			n /= 2
		}
		h := sha256.New()
		k, err := io.CopyN(h, r, n)
		fmt.Fprintf(&out, "%s %d %x %v\n", f.Name, k, h.Sum(nil), err)
		return err
	})
	fmt.Fprintf(&out, "walk: %v\n", err)
	return out.String()
}

// withAhead returns c set to decode every folder of at least min blocks
// ahead.
func withAhead(c *Reader, min int) *Reader {
	c.aheadMin = min
	return c
}

// TestWalkAheadSameAsDirect walks cabinets, whole and with damaged blocks,
// stored and MSZIP, reading every file whole or half, with folders decoded
// on the walk's goroutine and ahead of it: the bytes, the files they are
// given to and the errors are the same.
func TestWalkAheadSameAsDirect(t *testing.T) {
	t.Parallel()
	files := sampleFiles()
	files = append(files, BuildFile{Name: "big.bin", Data: bytes.Repeat([]byte("0123456789"), 100000)})
	for _, m := range []Method{MethodNone, MethodMSZIP} {
		good := Build(files, BuildOptions{Method: m})
		blk := int(open(t, good).Folders[0].DataOffset)
		cabs := map[string][]byte{"good": good}
		for _, at := range []int{blk + 20, len(good) / 2, len(good) - 3} {
			bad := bytes.Clone(good)
			bad[at] ^= 0x40
			cabs[fmt.Sprintf("flip@%d", at)] = bad
		}
		cabs["cut short"] = patch(good, blk+4, 3, 2)
		for name, b := range cabs {
			for _, half := range []bool{false, true} {
				direct := walkTrace(withAhead(open(t, b), 1<<30), half)
				ahead := walkTrace(withAhead(open(t, b), 1), half)
				if name != "good" && !strings.Contains(direct, "FormatError") && !strings.Contains(direct, "checksum") && !strings.Contains(direct, "MSZIP") {
					t.Errorf("%s %s half=%v: no error read\n%s", m, name, half, direct)
				}
				if direct != ahead {
					t.Errorf("%s %s half=%v: read ahead\n%s\ndirect\n%s", m, name, half, ahead, direct)
				}
			}
		}
	}
}

// TestWalkAheadStops checks that a walk that stops early (its callback
// fails) leaves no decoding goroutine behind.
func TestWalkAheadStops(t *testing.T) {
	c := open(t, Build([]BuildFile{
		{Name: "a.bin", Data: bytes.Repeat([]byte("a"), 1<<20)},
		{Name: "b.bin", Data: bytes.Repeat([]byte("b"), 1<<20)},
	}, BuildOptions{Method: MethodMSZIP}))
	before := runtime.NumGoroutine()
	stop := errors.New("stop")
	err := withAhead(c, 1).Walk(func(f *File, r io.Reader) error {
		r.Read(make([]byte, 10))
		return stop
	})
	if err != stop {
		t.Fatalf("Walk = %v, want the callback's error", err)
	}
	for i := 0; runtime.NumGoroutine() > before; i++ {
		if i == 100 {
			t.Fatalf("%d goroutines after the walk, %d before", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestChecksumWords compares checksum with the word-by-word sum [MS-CAB]
// gives, for every length around the 32-byte steps.
func TestChecksumWords(t *testing.T) {
	t.Parallel()
	b := make([]byte, 200)
	for i := range b {
		b[i] = byte(i*37 + 11)
	}
	for n := range len(b) {
		want := uint32(0x12345678)
		p := b[:n]
		for len(p) >= 4 {
			want ^= uint32(p[0]) | uint32(p[1])<<8 | uint32(p[2])<<16 | uint32(p[3])<<24
			p = p[4:]
		}
		var ul uint32
		for _, x := range p {
			ul = ul<<8 | uint32(x)
		}
		if got := checksum(b[:n], 0x12345678); got != want^ul {
			t.Fatalf("checksum of %d bytes = %08x, want %08x", n, got, want^ul)
		}
	}
}
