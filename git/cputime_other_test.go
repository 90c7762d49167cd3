//go:build !unix

package git

import "time"

func cpuTime() (time.Duration, bool) { return 0, false }
