// Package hazards holds no code: its test reads the clinical safety hazard
// log (docs/clinical-safety/hazard-log.md) and fails when a hazard names no
// test, or a test that does not exist, so a hazard's control cannot quietly
// lose the test that proves it.
package hazards
