package records

import (
	"sort"
	"strings"
)

// laySynonyms maps the words people use for a kind of test to the names
// results are filed under, so that "sugar" finds HbA1c and glucose and
// "kidney" finds eGFR and creatinine. The lay words themselves still
// match (a visit "HbA1c and kidney function"). Keys and terms are lower
// case; a key may be several words ("blood count").
var laySynonyms = map[string][]string{
	"sugar":            {"glucose", "hba1c", "diabetes"},
	"blood sugar":      {"glucose", "hba1c", "diabetes"},
	"diabetes":         {"glucose", "hba1c"},
	"kidney":           {"egfr", "creatinine", "urea", "renal"},
	"kidney function":  {"egfr", "creatinine", "urea", "renal"},
	"liver":            {"alt", "alp", "ast", "bilirubin", "albumin", "gamma gt", "ggt"},
	"liver function":   {"alt", "alp", "ast", "bilirubin", "albumin", "gamma gt", "ggt"},
	"cholesterol":      {"lipid", "ldl", "hdl", "triglyceride"},
	"fats":             {"cholesterol", "lipid", "ldl", "hdl", "triglyceride"},
	"blood count":      {"haemoglobin", "hemoglobin", "white cell", "white blood cell", "platelet", "full blood count", "fbc"},
	"full blood count": {"haemoglobin", "hemoglobin", "white cell", "white blood cell", "platelet", "fbc"},
	"thyroid":          {"tsh", "t4", "t3", "thyroxine", "thyroid stimulating"},
	"iron":             {"ferritin", "transferrin"},
	"heart":            {"troponin", "bnp", "nt-probnp", "cardiac"},
	"water infection":  {"urine", "urinary", "msu"},
	"urine infection":  {"urine", "urinary", "msu"},
}

// fillerWords may be left out of a query that names a kind of test:
// "sugar level" is a search for sugar.
var fillerWords = map[string]bool{"test": true, "tests": true, "level": true, "levels": true, "result": true, "results": true, "function": true}

// layKeys are the synonym keys, the longest first, so that "blood sugar"
// is read as one phrase before "sugar".
var layKeys = func() []string {
	keys := make([]string, 0, len(laySynonyms))
	for k := range laySynonyms {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(keys[i]) != len(keys[j]) {
			return len(keys[i]) > len(keys[j])
		}
		return keys[i] < keys[j]
	})
	return keys
}()

// term is one thing a query asks for: any of its alternatives, found in
// an entry, satisfies it. A typed word matches anywhere (as search always
// has); a lay word and its synonyms match only at the start of a word, and
// a short one (ALT, TSH) only as a whole word, so "alt" does not find "salt".
type term struct {
	alts    []string
	synonym []bool
}

// queryTerms reads a lower-case query into terms, turning the lay phrases
// in it into their alternatives.
func queryTerms(q string) []term {
	words := strings.Fields(q)
	var out []term
	lay := false
	for i := 0; i < len(words); {
		matched := false
		for _, k := range layKeys {
			kw := strings.Fields(k)
			if i+len(kw) > len(words) || strings.Join(words[i:i+len(kw)], " ") != k {
				continue
			}
			// The lay word itself is a word too: "iron" is not found in
			// "environmental".
			t := term{alts: []string{k}, synonym: []bool{true}}
			for _, s := range laySynonyms[k] {
				t.alts = append(t.alts, s)
				t.synonym = append(t.synonym, true)
			}
			out = append(out, t)
			i += len(kw)
			matched, lay = true, true
			break
		}
		if !matched {
			out = append(out, term{alts: []string{words[i]}, synonym: []bool{false}})
			i++
		}
	}
	if !lay {
		return out
	}
	kept := out[:0]
	for _, t := range out {
		if len(t.alts) == 1 && fillerWords[t.alts[0]] {
			continue
		}
		kept = append(kept, t)
	}
	return kept
}

// found says whether hay has the term, and which alternative matched
// first in the table's order (the typed word, then its synonyms).
func (t term) found(hay string) (string, bool) {
	for i, a := range t.alts {
		if t.synonym[i] {
			if atWordStart(hay, a, len(a) <= 3) {
				return a, true
			}
		} else if strings.Contains(hay, a) {
			return a, true
		}
	}
	return "", false
}

// atWordStart says whether s occurs in hay at the start of a word (and,
// when whole, ends at the end of one).
func atWordStart(hay, s string, whole bool) bool {
	for from := 0; from <= len(hay); {
		i := strings.Index(hay[from:], s)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(s)
		if (i == 0 || !isWordByte(hay[i-1])) && (!whole || end == len(hay) || !isWordByte(hay[end])) {
			return true
		}
		from = i + 1
	}
	return false
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 0x80
}
