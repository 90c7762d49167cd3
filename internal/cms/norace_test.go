//go:build !race

package cms

// raceDiv divides the iterations of generated-input tests under the race
// detector (see berInputs); without it they run in full.
const raceDiv = 1
