package ccda

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// systems maps the code system OIDs C-CDA uses to FHIR system URIs.
var systems = map[string]string{
	"2.16.840.1.113883.6.1":      "http://loinc.org",
	"2.16.840.1.113883.6.96":     "http://snomed.info/sct",
	"2.16.840.1.113883.6.88":     "http://www.nlm.nih.gov/research/umls/rxnorm",
	"2.16.840.1.113883.12.292":   "http://hl7.org/fhir/sid/cvx",
	"2.16.840.1.113883.6.90":     "http://hl7.org/fhir/sid/icd-10-cm",
	"2.16.840.1.113883.6.3":      "http://hl7.org/fhir/sid/icd-10",
	"2.16.840.1.113883.6.103":    "http://hl7.org/fhir/sid/icd-9-cm",
	"2.16.840.1.113883.6.69":     "http://hl7.org/fhir/sid/ndc",
	"2.16.840.1.113883.6.8":      "http://unitsofmeasure.org",
	"2.16.840.1.113883.6.12":     "http://www.ama-assn.org/go/cpt",
	"2.16.840.1.113883.4.9":      "http://fdasis.nlm.nih.gov",
	"2.16.840.1.113883.3.26.1.1": "http://ncimeta.nlm.nih.gov",
	"2.16.840.1.113883.5.83":     "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
	"2.16.840.1.113883.5.4":      "http://terminology.hl7.org/CodeSystem/v3-ActCode",
}

var oidPattern = regexp.MustCompile(`^[0-2](\.(0|[1-9][0-9]*))+$`)

// systemURI turns a codeSystem OID into a FHIR system; an unknown OID
// becomes urn:oid:, anything else (no system, garbage) is left out.
func systemURI(oid string) string {
	if u, ok := systems[oid]; ok {
		return u
	}
	if oidPattern.MatchString(oid) {
		return "urn:oid:" + oid
	}
	return ""
}

// coding is one FHIR Coding.
func coding(n *node) map[string]any {
	code := n.attr("code")
	if n == nil || code == "" || n.attr("nullFlavor") != "" {
		return nil
	}
	c := map[string]any{"code": code}
	if s := systemURI(n.attr("codeSystem")); s != "" {
		c["system"] = s
	}
	if d := cleanText(n.attr("displayName")); d != "" {
		c["display"] = d
	}
	return c
}

// concept turns a coded element (CD, CE, code) into a FHIR
// CodeableConcept: its code and translations as codings, and as text its
// originalText (resolved through the narrative when it is a reference),
// else a coding's displayName, else fallback. It returns nil when there is
// neither a code nor text.
func (p *parser) concept(n *node, fallback string) map[string]any {
	var codings []map[string]any
	text := ""
	if n != nil {
		if c := coding(n); c != nil {
			codings = append(codings, c)
		}
		for _, tr := range n.children("translation") {
			if c := coding(tr); c != nil {
				codings = append(codings, c)
			}
		}
		text = p.nar.text(n.child("originalText"))
		if text == "" {
			for _, tr := range n.children("translation") {
				if text = p.nar.text(tr.child("originalText")); text != "" {
					break
				}
			}
		}
	}
	for _, c := range codings {
		if text != "" {
			break
		}
		text, _ = c["display"].(string)
	}
	text = firstNonEmpty(text, cleanText(fallback))
	if len(codings) == 0 && text == "" {
		return nil
	}
	cc := map[string]any{}
	if len(codings) > 0 {
		cc["coding"] = codings
	}
	if text != "" {
		cc["text"] = text
	}
	return cc
}

// codeOf returns the concept's first code (for mapping value sets).
func codeOf(n *node) string {
	if n == nil || n.attr("nullFlavor") != "" {
		return ""
	}
	return n.attr("code")
}

