// Package fuzzmin bounds how long `go test -fuzz` minimizes each new input
// in packages whose inputs are parsed to full depth by almost every
// minimization candidate.
//
// Go minimizes each new interesting input by removing every byte and then
// every run of bytes, O(n²) candidates for an input of n bytes, for up to
// -fuzzminimizetime (60 s by default), and the worker runs nothing else
// meanwhile. A disk image's koly trailer sits at its end and an installer's
// data follows its stub, so nearly every candidate still parses fully: a
// fuzzer of such inputs then reports a handful of executions a minute
// (signing/dmg's FuzzVerify ran 8 in 100 s). With a bound of 200
// candidates per input the engine still keeps every input that finds new
// coverage, unminimized when the candidates run out.
package fuzzmin

import (
	"flag"
	"os"
	"testing"
)

// Default is the -fuzzminimizetime Main sets when the command line does not.
const Default = "200x"

// Main runs the package's tests, fuzz targets and benchmarks with
// -fuzzminimizetime set to [Default] unless the command line sets it, and
// exits with their status. Call it from the package's TestMain.
func Main(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.fuzzminimizetime" })
	if !set {
		if err := flag.Set("test.fuzzminimizetime", Default); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
