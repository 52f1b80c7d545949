package bench

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// peakRSS is this process's peak resident set (VmHWM), in bytes.
func peakRSS() int64 {
	v := procField("/proc/self/status", "VmHWM")
	n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(v, "kB")), 10, 64)
	if err != nil {
		return 0
	}
	return n << 10
}

// childPeakRSS is a finished child's peak resident set (rusage Maxrss, which
// Linux gives in KiB), in bytes. It is only a fallback: after fork and exec,
// Linux folds the parent's peak at the time into the child's Maxrss.
func childPeakRSS(ps *os.ProcessState) int64 {
	if ps == nil {
		return 0
	}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss << 10
	}
	return 0
}
