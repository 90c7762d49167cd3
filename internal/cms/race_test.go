//go:build race

package cms

// raceDiv divides the iterations of generated-input tests under the race
// detector (see berInputs).
const raceDiv = 4
