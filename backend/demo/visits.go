package demo

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"time"
)

// Places in the demo record: each visit names one, so the appointments
// page has an address and a phone number to show (the blood test clinic
// has no number of its own: the hospital's is shown).
var places = []struct {
	id, name string
	lines    []string
	city     string
	postcode string
	phone    string
}{
	{"diabetes-centre", "Diabetes Centre", []string{"Outpatients, Level 2", "1 Example Road"}, "Exampleton", "ZZ99 3AA", "0300 000 0001"},
	{"blood-test-clinic", "Blood Test Clinic", []string{"Outpatients, Level 1", "1 Example Road"}, "Exampleton", "ZZ99 3AA", ""},
	{"emergency-department", "Emergency Department", []string{"1 Example Road"}, "Exampleton", "ZZ99 3AA", ""},
	{"eye-screening", "Diabetic Eye Screening", []string{"Exampleton Health Centre", "20 Market Street"}, "Exampleton", "ZZ99 4EE", "0300 000 0002"},
}

// Place ids, for the visits below.
const (
	diabetesCentre = "diabetes-centre"
	bloodClinic    = "blood-test-clinic"
	emergencyDept  = "emergency-department"
	eyeScreening   = "eye-screening"
)

// visits adds the places, past visits (two with that day's blood tests, one
// with that day's clinic letter) and upcoming appointments.
func (g *gen) visits() {
	for _, p := range places {
		m := obj{
			"resourceType": "Location", "id": p.id, "status": "active", "name": p.name,
			"address":              obj{"line": p.lines, "city": p.city, "postalCode": p.postcode},
			"managingOrganization": ref("Organization", orgID),
		}
		if p.phone != "" {
			m["telecom"] = []obj{{"system": "phone", "value": p.phone, "use": "work"}}
		}
		g.add(m)
	}

	past := []struct {
		months       int
		kind, reason string
		who, where   string
		bloods       []int // panels taken that morning
		letter       bool
	}{
		{-30, "Outpatient appointment", "Diabetes review", consultID, diabetesCentre, []int{2}, false},
		{-18, "Outpatient appointment", "Diabetes review", consultID, diabetesCentre, nil, false},
		{-9, "Emergency department visit", "Asthma attack", gpID, emergencyDept, nil, false},
		{-6, "Outpatient appointment", "Diabetes review", consultID, diabetesCentre, []int{2, 1}, true},
		{-1, "Nurse appointment", "Blood pressure check", nurseID, bloodClinic, nil, false},
	}
	// The same-day blood tests draw on their own random numbers, so the rest
	// of the record's values stay as they were before these were added.
	mainRNG := g.rng
	g.rng = rand.New(rand.NewPCG(g.seed, 0x5649534954530000^g.seed))
	defer func() { g.rng = mainRNG }()
	for _, p := range past {
		start := time.Date(g.now.Year(), g.now.Month(), 10, 9, 30, 0, 0, time.UTC).AddDate(0, p.months, 0)
		encounter := g.id("encounter")
		g.add(obj{
			"resourceType": "Encounter", "id": encounter, "status": "finished",
			"class":           obj{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB", "display": "ambulatory"},
			"type":            []obj{code(snomed, "185389009", p.kind)},
			"subject":         ref("Patient", patientID),
			"participant":     []obj{{"individual": ref("Practitioner", p.who)}},
			"period":          obj{"start": stamp(start), "end": stamp(start.Add(30 * time.Minute))},
			"reasonCode":      []obj{{"text": p.reason}},
			"location":        []obj{{"location": ref("Location", p.where)}},
			"serviceProvider": ref("Organization", orgID),
		})
		for i, pi := range p.bloods {
			taken := start.Add(-time.Duration(45-5*i) * time.Minute)
			g.report(panels[pi], 1+float64(p.months)/(historyYears*12), taken, 0)
		}
		if p.letter {
			g.clinicLetter(encounter, start.Add(150*time.Minute))
		}
	}

	upcoming := []struct {
		days         int
		what, reason string
		who, where   string
		minutes      int
		endGiven     bool // else only minutesDuration says how long
	}{
		{9, "Blood test", "HbA1c and kidney function", nurseID, bloodClinic, 10, true},
		{23, "Outpatient appointment", "Diabetes review", consultID, diabetesCentre, 30, true},
		{60, "Eye screening", "Diabetic eye screening", "", eyeScreening, 45, false},
	}
	for _, u := range upcoming {
		start := time.Date(g.now.Year(), g.now.Month(), g.now.Day(), 10, 15, 0, 0, time.UTC).AddDate(0, 0, u.days)
		parts := []obj{{"actor": ref("Patient", patientID), "status": "accepted"}}
		if u.who != "" {
			parts = append(parts, obj{"actor": obj{"reference": "Practitioner/" + u.who, "display": practitionerName(u.who)}, "status": "accepted"})
		}
		parts = append(parts, obj{"actor": ref("Location", u.where), "status": "accepted"})
		m := obj{
			"resourceType": "Appointment", "id": g.id("appointment"), "status": "booked",
			"serviceType":     []obj{{"text": u.what}},
			"description":     u.what,
			"reasonCode":      []obj{{"text": u.reason}},
			"start":           stamp(start),
			"minutesDuration": u.minutes,
			"participant":     parts,
		}
		if u.endGiven {
			m["end"] = stamp(start.Add(time.Duration(u.minutes) * time.Minute))
		}
		g.add(m)
	}
}

// clinicLetter adds the consultant's letter from a diabetes review.
func (g *gen) clinicLetter(encounter string, at time.Time) {
	letter := fmt.Sprintf("Dear Dr Ellis,\n\nI reviewed %s %s in the diabetes clinic today. "+
		"Their HbA1c has improved since starting metformin. Kidney function is stable. "+
		"Please continue the current medicines. I will see them again in 6 months.\n\n"+
		"Yours sincerely,\nDr Priya Shah, Consultant in Diabetes\n", PatientGiven, PatientFamily)
	g.add(obj{
		"resourceType": "DocumentReference", "id": g.id("document"), "status": "current",
		"type":        code(loinc, "11488-4", "Consult note"),
		"description": "Diabetes clinic letter",
		"subject":     ref("Patient", patientID),
		"date":        stamp(at),
		"author":      []obj{ref("Practitioner", consultID)},
		"custodian":   ref("Organization", orgID),
		"content": []obj{{"attachment": obj{
			"contentType": "text/plain; charset=utf-8",
			"title":       "Diabetes clinic letter",
			"data":        base64.StdEncoding.EncodeToString([]byte(letter)),
		}}},
		"context": obj{"encounter": []obj{ref("Encounter", encounter)}},
	})
}
