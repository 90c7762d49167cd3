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

// SetZipChunkLenForTest reads a large zip input a chunk of n central
// directory records at a time until the returned function restores it.
func SetZipChunkLenForTest(n int) (restore func()) {
	old := zipChunkLen
	zipChunkLen = n
	return func() { zipChunkLen = old }
}