// cleanText collapses whitespace and drops zero-width characters (which
// some senders leave inside names).
func cleanText(s string) string {
	if strings.ContainsAny(s, "\u200b\u200c\u200d\ufeff") {
		s = strings.NewReplacer("\u200b", "", "\u200c", "", "\u200d", "", "\ufeff", "").Replace(s)
	}
	return strings.Join(strings.Fields(s), " ")
}

var tsPattern = regexp.MustCompile(`^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\.\d+)?([+-]\d{4})?$`)

// fhirTime turns a CDA timestamp (YYYY[MM[DD[HH[MM[SS[.S]]]]]][+-ZZZZ])
// into a FHIR dateTime of the same precision. FHIR requires a zone with a
// time of day, so a time without one keeps only its date rather than
// guessing. Impossible dates give "".
func fhirTime(v string) string {
	m := tsPattern.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return ""
	}
	num := func(s string, def int) int {
		if s == "" {
			return def
		}
		n, _ := strconv.Atoi(s)
		return n
	}
	year, month, day := num(m[1], 0), num(m[2], 1), num(m[3], 1)
	hour, minute, sec := num(m[4], 0), num(m[5], 0), num(m[6], 0)
	if year < 1800 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 60 {
		return ""
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day || t.Month() != time.Month(month) {
		return "" // 31 February
	}
	switch {
	case m[2] == "":
		return m[1]
	case m[3] == "":
		return m[1] + "-" + m[2]
	case m[4] == "" || m[8] == "":
		return t.Format("2006-01-02")
	}
	if sec == 60 {
		sec = 59
	}
	zone := m[8]
	zh, zm := num(zone[1:3], 0), num(zone[3:5], 0)
	if zh > 14 || zm > 59 {
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02") + "T" + pad2(hour) + ":" + pad2(minute) + ":" + pad2(sec) + zone[:3] + ":" + zone[3:]
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// when is the single time an effectiveTime gives: its value, else its low,
// else its center.
func when(et *node) string {
	if et == nil {
		return ""
	}
	if t := fhirTime(et.attr("value")); t != "" {
		return t
	}
	for _, k := range []string{"low", "center"} {
		if t := fhirTime(et.child(k).attr("value")); t != "" {
			return t
		}
	}
	return ""
}

// span is the start and end an effectiveTime gives.
func span(et *node) (start, end string) {
	if et == nil {
		return "", ""
	}
	if t := fhirTime(et.attr("value")); t != "" {
		return t, ""
	}
	return firstNonEmpty(fhirTime(et.child("low").attr("value")), fhirTime(et.child("center").attr("value"))),
		fhirTime(et.child("high").attr("value"))
}

// intervalTime is the first effectiveTime that is an interval or a point
// (not a frequency: medications carry both).
func intervalTime(n *node) *node {
	for _, et := range n.children("effectiveTime") {
		switch t := et.attr("type"); {
		case strings.HasSuffix(t, "PIVL_TS"), strings.HasSuffix(t, "EIVL_TS"), strings.HasSuffix(t, "SXPR_TS"):
			continue
		}
		return et
	}
	return nil
}

var decimalPattern = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// number returns a decimal as FHIR JSON wants it, keeping its precision
// ("13.40" stays 13.40), or nil when it is not a number.
func number(s string) *json.Number {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if !decimalPattern.MatchString(s) {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f != f || f > 1e300 || f < -1e300 {
			return nil
		}
		s = strconv.FormatFloat(f, 'f', -1, 64)
		if !decimalPattern.MatchString(s) {
			return nil
		}
	}
	n := json.Number(s)
	return &n
}

// quantity turns a PQ element into a FHIR Quantity, or nil.
func quantity(n *node) map[string]any {
	if n.null() {
		return nil
	}
	v := number(n.attr("value"))
	if v == nil {
		return nil
	}
	q := map[string]any{"value": *v}
	if u := n.attr("unit"); u != "" && u != "1" {
		q["unit"] = u
	}
	return q
}
