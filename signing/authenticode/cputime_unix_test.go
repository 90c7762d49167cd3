//go:build unix

package authenticode

import (
	"syscall"
	"time"
)

// cpuTime returns the process's user plus system CPU time, or false.
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
