package identity

// Found is one Patient a file holds: who it says, and which other Patient
// references it says are the same person (Patient.link).
type Found struct {
	Person Person
	Links  []string
}

// Decide settles whose record a file is. vault is the record's person
// (zero before the first file that names anyone); found are the file's
// Patients. sure is the importer's "yes, the same person" after a doubt.
// It returns the record's person to keep, with what the file adds, or a
// *MismatchError; nothing is decided by guessing.
func Decide(vault Person, found []Found, sure bool) (Person, error) {
	people := group(found)
	switch len(people) {
	case 0:
		return vault, nil
	case 1:
	default:
		return vault, &MismatchError{Kind: ErrSeveral, File: people, Vault: vault}
	}
	p := people[0]
	if !vault.Known() && len(vault.Refs) == 0 {
		return p, nil
	}
	v, why := Match(vault, p)
	switch {
	case v == Same, v == Unsure && sure:
		vault.Merge(p)
		return vault, nil
	case v == Unsure:
		return vault, &MismatchError{Kind: ErrUnsure, Reason: why, File: people, Vault: vault}
	}
	return vault, &MismatchError{Kind: ErrOtherPerson, Reason: why, File: people, Vault: vault}
}

// group joins a file's Patients that are one person: linked to each other,
// or the same by Match. A Patient that says nothing about who it is (only
// links, as payers write them) joins the one it links to, or is dropped.
func group(found []Found) []Person {
	var people []Person
	var links [][]string
	var empty []Found
	for _, f := range found {
		if !f.Person.Known() {
			empty = append(empty, f)
			continue
		}
		joined := false
		for i := range people {
			if linked(people[i], links[i], f) {
				people[i].Merge(f.Person)
				links[i] = append(links[i], f.Links...)
				joined = true
				break
			}
			if v, _ := Match(people[i], f.Person); v == Same {
				people[i].Merge(f.Person)
				links[i] = append(links[i], f.Links...)
				joined = true
				break
			}
		}
		if !joined {
			people = append(people, f.Person)
			links = append(links, f.Links)
		}
	}
	for _, f := range empty {
		for i := range people {
			if linked(people[i], links[i], f) {
				people[i].Merge(f.Person)
				break
			}
		}
	}
	return people
}

func linked(p Person, plinks []string, f Found) bool {
	for _, l := range f.Links {
		if p.HasRef(l) {
			return true
		}
	}
	for _, l := range plinks {
		if f.Person.HasRef(l) {
			return true
		}
	}
	return false
}
