package records

import (
	"slices"
	"strconv"
	"strings"

	"github.com/ward-health/ward/backend/fhir"
)

// report adds a DiagnosticReport with its results; it returns how many
// reports it added to the lists (0 for one entered in error).
func (b *builder) report(res fhir.Resource) int {
	dp, ok := b.idx.reports[res.Ref()]
	if !ok {
		return b.unreadable(res, b.idx.bad[res.Ref()])
	}
	d := *dp
	if b.elsewhere(res, d.provenance(), firstNonEmpty(d.Code.Label(), "Test result")) {
		for _, ref := range d.Result {
			if obs, ok := b.resolveFrom(res, ref.Reference); ok {
				b.idx.inReport[obs.Ref()] = true // filed with their report
			}
		}
		return 0
	}
	rep := Report{
		ID:           res.ID,
		Name:         firstNonEmpty(d.Code.Label(), "Test result"),
		Category:     categoryOf(d.Category),
		Taken:        firstNonEmpty(d.EffectiveDateTime, d.EffectiveInstant, periodStart(d.EffectivePeriod), d.Issued),
		Resulted:     d.Issued,
		Organisation: b.orgOf(res, d.provenance(), nil, d.Performer),
		Status:       d.Status,
		Conclusion:   d.Conclusion,
		Codes:        codesOf(&d.Code),
		OrderedBy:    b.orderedBy(d.BasedOn),
		PerformedBy:  b.people(res, d.Performer),
		ReviewedBy:   b.people(res, d.ResultsInterpreter),
	}
	for _, form := range d.PresentedForm {
		if t := attachmentText(form); t != "" {
			rep.Text = t
			break
		}
	}
	for _, ref := range d.Result {
		obs, ok := b.resolveFrom(res, ref.Reference)
		if !ok {
			continue
		}
		b.idx.inReport[obs.Ref()] = true
		op, ok := b.all.observation(obs)
		if !ok {
			continue
		}
		o := *op
		// A panel observation lists its members; show the members.
		if len(o.HasMember) > 0 && o.Quantity == nil && o.String == nil && len(o.Component) == 0 {
			for _, m := range o.HasMember {
				if mo, ok := b.all.resolve(b.idx, m.Reference); ok {
					b.idx.inReport[mo.Ref()] = true
					if x, ok := b.all.observation(mo); ok {
						rep.Results = append(rep.Results, b.results(*x)...)
					}
				}
			}
			continue
		}
		rep.Results = append(rep.Results, b.results(o)...)
	}
	return b.addReport(rep)
}

// orderedBy names who asked for the test: the requester of the order it
// was based on. Whoever performed or interpreted it is not that person
// (they are shown as what they are), so there is no guessing from them.
func (b *builder) orderedBy(basedOn []fhir.Reference) string {
	for _, ref := range basedOn {
		if sr, ok := b.all.resolve(b.idx, ref.Reference); ok {
			var req struct {
				Requester *fhir.Reference `json:"requester"`
			}
			if sr.Decode(&req) == nil && req.Requester != nil && !strings.Contains(req.Requester.Reference, "Organization/") {
				if n := b.name(*req.Requester, sr); n != "" {
					return n
				}
			}
		}
	}
	return ""
}

// people names the people (not organisations) among refs, once each.
func (b *builder) people(res fhir.Resource, refs []fhir.Reference) string {
	var names []string
	for _, who := range refs {
		if strings.Contains(who.Reference, "Organization/") || strings.Contains(who.Reference, "CareTeam/") {
			continue
		}
		if n := b.name(who, res); n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}

// loneObservation adds an Observation that no report lists as its own
// group; it returns 1 when it was listed.
func (b *builder) loneObservation(res fhir.Resource) int {
	op, ok := b.all.observation(res)
	if !ok {
		return b.unreadable(res, b.idx.bad[res.Ref()])
	}
	o := *op
	if b.elsewhere(res, o.provenance, firstNonEmpty(o.Code.Label(), "Test result")) {
		return 0
	}
	results := b.results(o)
	if len(results) == 0 {
		return 0
	}
	return b.addReport(Report{
		ID:           "obs-" + res.ID,
		Name:         firstNonEmpty(o.Code.Label(), "Test result"),
		Category:     categoryOf(o.Category),
		Taken:        o.taken(),
		Resulted:     o.Issued,
		Organisation: b.orgOf(res, o.provenance, nil, o.Performer),
		Status:       o.Status,
		OrderedBy:    b.orderedBy(o.BasedOn),
		PerformedBy:  b.people(res, o.Performer),
		Results:      results,
		Codes:        codesOf(&o.Code),
	})
}

// addReport files a report: in the lists when it counts, else (entered in
// error, cancelled) only where a direct link finds it. It returns how many
// reports it listed.
func (b *builder) addReport(rep Report) int {
	if rep.Results == nil {
		rep.Results = []Result{}
	}
	rep.Withdrawn = []Result{}
	// Two organisations may use the same report id: keep both.
	if _, dup := b.rec.byID[rep.ID]; dup {
		rep.ID = rep.ID + "~" + strconv.Itoa(len(b.rec.reports))
	}
	if _, dup := b.rec.void[rep.ID]; dup {
		rep.ID = rep.ID + "~v" + strconv.Itoa(len(b.rec.void))
	}
	rep.StatusLabel = statusLabel(rep.Status)
	kept := rep.Results[:0:0]
	for _, x := range rep.Results {
		if voidStatus(x.Status) || voidStatus(rep.Status) {
			rep.Withdrawn = append(rep.Withdrawn, unflagged(x))
		} else {
			kept = append(kept, x)
		}
	}
	rep.Results = kept
	if voidStatus(rep.Status) || (len(kept) == 0 && len(rep.Withdrawn) > 0 && rep.Text == "") {
		rep.Void = true
		if !voidStatus(rep.Status) {
			rep.StatusLabel = statusLabel(rep.Withdrawn[0].Status)
		}
		b.rec.void[rep.ID] = rep
		return 0
	}
	rep.AllInRange = len(kept) > 0
	for _, x := range kept {
		if x.Flag != "" {
			rep.AbnormalCount++
		}
		if x.Urgent {
			rep.UrgentCount++
		}
		if x.Flag == "high" || x.Flag == "low" {
			rep.OutsideCount++
		}
		if x.RangeCheck == rangeNone || x.RangeCheck == rangeUnclear {
			rep.UnrangedCount++
		}
		if x.RangeCheck != rangeIn || x.Flag != "" || x.Computed != "" || (x.Interpretation != "" && x.Interpretation != "Normal") {
			rep.AllInRange = false
		}
		h := b.rec.history[x.TestKey]
		if h == nil {
			h = &History{Name: x.Name, Points: []Point{}}
			b.rec.history[x.TestKey] = h
		}
		h.add(x, rep)
	}
	b.rec.byID[rep.ID] = len(b.rec.reports)
	b.rec.reports = append(b.rec.reports, rep)
	return 1
}

// unflagged is a result that must not be used, with nothing that could
// make it look like it needs acting on.
func unflagged(x Result) Result {
	x.Flag, x.FlagLabel, x.Urgent, x.Computed, x.Interpretation = "", "", false, "", ""
	x.StatusLabel = firstNonEmpty(statusLabel(x.Status), statusLabel("entered-in-error"))
	return x
}
