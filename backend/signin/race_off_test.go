//go:build !race

package signin_test

const raceOn = false
