//go:build unix

package blocklist

import (
	"syscall"
	"time"
)

// cpuTime returns the process's user plus system CPU time, so that
// benchmarks can report CPU cost when the machine is shared and wall-clock
// time says more about the neighbours than about the code.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
