package records

import "sort"

// mark is where each view stood before a set was added, so that what the
// set added can be looked at afterwards.
type mark struct {
	reports, conditions, medications, allergies, immunisations, visits, documents int
}

func (r *Record) mark() mark {
	return mark{len(r.reports), len(r.health.Conditions), len(r.health.Medications), len(r.health.Allergies),
		len(r.health.Immunisations), len(r.visits.all), len(r.documents)}
}

// since reports what a set added after m: the newest date in its data (not
// counting appointments still to come, which are not records "up to" a
// day) and the organisations its items name, sorted.
func (r *Record) since(m mark) (upTo string, orgs []string) {
	today := r.now.Format("2006-01-02T15:04:05")
	seen := map[string]bool{}
	note := func(date, org string) {
		if date != "" && date <= today && date > upTo {
			upTo = date
		}
		if org != "" && !seen[org] {
			seen[org] = true
			orgs = append(orgs, org)
		}
	}
	for _, x := range r.reports[m.reports:] {
		note(x.Taken, x.Organisation)
	}
	for _, x := range r.health.Conditions[m.conditions:] {
		note(x.Onset, x.Organisation)
	}
	for _, x := range r.health.Medications[m.medications:] {
		note(x.Started, x.Organisation)
	}
	for _, x := range r.health.Allergies[m.allergies:] {
		note(x.Recorded, x.Organisation)
	}
	for _, x := range r.health.Immunisations[m.immunisations:] {
		note(x.Date, x.Organisation)
	}
	for _, x := range r.visits.all[m.visits:] {
		note(x.Start, x.Organisation)
	}
	for _, x := range r.documents[m.documents:] {
		note(x.Date, x.Organisation)
	}
	sort.Strings(orgs)
	return upTo, orgs
}

// organisations is every organisation the record's items name, across
// sources, sorted: what "It only shows what … share" lists.
func organisations(sources []Source) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, s := range sources {
		for _, o := range s.Organisations {
			if !seen[o] {
				seen[o] = true
				out = append(out, o)
			}
		}
	}
	sort.Strings(out)
	return out
}
