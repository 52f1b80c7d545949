package records

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/ward-health/ward/backend/fhir"
)

// placeJSON is the part of a Location or Organization a visit shows: where
// it is and how to reach it. A Location has one address, an Organization a
// list; either may only say whose it is (managingOrganization, partOf).
type placeJSON struct {
	Address              json.RawMessage `json:"address"`
	Telecom              []rawTelecom    `json:"telecom"`
	ManagingOrganization *fhir.Reference `json:"managingOrganization"`
	PartOf               *fhir.Reference `json:"partOf"`
}

type addressJSON struct {
	Text       string   `json:"text"`
	Line       []string `json:"line"`
	City       string   `json:"city"`
	District   string   `json:"district"`
	PostalCode string   `json:"postalCode"`
}

// placeContact returns the address and phone number of the place ref points
// to (a Location or an Organization), taking what the place lacks from the
// organisation that runs it. Either is "" when the record does not say.
func (b *builder) placeContact(ref *fhir.Reference, from fhir.Resource) (address, phone string) {
	for depth := 0; ref != nil && ref.Reference != "" && depth < 2 && (address == "" || phone == ""); depth++ {
		target, ok := b.resolveFrom(from, ref.Reference)
		if !ok {
			break
		}
		var p placeJSON
		if json.Unmarshal(target.Raw, &p) != nil {
			break
		}
		address = firstNonEmpty(address, addressText(p.Address))
		phone = firstNonEmpty(phone, phoneOf(p.Telecom))
		ref, from = p.ManagingOrganization, target
		if ref == nil {
			ref = p.PartOf
		}
	}
	return address, phone
}

// addressText is the first usable address in raw (one Address, or a list of
// them) on one line: "1 Example Road, Exampleton, ZZ99 3AA". Placeholder
// parts ("UNKNOWN") are left out.
func addressText(raw json.RawMessage) string {
	var list []addressJSON
	if json.Unmarshal(raw, &list) != nil {
		var one addressJSON
		if json.Unmarshal(raw, &one) != nil {
			return ""
		}
		list = []addressJSON{one}
	}
	for _, a := range list {
		parts := append([]string{}, a.Line...)
		if len(parts) == 0 {
			parts = append(parts, a.Text)
		}
		parts = append(parts, a.City, a.District, a.PostalCode)
		var kept []string
		for _, p := range parts {
			if p = strings.TrimSpace(p); p != "" && !isPlaceholderValue(p) {
				kept = append(kept, p)
			}
		}
		if len(kept) > 0 {
			return strings.Join(kept, ", ")
		}
	}
	return ""
}

// phoneOf is the first phone number among ts ("" for none): a place's work
// number before a mobile or any other.
func phoneOf(ts []rawTelecom) string {
	best, rank := "", 3
	for _, t := range telecoms(ts) { // drops placeholders
		if t.System != "Phone" || t.Use == "Old" {
			continue
		}
		r := 2 // home, mobile, temp, old
		switch t.Use {
		case "Work":
			r = 0
		case "":
			r = 1
		}
		if r < rank {
			best, rank = t.Value, r
		}
	}
	return best
}

// maxVisitMinutes bounds what is shown as a visit's length: anything longer
// is a stay, whose dates already say how long it was.
const maxVisitMinutes = 24 * 60

// visitMinutes is how long a visit lasts in whole minutes, from its start
// and end times, else from minutesDuration (an Appointment's, which FHIR
// says is used when the times do not give it); 0 when neither says, or the
// times are dates only, out of order or a day or more apart.
func visitMinutes(start, end string, minutesDuration int) int {
	if hasClock(start) && hasClock(end) {
		s, err1 := parseTime(start)
		e, err2 := parseTime(end)
		if err1 == nil && err2 == nil {
			if m := int(e.Sub(s) / time.Minute); m > 0 && m < maxVisitMinutes {
				return m
			}
			return 0
		}
	}
	if minutesDuration > 0 && minutesDuration < maxVisitMinutes {
		return minutesDuration
	}
	return 0
}

// hasClock reports whether a FHIR dateTime carries a time of day.
func hasClock(s string) bool { return len(s) > len("2006-01-02") && s[10] == 'T' }
