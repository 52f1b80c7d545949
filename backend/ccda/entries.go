package ccda

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/ward-health/ward/backend/fhir"
)

// Section kinds Ward reads entries from.
const (
	Problems     = "problems"
	Medications  = "medications"
	Allergies    = "allergies"
	Results      = "results"
	Immunisation = "immunizations"
	VitalSigns   = "vital-signs"
)

// sectionKinds maps section LOINC codes to the kinds above.
var sectionKinds = map[string]string{
	"11450-4": Problems,
	"10160-0": Medications,
	"10183-2": Medications, // hospital discharge medications
	"75311-1": Medications, // discharge medications
	"48765-2": Allergies,
	"30954-2": Results,
	"11369-6": Immunisation,
	"8716-3":  VitalSigns,
}

// sectionTemplates maps section templateIds (for sections without a usable
// code) to the kinds above.
var sectionTemplates = map[string]string{
	"2.16.840.1.113883.10.20.22.2.5":    Problems,
	"2.16.840.1.113883.10.20.22.2.5.1":  Problems,
	"2.16.840.1.113883.10.20.22.2.1":    Medications,
	"2.16.840.1.113883.10.20.22.2.1.1":  Medications,
	"2.16.840.1.113883.10.20.22.2.11":   Medications,
	"2.16.840.1.113883.10.20.22.2.11.1": Medications,
	"2.16.840.1.113883.10.20.22.2.6":    Allergies,
	"2.16.840.1.113883.10.20.22.2.6.1":  Allergies,
	"2.16.840.1.113883.10.20.22.2.3":    Results,
	"2.16.840.1.113883.10.20.22.2.3.1":  Results,
	"2.16.840.1.113883.10.20.22.2.2":    Immunisation,
	"2.16.840.1.113883.10.20.22.2.2.1":  Immunisation,
	"2.16.840.1.113883.10.20.22.2.4":    VitalSigns,
	"2.16.840.1.113883.10.20.22.2.4.1":  VitalSigns,
}

func sectionKind(s *node) string {
	if k, ok := sectionKinds[codeOf(s.child("code"))]; ok {
		return k
	}
	for _, t := range s.children("templateId") {
		if k, ok := sectionTemplates[t.attr("root")]; ok {
			return k
		}
	}
	return ""
}

// Skip is one entry Ward could not make sense of and left out (it is
// still in the document, which is kept whole).
type Skip struct {
	Section string `json:"section"`
	Entry   int    `json:"entry"` // 0-based, among the section's entries
	// Component is 1 + the index of a result left out of an organizer
	// whose other results were kept (0: the whole entry was left out).
	Component int    `json:"component,omitempty"`
	Reason    string `json:"reason"`
}

// parser turns a document's entries into FHIR resources.
type parser struct {
	docID   string
	nar     narrative
	subject map[string]any // the patient, by name only
	out     []fhir.Resource
	skipped []Skip

	kind    string // the section being read
	section int    // its index among the document's sections
	entry   int    // the entry being read
	made    int    // resources made from it
}

// errSkip makes an entry be skipped with its message as the reason.
type errSkip string

func (e errSkip) Error() string { return string(e) }

// entries reads every known section of the document.
func (p *parser) entries(root *node) {
	sections := 0
	var walk func(n *node, depth int)
	walk = func(n *node, depth int) {
		if depth > maxDepth {
			return
		}
		for _, k := range n.kids {
			if k.name == "" {
				continue
			}
			if k.name == "section" {
				p.readSection(k, sections)
				sections++
			}
			if k.name == "entry" {
				continue // sections nest in components, never in entries
			}
			walk(k, depth+1)
		}
	}
	if body := root.child("component"); body != nil {
		walk(body, 0)
	}
}

func (p *parser) readSection(s *node, index int) {
	kind := sectionKind(s)
	if kind == "" || s.attr("nullFlavor") != "" {
		return
	}
	p.kind, p.section = kind, index
	for i, e := range s.children("entry") {
		p.entry, p.made = i, 0
		before := len(p.out)
		err := p.readEntry(e)
		if err == nil && len(p.out) == before {
			err = errSkip("nothing Ward can show")
		}
		if err != nil {
			p.out = p.out[:before]
			p.skipped = append(p.skipped, Skip{Section: kind, Entry: i, Reason: err.Error()})
		}
	}
}

