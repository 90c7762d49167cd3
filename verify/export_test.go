package verify

import "testing"

// Fixtures for the external tests of this directory.

// ReleaseDirForTest writes the standard fixture release.
func ReleaseDirForTest(t testing.TB) string { return releaseDir(t) }

// OptionsForTest returns options trusting the fixture roots at the fixture
// time.
func OptionsForTest(t testing.TB) Options {
	return Options{Trust: getFixtures(t).trust, Time: checkTime, ToolVersion: "test"}
}

// WithZipChunkLenForTest returns o reading a large zip input a chunk of n
// central directory records at a time.
func WithZipChunkLenForTest(o Options, n int) Options {
	o.hooks.zipChunkLen = n
	return o
}
