//go:build !linux

package bench

import "os"

// Peak RSS is measured on Linux only; elsewhere it is reported as 0.

func peakRSS() int64 { return 0 }

func childPeakRSS(*os.ProcessState) int64 { return 0 }
