//go:build race

package signin_test

// raceOn: the race detector makes each try some ten times slower, so the
// flood is cut to a tenth under it.
const raceOn = true
