package identity

import (
	"errors"
	"fmt"
)

// Verdict is what a comparison of two people found.
type Verdict int

const (
	// Same: an identifier matches, or name and birth date agree with no
	// identifier in conflict.
	Same Verdict = iota
	// Different: a conflicting identifier, a different birth date, or a
	// different name.
	Different
	// Unsure: nothing conflicts, but nothing proves it either (the names
	// differ in spelling only, or a birth date is missing). The person
	// importing must confirm.
	Unsure
)

func (v Verdict) String() string {
	return [...]string{"same", "different", "unsure"}[v]
}

// Reason says what decided a verdict, for messages and tests.
type Reason string

const (
	ByIdentifier       Reason = "identifier"
	ByNameAndBirth     Reason = "name and birth date"
	NHSNumberConflict  Reason = "different NHS numbers"
	IdentifierConflict Reason = "different identifiers in the same system"
	BirthDateConflict  Reason = "different birth dates"
	NameConflict       Reason = "different names"
	NameSpelling       Reason = "names differ in spelling"
	BirthDateMissing   Reason = "a birth date is missing"
	NothingToCompare   Reason = "nothing to compare"
	ReferenceMatch     Reason = "the same patient reference"
)

// Match compares the vault's person with a file's.
func Match(vault, file Person) (Verdict, Reason) {
	for _, r := range file.Refs {
		if vault.HasRef(r) && len(file.Identifiers) == 0 && file.BirthDate == "" && file.Label() == "" {
			return Same, ReferenceMatch
		}
	}
	// Identifiers first: an NHS number conflict is never overridden.
	matched, conflict, nhsConflict := compareIDs(vault.Identifiers, file.Identifiers)
	switch {
	case nhsConflict:
		return Different, NHSNumberConflict
	case matched:
		return Same, ByIdentifier
	case conflict:
		return Different, IdentifierConflict
	}
	if vault.BirthDate != "" && file.BirthDate != "" && !sameDate(vault.BirthDate, file.BirthDate) {
		return Different, BirthDateConflict
	}
	names := compareNames(vault.Names, file.Names)
	switch {
	case names == namesNone:
		if vault.BirthDate == "" && file.BirthDate == "" && len(vault.Names) == 0 {
			return Unsure, NothingToCompare
		}
		return Different, NameConflict
	case names == namesClose:
		return Unsure, NameSpelling
	case vault.BirthDate == "" || file.BirthDate == "":
		return Unsure, BirthDateMissing
	}
	return Same, ByNameAndBirth
}

// compareIDs looks at every system both people have identifiers in.
func compareIDs(a, b []Identifier) (matched, conflict, nhsConflict bool) {
	bySystem := map[string][]string{}
	for _, id := range a {
		if id, ok := normalID(id.System, id.Value); ok {
			bySystem[id.System] = append(bySystem[id.System], id.Value)
		}
	}
	systems := map[string]bool{} // systems in b that a has: true if any value matched
	for _, id := range b {
		id, ok := normalID(id.System, id.Value)
		if !ok {
			continue
		}
		vals, ok := bySystem[id.System]
		if !ok {
			continue
		}
		hit := false
		for _, v := range vals {
			if v == id.Value {
				hit = true
			}
		}
		systems[id.System] = systems[id.System] || hit
	}
	for sys, hit := range systems {
		if hit {
			matched = true
			continue
		}
		conflict = true
		if sys == NHSNumberSystem {
			nhsConflict = true
		}
	}
	return matched, conflict, nhsConflict
}

// sameDate compares birth dates at the precision both have ("1948" agrees
// with "1948-03-02").
func sameDate(a, b string) bool {
	n := min(len(a), len(b))
	return a[:n] == b[:n]
}

type nameResult int

const (
	namesNone nameResult = iota
	namesClose
	namesEqual
)

func compareNames(a, b []Name) nameResult {
	best := namesNone
	for _, x := range a {
		xg, xf := x.key()
		for _, y := range b {
			yg, yf := y.key()
			if xf == "" || yf == "" {
				continue
			}
			switch {
			case xf == yf && (xg == yg || xg == "" || yg == ""):
				if xg == yg {
					return namesEqual
				}
				best = max(best, namesClose)
			case near(xf, yf) && (near(xg, yg) || initialOf(xg, yg)):
				best = max(best, namesClose)
			}
		}
	}
	return best
}

// near reports names one or two edits apart (Jon/John, Smyth/Smith),
// counting a short name's single edit only.
func near(a, b string) bool {
	if a == b {
		return true
	}
	limit := 2
	if min(len([]rune(a)), len([]rune(b))) <= 4 {
		limit = 1
	}
	return distance(a, b) <= limit
}

func initialOf(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	return (len(ra) == 1 && len(rb) > 0 && ra[0] == rb[0]) || (len(rb) == 1 && len(ra) > 0 && rb[0] == ra[0])
}

// distance is the Levenshtein distance between two short strings.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// Errors the intake returns; the edge turns them into words that name both
// people.
var (
	// ErrOtherPerson: the file is about someone else.
	ErrOtherPerson = errors.New("identity: the file is about someone else")
	// ErrUnsure: the file may be about someone else; the person importing
	// must confirm.
	ErrUnsure = errors.New("identity: not sure the file is about the same person")
	// ErrSeveral: one file names several different people.
	ErrSeveral = errors.New("identity: the file is about several people")
)

// MismatchError is a refused file: who it is about and whose record this is.
type MismatchError struct {
	Kind   error // ErrOtherPerson, ErrUnsure or ErrSeveral
	Reason Reason
	File   []Person // the file's people (two or more for ErrSeveral)
	Vault  Person   // the record's person (empty for ErrSeveral in a new vault)
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("%v (%s)", e.Kind, e.Reason)
}

func (e *MismatchError) Unwrap() error { return e.Kind }
