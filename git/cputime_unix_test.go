//go:build unix

package git

import (
	"syscall"
	"time"
)

// cpuTime returns the user plus system CPU time of the process and of its
// children that have been waited for (the git binary a backend runs), or
// false.
func cpuTime() (time.Duration, bool) {
	var self, children syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &self) != nil || syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children) != nil {
		return 0, false
	}
	return time.Duration(self.Utime.Nano() + self.Stime.Nano() + children.Utime.Nano() + children.Stime.Nano()), true
}