// readEntry turns one entry into resources, recovering from anything
// unexpected so that one entry never costs the document.
func (p *parser) readEntry(e *node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("could not be read: %v", r)
		}
	}()
	act := firstElement(e)
	if act == nil {
		return errSkip("empty entry")
	}
	if act.attr("negationInd") == "true" && p.kind != Immunisation && p.kind != Medications {
		return errSkip("a negated statement (such as \"no known allergies\")")
	}
	if act.attr("moodCode") == "EVN" && codeOf(act.child("statusCode")) == "nullified" {
		return errSkip("entered in error")
	}
	switch p.kind {
	case Problems:
		return p.problem(act)
	case Allergies:
		return p.allergy(act)
	case Medications:
		sa := find(act, "substanceAdministration", 3)
		if sa == nil {
			return errSkip("no medicine in the entry")
		}
		return p.medication(sa)
	case Immunisation:
		sa := find(act, "substanceAdministration", 3)
		if sa == nil {
			return errSkip("no vaccine in the entry")
		}
		return p.immunization(sa)
	case Results, VitalSigns:
		switch act.name {
		case "organizer":
			return p.organizer(act)
		case "observation":
			_, err := p.observation(act, nil, p.entryID("obs"))
			return err
		}
		return errSkip("not a result organizer or observation")
	}
	return nil
}

// firstElement is the first child element.
func firstElement(n *node) *node {
	for _, k := range n.kids {
		if k.name != "" {
			return k
		}
	}
	return nil
}

// find returns n itself when it is named name, else the first such element
// among n's entryRelationships, searching up to depth levels.
func find(n *node, name string, depth int) *node {
	if n == nil || depth < 0 {
		return nil
	}
	if n.name == name {
		return n
	}
	for _, er := range n.children("entryRelationship") {
		for _, k := range er.kids {
			if f := find(k, name, depth-1); f != nil {
				return f
			}
		}
	}
	return nil
}

