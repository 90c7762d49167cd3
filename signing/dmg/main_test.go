package dmg

import (
	"flag"
	"os"
	"testing"
)

// fuzzMinimizeTime is this package's default for -fuzzminimizetime
// (Go's is 60s). Go minimizes each new input by removing every byte and
// then every run of bytes, O(n²) candidates for an input of n bytes; an
// image's koly trailer is at its end, so almost every candidate keeps it
// and parses to full depth. An image of a few kilobytes then spends the
// whole minute, during which the worker runs nothing else: FuzzVerify ran
// 8 executions in 100 s. With 200 candidates per input (the tail cuts and
// the first byte removals) the engine still keeps every input that finds
// new coverage, unminimized when they run out; FuzzVerify then runs about
// 4,000 executions a second. An explicit -fuzzminimizetime wins.
const fuzzMinimizeTime = "200x"

func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.fuzzminimizetime" })
	if !set {
		if err := flag.Set("test.fuzzminimizetime", fuzzMinimizeTime); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
