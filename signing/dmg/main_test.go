package dmg

import (
	"testing"

	"github.com/shipgate/shipgate/internal/fuzzmin"
)

// TestMain bounds -fuzzminimizetime (see package fuzzmin): this package's
// fuzz inputs parse to full depth under nearly every minimization candidate.
func TestMain(m *testing.M) { fuzzmin.Main(m) }