// related returns the elements among n's entryRelationships that match.
func related(n *node, match func(rel, el *node) bool) []*node {
	var out []*node
	for _, er := range n.children("entryRelationship") {
		for _, k := range er.kids {
			if k.name != "" && match(er, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

// entryID is a stable id for the current entry's resource: the document's
// id (a hash of its bytes), the section's and entry's positions, and a
// suffix for the resources after the first.
func (p *parser) entryID(kind string, more ...int) string {
	id := p.docID + "-" + kind + "-" + strconv.Itoa(p.section) + "-" + strconv.Itoa(p.entry)
	for _, m := range more {
		id += "-" + strconv.Itoa(m)
	}
	return id
}

func (p *parser) emit(typ, id string, body map[string]any) error {
	body["resourceType"] = typ
	body["id"] = id
	body["meta"] = map[string]any{"source": "DocumentReference/" + p.docID}
	raw, err := json.Marshal(body)
	if err != nil {
		return errSkip("could not be written as FHIR")
	}
	res := fhir.Resource{Type: typ, ID: id, Raw: raw}
	if err := fhir.Validate(res); err != nil {
		return errSkip(err.Error())
	}
	p.out = append(p.out, res)
	p.made++
	return nil
}

// statusValue is the value of a status observation (problem, allergy or
// medication status) among n's entryRelationships: its code and text.
func (p *parser) statusValue(n *node) (code, text string) {
	for _, obs := range related(n, func(_, el *node) bool {
		return el.name == "observation" && (codeOf(el.child("code")) == "33999-4" ||
			el.hasTemplate("2.16.840.1.113883.10.20.22.4.6", "2.16.840.1.113883.10.20.22.4.28"))
	}) {
		v := obs.child("value")
		code = codeOf(v)
		text = strings.ToLower(firstNonEmpty(cleanText(v.attr("displayName")), p.nar.text(v.child("originalText")), p.nar.text(obs.child("text"))))
		if code != "" || text != "" {
			return code, text
		}
	}
	return "", ""
}

// isStatus reports whether an observation only qualifies another: a
// status, severity or comment.
func isStatus(el *node) bool {
	switch codeOf(el.child("code")) {
	case "33999-4", "SEV", "48767-8":
		return true
	}
	return el.hasTemplate("2.16.840.1.113883.10.20.22.4.6", "2.16.840.1.113883.10.20.22.4.28", "2.16.840.1.113883.10.20.22.4.8")
}

// clinicalStatus maps a status observation's value to FHIR's Condition
// clinical status codes (see allergyStatus for AllergyIntolerance).
func clinicalStatus(code, text string) string {
	switch code {
	case "55561003":
		return "active"
	case "73425007", "421139008":
		return "inactive"
	case "413322009":
		return "resolved"
	case "277022003":
		return "remission"
	case "246455001":
		return "recurrence"
	}
	switch text {
	case "active":
		return "active"
	case "inactive", "no longer active":
		return "inactive"
	case "resolved":
		return "resolved"
	}
	return ""
}

// allergyStatus narrows a Condition clinical status to AllergyIntolerance's.
func allergyStatus(s string) string {
	switch s {
	case "remission":
		return "inactive"
	case "recurrence":
		return "active"
	}
	return s
}

func statusConcept(system, code string) map[string]any {
	return map[string]any{"coding": []map[string]any{{"system": system, "code": code}}}
}

// concernStatus reads a concern act's statusCode as a clinical status
// ("" when there is no concern or it says nothing useful).
func concernStatus(concern *node) string {
	if concern == nil {
		return ""
	}
	switch codeOf(concern.child("statusCode")) {
	case "active":
		return "active"
	case "completed":
		return "resolved"
	case "suspended":
		return "inactive"
	}
	return ""
}

// concernObservations returns a concern act's observations (those it is the
// subject of, or that carry the given template), or a bare observation alone.
func concernObservations(act *node, template string) (*node, []*node) {
	if act.name == "observation" {
		return nil, []*node{act}
	}
	return act, related(act, func(rel, el *node) bool {
		return el.name == "observation" && !isStatus(el) && (rel.attr("typeCode") == "SUBJ" || el.hasTemplate(template))
	})
}

// problem reads a Problem Concern Act (or a bare Problem Observation).
func (p *parser) problem(act *node) error {
	concern, observations := concernObservations(act, "2.16.840.1.113883.10.20.22.4.4")
	if len(observations) == 0 {
		return errSkip("no problem observation")
	}
	reason := errSkip("")
	for i, obs := range observations {
		if obs.attr("negationInd") == "true" {
			reason = "a negated problem (such as \"no known problems\")"
			continue
		}
		cc := p.concept(obs.child("value"), p.nar.text(obs.child("text")))
		if cc == nil {
			reason = "the problem is not named"
			continue
		}
		c := map[string]any{
			"code":     cc,
			"category": []any{map[string]any{"coding": []any{map[string]any{"system": "http://terminology.hl7.org/CodeSystem/condition-category", "code": "problem-list-item", "display": "Problem List Item"}}}},
		}
		if p.subject != nil {
			c["subject"] = p.subject
		}
		onset, abatement := span(obs.child("effectiveTime"))
		status := clinicalStatus(p.statusValue(obs))
		if status == "" && abatement != "" {
			status = "resolved"
		}
		if status == "" {
			status = concernStatus(concern)
		}
		if onset != "" {
			c["onsetDateTime"] = onset
		}
		// FHIR allows an abatement only on a condition that is over.
		if abatement != "" && status != "active" && status != "recurrence" && status != "relapse" {
			c["abatementDateTime"] = abatement
		}
		if status != "" {
			c["clinicalStatus"] = statusConcept("http://terminology.hl7.org/CodeSystem/condition-clinical", status)
		}
		if concern != nil {
			if rec, _ := span(concern.child("effectiveTime")); rec != "" {
				c["recordedDate"] = rec
			}
		}
		if err := p.emit("Condition", p.entryID("cond", i), c); err != nil {
			return err
		}
	}
	if p.made == 0 && reason != "" {
		return reason
	}
	return nil
}

// allergyKinds maps the allergy observation's value (the kind of
// reaction) to AllergyIntolerance type and category.
var allergyKinds = map[string][2]string{
	"419199007": {"allergy", ""},
	"416098002": {"allergy", "medication"},
	"414285001": {"allergy", "food"},
	"426232007": {"allergy", "environment"},
	"59037007":  {"intolerance", "medication"},
	"235719002": {"intolerance", "food"},
	"419511003": {"", "medication"},
	"418471000": {"", "food"},
	"418038007": {"", ""},
	"420134006": {"", ""},
}

var severities = map[string]string{"255604002": "mild", "6736007": "moderate", "24484000": "severe"}

// severity reads a Severity Observation among n's entryRelationships.
func (p *parser) severity(n *node) string {
	for _, obs := range related(n, func(_, el *node) bool {
		return el.name == "observation" && (el.hasTemplate("2.16.840.1.113883.10.20.22.4.8") || codeOf(el.child("code")) == "SEV")
	}) {
		v := obs.child("value")
		if s, ok := severities[codeOf(v)]; ok {
			return s
		}
		switch t := strings.ToLower(firstNonEmpty(cleanText(v.attr("displayName")), p.nar.text(v.child("originalText")))); t {
		case "mild", "moderate", "severe":
			return t
		}
	}
	return ""
}

// substance is the allergy's substance, from the participant's code. Its
// originalText may be a reference into the narrative, and some senders
// point it at the reaction's cell ("Hives") rather than the substance's:
// then the coded substance (its displayName, else the playing entity's
// name) wins, so a reaction is never shown as what the patient is allergic
// to.
func (p *parser) substance(obs *node) map[string]any {
	entity := obs.path("participant", "participantRole", "playingEntity")
	name := cleanText(entity.path("name").plainText())
	c := entity.child("code")
	code := p.concept(c, name)
	ot := c.child("originalText")
	if code == nil || ot == nil || ot.plainText() != "" || ot.child("reference") == nil {
		return code
	}
	text, _ := code["text"].(string)
	ref := strings.TrimPrefix(ot.child("reference").attr("value"), "#")
	if !p.isReaction(obs, ref, text) {
		return code
	}
	coded := name
	if codings, _ := code["coding"].([]map[string]any); len(codings) > 0 {
		if d, _ := codings[0]["display"].(string); d != "" {
			coded = d
		}
	}
	if coded == "" {
		delete(code, "text")
		if code["coding"] == nil {
			return nil
		}
		return code
	}
	code["text"] = coded
	return code
}

// isReaction reports whether a narrative reference (its id, and the text it
// points to) is one of the allergy's reactions.
func (p *parser) isReaction(obs *node, ref, text string) bool {
	for _, r := range related(obs, func(rel, el *node) bool {
		return el.name == "observation" && !isStatus(el) && (rel.attr("typeCode") == "MFST" || el.hasTemplate("2.16.840.1.113883.10.20.22.4.9"))
	}) {
		for _, n := range []*node{r.child("text"), r.child("value").child("originalText")} {
			if n != nil && ref != "" && strings.TrimPrefix(n.child("reference").attr("value"), "#") == ref {
				return true
			}
		}
		if m := p.concept(r.child("value"), p.nar.text(r.child("text"))); m != nil && text != "" {
			if t, _ := m["text"].(string); strings.EqualFold(t, text) {
				return true
			}
		}
	}
	return false
}

// allergy reads an Allergy Concern Act (or a bare allergy observation).
func (p *parser) allergy(act *node) error {
	concern, observations := concernObservations(act, "2.16.840.1.113883.10.20.22.4.7")
	if len(observations) == 0 {
		return errSkip("no allergy observation")
	}
	reason := errSkip("")
	for i, obs := range observations {
		if obs.attr("negationInd") == "true" {
			reason = "a negated allergy (such as \"no known allergies\")"
			continue
		}
		code := p.substance(obs)
		if code == nil {
			// No substance: the kind of allergy ("drug allergy") is what
			// the sender knew.
			code = p.concept(obs.child("value"), "")
		}
		if code == nil {
			reason = "neither the substance nor the kind of allergy is named"
			continue
		}
		a := map[string]any{"code": code}
		if p.subject != nil {
			a["patient"] = p.subject
		}
		if k, ok := allergyKinds[codeOf(obs.child("value"))]; ok {
			if k[0] != "" {
				a["type"] = k[0]
			}
			if k[1] != "" {
				a["category"] = []string{k[1]}
			}
		}
		onset, end := span(obs.child("effectiveTime"))
		if onset != "" {
			a["onsetDateTime"] = onset
		}
		status := allergyStatus(clinicalStatus(p.statusValue(obs)))
		if status == "" {
			status = allergyStatus(clinicalStatus(p.statusValue(act)))
		}
		if status == "" && end != "" {
			status = "resolved"
		}
		if status == "" {
			status = concernStatus(concern)
		}
		if status != "" {
			a["clinicalStatus"] = statusConcept("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", status)
		}
		if concern != nil {
			if rec, _ := span(concern.child("effectiveTime")); rec != "" {
				a["recordedDate"] = rec
			}
		}
		overall := p.severity(obs)
		var reactions []any
		for _, r := range related(obs, func(rel, el *node) bool {
			return el.name == "observation" && !isStatus(el) && (rel.attr("typeCode") == "MFST" || el.hasTemplate("2.16.840.1.113883.10.20.22.4.9"))
		}) {
			if r.attr("negationInd") == "true" {
				continue
			}
			m := p.concept(r.child("value"), p.nar.text(r.child("text")))
			if m == nil {
				continue
			}
			reaction := map[string]any{"manifestation": []any{m}}
			if s := firstNonEmpty(p.severity(r), overall); s != "" {
				reaction["severity"] = s
			}
			if t, _ := span(r.child("effectiveTime")); t != "" {
				reaction["onset"] = t
			}
			reactions = append(reactions, reaction)
		}
		if reactions != nil {
			a["reaction"] = reactions
		}
		if err := p.emit("AllergyIntolerance", p.entryID("alg", i), a); err != nil {
			return err
		}
	}
	if p.made == 0 && reason != "" {
		return reason
	}
	return nil
}

// product is the coded medicine or vaccine a substanceAdministration
// consumes.
func (p *parser) product(sa *node) map[string]any {
	mat := sa.path("consumable", "manufacturedProduct", "manufacturedMaterial")
	return p.concept(mat.child("code"), mat.child("name").plainText())
}

// medicationStatus maps a medication's status observation or statusCode to
// MedicationStatement.status.
func (p *parser) medicationStatus(sa *node) string {
	if sa.attr("negationInd") == "true" {
		return "not-taken"
	}
	switch st := clinicalStatus(p.statusValue(sa)); st {
	case "active":
		return "active"
	case "inactive", "resolved", "remission":
		return "completed"
	}
	switch codeOf(sa.child("statusCode")) {
	case "active":
		return "active"
	case "completed":
		return "completed"
	case "aborted":
		return "stopped"
	case "suspended", "held":
		return "on-hold"
	case "cancelled":
		return "not-taken"
	}
	return "unknown"
}

func (p *parser) medication(sa *node) error {
	med := p.product(sa)
	if med == nil {
		return errSkip("the medicine is not named")
	}
	m := map[string]any{"medicationCodeableConcept": med, "status": p.medicationStatus(sa)}
	if p.subject != nil {
		m["subject"] = p.subject
	}
	if start, end := span(intervalTime(sa)); start != "" || end != "" {
		period := map[string]any{}
		if start != "" {
			period["start"] = start
		}
		if end != "" {
			period["end"] = end
		}
		m["effectivePeriod"] = period
	}
	dosage := map[string]any{}
	if t := p.nar.text(sa.child("text")); t != "" {
		dosage["text"] = t
	}
	if route := p.concept(sa.child("routeCode"), ""); route != nil {
		dosage["route"] = route
	}
	if q := quantity(sa.child("doseQuantity")); q != nil {
		dosage["doseAndRate"] = []any{map[string]any{"doseQuantity": q}}
	}
	if len(dosage) > 0 {
		m["dosage"] = []any{dosage}
	}
	return p.emit("MedicationStatement", p.entryID("med"), m)
}

func (p *parser) immunization(sa *node) error {
	vaccine := p.product(sa)
	if vaccine == nil {
		return errSkip("the vaccine is not named")
	}
	status := "completed"
	if sa.attr("negationInd") == "true" {
		status = "not-done"
	}
	switch codeOf(sa.child("statusCode")) {
	case "cancelled", "aborted":
		status = "not-done"
	}
	im := map[string]any{"vaccineCode": vaccine, "status": status}
	if p.subject != nil {
		im["patient"] = p.subject
	}
	if t := when(intervalTime(sa)); t != "" {
		im["occurrenceDateTime"] = t
	}
	mat := sa.path("consumable", "manufacturedProduct", "manufacturedMaterial")
	if lot := cleanText(mat.child("lotNumberText").plainText()); lot != "" && !mat.child("lotNumberText").null() {
		im["lotNumber"] = lot
	}
	if route := p.concept(sa.child("routeCode"), ""); route != nil {
		im["route"] = route
	}
	if q := quantity(sa.child("doseQuantity")); q != nil {
		im["doseQuantity"] = q
	}
	return p.emit("Immunization", p.entryID("imm"), im)
}

// category is the Observation category of the section being read.
func (p *parser) category() []any {
	code, display := "laboratory", "Laboratory"
	if p.kind == VitalSigns {
		code, display = "vital-signs", "Vital Signs"
	}
	return []any{map[string]any{"coding": []any{map[string]any{
		"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": code, "display": display}}}}
}

// organizer reads a Result Organizer (a DiagnosticReport and its
// Observations) or a Vital Signs Organizer (Observations only).
func (p *parser) organizer(org *node) error {
	fallbackTime := when(org.child("effectiveTime"))
	var refs []any
	var firstTime string
	var firstObs *node
	for i, comp := range org.children("component") {
		obs := comp.child("observation")
		if obs == nil {
			continue
		}
		id, err := p.observation(obs, &fallbackTime, p.entryID("obs", i))
		if err != nil {
			p.skipped = append(p.skipped, Skip{Section: p.kind, Entry: p.entry, Component: i + 1, Reason: err.Error()})
			continue
		}
		refs = append(refs, map[string]any{"reference": "Observation/" + id})
		if firstObs == nil {
			firstObs = obs
		}
		if firstTime == "" {
			firstTime = when(obs.child("effectiveTime"))
		}
	}
	if len(refs) == 0 {
		return errSkip("no result Ward can read")
	}
	if p.kind == VitalSigns {
		return nil
	}
	code := p.concept(org.child("code"), "")
	if code == nil && len(refs) == 1 {
		// An uncoded organizer of one result is that result.
		code = p.concept(firstObs.child("code"), p.nar.text(firstObs.child("text")))
	}
	if code == nil {
		code = map[string]any{"text": "Test results"}
	}
	status := "unknown"
	switch codeOf(org.child("statusCode")) {
	case "completed":
		status = "final"
	case "active":
		status = "partial"
	case "aborted", "cancelled":
		status = "cancelled"
	}
	d := map[string]any{
		"status":   status,
		"code":     code,
		"category": []any{map[string]any{"coding": []any{map[string]any{"system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "LAB", "display": "Laboratory"}}}},
		"result":   refs,
	}
	if p.subject != nil {
		d["subject"] = p.subject
	}
	if start, end := span(org.child("effectiveTime")); start != "" && end != "" && start != end {
		d["effectivePeriod"] = map[string]any{"start": start, "end": end}
	} else if t := firstNonEmpty(start, firstTime); t != "" {
		d["effectiveDateTime"] = t
	}
	return p.emit("DiagnosticReport", p.entryID("rep"), d)
}

// observation reads a result or vital sign observation and returns its id.
func (p *parser) observation(obs *node, fallbackTime *string, id string) (string, error) {
	if obs.attr("negationInd") == "true" {
		return "", errSkip("a negated observation")
	}
	st := codeOf(obs.child("statusCode"))
	if st == "nullified" {
		return "", errSkip("entered in error")
	}
	code := p.concept(obs.child("code"), p.nar.text(obs.child("text")))
	if code == nil {
		return "", errSkip("the test is not named")
	}
	o := map[string]any{"code": code, "category": p.category()}
	if p.subject != nil {
		o["subject"] = p.subject
	}
	hasValue := p.value(obs.child("value"), o)
	if !hasValue && st == "completed" {
		return "", errSkip("a completed result without a value")
	}
	if q, ok := o["valueQuantity"].(map[string]any); ok && p.kind == VitalSigns {
		// No vital sign is zero: senders fill unmeasured ones with 0.
		if f, err := q["value"].(json.Number).Float64(); err == nil && f == 0 {
			return "", errSkip("a vital sign of 0 (not measured)")
		}
	}
	status := "unknown"
	switch st {
	case "completed":
		status = "final"
	case "active":
		status = "registered"
		if hasValue {
			status = "preliminary"
		}
	case "aborted", "cancelled":
		status = "cancelled"
	case "new", "held", "suspended":
		status = "registered"
	}
	o["status"] = status
	if start, end := span(obs.child("effectiveTime")); start != "" && end != "" && start != end {
		o["effectivePeriod"] = map[string]any{"start": start, "end": end}
	} else if start != "" {
		o["effectiveDateTime"] = start
	} else if fallbackTime != nil && *fallbackTime != "" {
		o["effectiveDateTime"] = *fallbackTime
	}
	var interp []any
	for _, ic := range obs.children("interpretationCode") {
		if c := p.concept(ic, ""); c != nil {
			if cs, ok := c["coding"].([]map[string]any); ok && ic.attr("codeSystem") == "" {
				cs[0]["system"] = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
			}
			interp = append(interp, c)
		}
	}
	if interp != nil {
		o["interpretation"] = interp
	}
	unit := ""
	if q, ok := o["valueQuantity"].(map[string]any); ok {
		unit, _ = q["unit"].(string)
	}
	var ranges []any
	for _, rr := range obs.children("referenceRange") {
		if r := p.referenceRange(rr.child("observationRange"), unit); r != nil {
			ranges = append(ranges, r)
		}
	}
	if ranges != nil {
		o["referenceRange"] = ranges
	}
	var notes []any
	for _, c := range related(obs, func(_, el *node) bool {
		return el.name == "act" && (codeOf(el.child("code")) == "48767-8" || el.hasTemplate("2.16.840.1.113883.10.20.22.4.64"))
	}) {
		if t := p.nar.text(c.child("text")); t != "" {
			notes = append(notes, map[string]any{"text": t})
		}
	}
	if notes != nil {
		o["note"] = notes
	}
	if err := p.emit("Observation", id, o); err != nil {
		return "", err
	}
	return id, nil
}

// value sets the Observation's value[x] from a CDA value; it reports
// whether there was one.
func (p *parser) value(v *node, o map[string]any) bool {
	if v == nil || v.attr("nullFlavor") != "" && len(v.children("translation")) == 0 && v.child("originalText") == nil {
		return false
	}
	typ := v.attr("type")
	if i := strings.IndexByte(typ, ':'); i >= 0 {
		typ = typ[i+1:]
	}
	switch typ {
	case "PQ", "REAL", "MO":
		if q := quantity(v); q != nil {
			if typ == "MO" {
				if c := v.attr("currency"); c != "" {
					q["unit"] = c
				}
			}
			o["valueQuantity"] = q
			return true
		}
		return false
	case "INT":
		if n := number(v.attr("value")); n != nil && !strings.ContainsAny(string(*n), ".eE") {
			o["valueInteger"] = *n
			return true
		}
		return false
	case "IVL_PQ":
		r := map[string]any{}
		if q := quantity(v.child("low")); q != nil {
			r["low"] = q
		}
		if q := quantity(v.child("high")); q != nil {
			r["high"] = q
		}
		if len(r) == 0 {
			return false
		}
		o["valueRange"] = r
		return true
	case "BL":
		switch v.attr("value") {
		case "true":
			o["valueBoolean"] = true
			return true
		case "false":
			o["valueBoolean"] = false
			return true
		}
		return false
	case "TS":
		if t := fhirTime(v.attr("value")); t != "" {
			o["valueDateTime"] = t
			return true
		}
		return false
	case "CD", "CE", "CV", "CO":
		if c := p.concept(v, ""); c != nil {
			o["valueCodeableConcept"] = c
			return true
		}
		return false
	}
	// ST, ED and anything else: its text, else its value attribute.
	s := p.nar.text(v)
	if s == "" {
		s = cleanText(strings.TrimSpace(v.attr("value") + " " + v.attr("unit")))
	}
	if s == "" || v.attr("nullFlavor") != "" && s == "" {
		return false
	}
	o["valueString"] = s
	return true
}

// referenceRange reads an observationRange: its low and high, else its text.
func (p *parser) referenceRange(r *node, unit string) map[string]any {
	if r == nil {
		return nil
	}
	out := map[string]any{}
	if v := r.child("value"); v != nil && !v.null() {
		if q := quantity(v.child("low")); q != nil {
			out["low"] = q
		}
		if q := quantity(v.child("high")); q != nil {
			out["high"] = q
		}
	}
	// Some senders put the unit where the range's text goes.
	if t := p.nar.text(r.child("text")); t != "" && !strings.EqualFold(t, unit) {
		out["text"] = t
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
