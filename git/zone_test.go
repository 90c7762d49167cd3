package git

import (
	"fmt"
	"testing"
)

// TestParsePersonZones checks the dates' zones parsePerson shares through
// fixedZone: each date keeps its zone's name and offset, for a zone seen
// before and for more zones than the cache holds.
func TestParsePersonZones(t *testing.T) {
	t.Parallel()
	for i := range maxZones + 50 {
		for _, sign := range []int{1, -1} {
			h, m := i/60%24, i%60
			tz := fmt.Sprintf("+%02d%02d", h, m)
			if sign < 0 {
				tz = "-" + tz[1:]
			}
			for range 2 {
				p, err := parsePerson("Dev <dev@example.com> 1700000000 " + tz)
				if err != nil {
					t.Fatal(err)
				}
				name, off := p.When.Zone()
				if want := sign * (h*3600 + m*60); name != tz || off != want {
					t.Fatalf("%s: zone %q %d, want %q %d", tz, name, off, tz, want)
				}
				if p.When.Unix() != 1700000000 {
					t.Fatalf("%s: %d seconds", tz, p.When.Unix())
				}
			}
		}
	}
}
