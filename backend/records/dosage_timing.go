package records

import (
	"encoding/json"
	"math"
	"strings"
	"time"

	"github.com/ward-health/ward/backend/fhir"
)

// timeSpan reads a quantity of time (UCUM code or unit word).
func timeSpan(q *fhir.Quantity) (v float64, unit [3]string, ok bool) {
	if q == nil {
		return 0, unit, false
	}
	v, has := number(deref(q.Value))
	if !has {
		v = 1
	}
	unit, ok = timeUnit(firstNonEmpty(q.Code, q.Unit))
	return v, unit, ok && v > 0
}

// timeUnit reads a unit of time written as UCUM ("wk") or in words
// ("week", "weeks", "hr").
func timeUnit(s string) ([3]string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if alias, ok := map[string]string{"sec": "s", "hr": "h", "yr": "a"}[s]; ok {
		s = alias
	}
	for code, u := range periodUnits {
		if s == code || s == u[0] || s == u[1] {
			return u, true
		}
	}
	return [3]string{}, false
}

// periodWords is a period of time: "24 hours", "a day".
func periodWords(q *fhir.Quantity) string {
	v, unit, ok := timeSpan(q)
	if !ok {
		return ""
	}
	if v == 1 {
		return unit[2] + " " + unit[0]
	}
	return formatNumber(v) + " " + unit[1]
}

// durationWords is a length of time: "7 days", "1 hour".
func durationWords(q *fhir.Quantity) string {
	v, unit, ok := timeSpan(q)
	if !ok {
		return ""
	}
	if v == 1 {
		return "1 " + unit[0]
	}
	return formatNumber(v) + " " + unit[1]
}

// timingWords is how often and when: "twice a day with meals", "every 4 to
// 6 hours", "once a week on Monday for 4 weeks".
func timingWords(t *timing, asNeeded bool) string {
	if t == nil {
		return ""
	}
	r := t.Repeat
	if r == nil {
		r = &timingRepeat{}
	}
	freq := frequencyWords(r, asNeeded)
	if freq == "" && t.Code != nil {
		freq = firstNonEmpty(timingCodes[strings.ToUpper(codeOf(t.Code))], t.Code.Text, firstDisplay(*t.Code))
	}
	count, hasCount := number(r.Count)
	countMax, hasMax := number(r.CountMax)
	if hasCount && count == 1 && !hasMax {
		freq = "once only"
	}
	var days []string
	for _, d := range r.DayOfWeek {
		if w := daysOfWeek[strings.ToLower(d)]; w != "" {
			days = append(days, w)
		}
	}
	var times []string
	for _, tod := range r.TimeOfDay {
		if w := clockWords(tod); w != "" {
			times = append(times, w)
		}
	}
	out := []string{freq, whenWords(r.When, r.Offset)}
	if len(days) > 0 {
		out = append(out, "on "+strings.Join(days, " and "))
	}
	if len(times) > 0 {
		out = append(out, "at "+strings.Join(times, " and "))
	}
	switch {
	case hasCount && hasMax && countMax > count:
		out = append(out, "for "+formatNumber(count)+" to "+formatNumber(countMax)+" doses")
	case hasCount && count > 1:
		out = append(out, "for "+formatNumber(count)+" doses")
	}
	if p := durationWords(r.BoundsDuration); p != "" {
		out = append(out, "for "+p)
	}
	if bp := r.BoundsPeriod; bp != nil {
		switch {
		case bp.Start != "" && bp.Start == bp.End:
			out = append(out, "on "+plainDate(bp.Start))
		case bp.Start != "" && bp.End != "":
			out = append(out, "from "+plainDate(bp.Start)+" to "+plainDate(bp.End))
		case bp.Start != "":
			out = append(out, "from "+plainDate(bp.Start))
		case bp.End != "":
			out = append(out, "until "+plainDate(bp.End))
		}
	}
	return joinWords(" ", out...)
}

// frequencyWords is "once a day", "3 times a day", "every 6 hours", "1 to
// 2 times a day"; "up to …" for a medicine taken when needed.
func frequencyWords(r *timingRepeat, asNeeded bool) string {
	unit, ok := periodUnits[r.PeriodUnit]
	if !ok {
		return ""
	}
	freq, hasFreq := number(r.Frequency)
	if !hasFreq {
		freq = 1
	}
	per, hasPer := number(r.Period)
	if !hasPer {
		per = 1
	}
	freqMax, hasFreqMax := number(r.FrequencyMax)
	perMax, hasPerMax := number(r.PeriodMax)
	hasFreqMax = hasFreqMax && freqMax > freq
	hasPerMax = hasPerMax && perMax > per
	if freq <= 0 || per <= 0 {
		return ""
	}
	times := timesWord(freq)
	if hasFreqMax {
		times = formatNumber(freq) + " to " + formatNumber(freqMax) + " times"
	}
	var s string
	switch {
	case per == 1 && !hasPerMax && freq == 1 && !hasFreqMax && (unit[0] == "hour" || unit[0] == "minute" || unit[0] == "second"):
		s = "every " + unit[0]
	case per == 1 && !hasPerMax:
		s = times + " " + unit[2] + " " + unit[0]
	default:
		span := formatNumber(per)
		if hasPerMax {
			span += " to " + formatNumber(perMax)
		}
		if freq == 1 && !hasFreqMax {
			s = "every " + span + " " + unit[1]
		} else {
			s = times + " every " + span + " " + unit[1]
		}
	}
	if asNeeded && !strings.HasPrefix(s, "every") {
		s = "up to " + s
	}
	return s
}

func timesWord(n float64) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return formatNumber(n) + " times"
}

// whenWords is "with meals", "30 minutes before breakfast".
func whenWords(when []string, offset json.Number) string {
	mins, hasOffset := number(offset)
	var out []string
	for _, w := range when {
		phrase := eventTimings[w]
		if phrase == "" {
			phrase = eventTimings[strings.ToUpper(w)]
		}
		if phrase == "" {
			continue
		}
		if hasOffset && mins > 0 && (strings.HasPrefix(phrase, "before ") || strings.HasPrefix(phrase, "after ")) {
			span := &fhir.Quantity{Value: numberPtr(mins), Code: "min"}
			if mins >= 60 && math.Mod(mins, 60) == 0 {
				span = &fhir.Quantity{Value: numberPtr(mins / 60), Code: "h"}
			}
			phrase = durationWords(span) + " " + phrase
		}
		out = append(out, phrase)
	}
	return strings.Join(out, " and ")
}

func numberPtr(f float64) *json.Number {
	n := json.Number(formatNumber(f))
	return &n
}

// clockWords is a time of day as people say it: "8am", "1:30pm", "midday".
func clockWords(s string) string {
	t, err := time.Parse("15:04:05", s)
	if err != nil {
		if t, err = time.Parse("15:04", s); err != nil {
			return ""
		}
	}
	switch {
	case t.Hour() == 0 && t.Minute() == 0:
		return "midnight"
	case t.Hour() == 12 && t.Minute() == 0:
		return "midday"
	case t.Minute() == 0:
		return t.Format("3pm")
	}
	return t.Format("3:04pm")
}
