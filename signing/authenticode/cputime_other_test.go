//go:build !unix

package authenticode

import "time"

func cpuTime() (time.Duration, bool) { return 0, false }
