//go:build unix

package session

import (
	"syscall"
	"time"
)

// cpuTime is the CPU this process has used, all threads: on a shared
// two-core machine it moves far less with other work than wall time does.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
