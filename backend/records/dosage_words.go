package records

// The tables dosageWords writes from: FHIR and HL7 v3 codes, and the ways
// senders spell units and routes, mapped to the words a patient would use.

// timingCodes are HL7 v3 GTSAbbreviation codes (Timing.code).
var timingCodes = map[string]string{
	"QD": "once a day", "BID": "twice a day", "TID": "3 times a day", "QID": "4 times a day",
	"AM": "every morning", "PM": "every afternoon", "QOD": "every other day",
	"Q1H": "every hour", "Q2H": "every 2 hours", "Q3H": "every 3 hours", "Q4H": "every 4 hours",
	"Q6H": "every 6 hours", "Q8H": "every 8 hours", "BED": "at bedtime", "WK": "once a week", "MO": "once a month",
}

// eventTimings are FHIR EventTiming and v3 TimingEvent codes
// (Timing.repeat.when).
var eventTimings = map[string]string{
	"MORN": "in the morning", "MORN.early": "early in the morning", "MORN.late": "late in the morning",
	"NOON": "at midday", "AFT": "in the afternoon", "AFT.early": "early in the afternoon", "AFT.late": "late in the afternoon",
	"EVE": "in the evening", "EVE.early": "early in the evening", "EVE.late": "late in the evening",
	"NIGHT": "at night", "PHS": "after sleep", "HS": "before bed", "WAKE": "after waking",
	"C": "with meals", "CM": "with breakfast", "CD": "with lunch", "CV": "with your evening meal",
	"AC": "before meals", "ACM": "before breakfast", "ACD": "before lunch", "ACV": "before your evening meal",
	"PC": "after meals", "PCM": "after breakfast", "PCD": "after lunch", "PCV": "after your evening meal",
}

var daysOfWeek = map[string]string{
	"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday", "sat": "Saturday", "sun": "Sunday",
}

// periodUnits are UCUM time units (Timing.repeat.periodUnit and durations):
// singular, plural, and the article for "once a …".
var periodUnits = map[string][3]string{
	"s": {"second", "seconds", "a"}, "min": {"minute", "minutes", "a"}, "h": {"hour", "hours", "an"},
	"d": {"day", "days", "a"}, "wk": {"week", "weeks", "a"}, "mo": {"month", "months", "a"}, "a": {"year", "years", "a"},
}

// doseUnits are the ways dose units are written, to singular and plural.
var doseUnits = map[string][2]string{
	"tablet": {"tablet", "tablets"}, "tablets": {"tablet", "tablets"}, "tab": {"tablet", "tablets"}, "tabs": {"tablet", "tablets"},
	"tab(s)": {"tablet", "tablets"}, "tbl": {"tablet", "tablets"}, "428673006": {"tablet", "tablets"}, "385055001": {"tablet", "tablets"},
	"capsule": {"capsule", "capsules"}, "capsules": {"capsule", "capsules"}, "cap": {"capsule", "capsules"}, "caps": {"capsule", "capsules"},
	"cap(s)": {"capsule", "capsules"}, "428641000": {"capsule", "capsules"}, "385049006": {"capsule", "capsules"},
	"puff": {"puff", "puffs"}, "puffs": {"puff", "puffs"}, "actuation": {"puff", "puffs"}, "actuations": {"puff", "puffs"},
	"actuat": {"puff", "puffs"}, "415215001": {"puff", "puffs"},
	"drop": {"drop", "drops"}, "drops": {"drop", "drops"}, "gtt": {"drop", "drops"}, "404218003": {"drop", "drops"},
	"unit": {"unit", "units"}, "units": {"unit", "units"}, "u": {"unit", "units"}, "iu": {"unit", "units"}, "[iu]": {"unit", "units"},
	"ml": {"ml", "ml"}, "milliliter": {"ml", "ml"}, "millilitre": {"ml", "ml"}, "milliliters": {"ml", "ml"}, "millilitres": {"ml", "ml"},
	"mg": {"mg", "mg"}, "milligram": {"mg", "mg"}, "milligrams": {"mg", "mg"},
	"g": {"g", "g"}, "gram": {"g", "g"}, "grams": {"g", "g"},
	"mcg": {"microgram", "micrograms"}, "ug": {"microgram", "micrograms"}, "µg": {"microgram", "micrograms"},
	"microgram": {"microgram", "micrograms"}, "micrograms": {"microgram", "micrograms"},
	"sachet": {"sachet", "sachets"}, "sachets": {"sachet", "sachets"}, "patch": {"patch", "patches"}, "patches": {"patch", "patches"},
	"spray": {"spray", "sprays"}, "sprays": {"spray", "sprays"}, "application": {"application", "applications"},
	"lozenge": {"lozenge", "lozenges"}, "pessary": {"pessary", "pessaries"}, "suppository": {"suppository", "suppositories"},
	"ampoule": {"ampoule", "ampoules"}, "vial": {"vial", "vials"}, "dose": {"dose", "doses"}, "doses": {"dose", "doses"},
}

// routes are route codes (SNOMED CT, NCI, EDQM) and route words, to how a
// patient would say it.
var routes = map[string]string{
	"26643006": "by mouth", "C38288": "by mouth", "20053000": "by mouth",
	"18679011000001101": "inhaled", "447694001": "inhaled", "C38216": "inhaled", "20020000": "inhaled",
	"34206005": "injected under the skin", "C38299": "injected under the skin", "20066000": "injected under the skin",
	"78421000": "injected into a muscle", "C28161": "injected into a muscle", "20035000": "injected into a muscle",
	"47625008": "into a vein", "C38276": "into a vein", "20045000": "into a vein",
	"6064005": "on the skin", "C38304": "on the skin", "45890007": "through the skin (a patch)", "C38305": "through the skin (a patch)",
	"37161004": "into the back passage (rectum)", "C38295": "into the back passage (rectum)",
	"16857009": "into the vagina", "C38313": "into the vagina",
	"37839007": "under the tongue", "C38300": "under the tongue", "54471007": "inside the cheek", "C38193": "inside the cheek",
	"46713006": "into the nose", "C38284": "into the nose", "10547007": "into the ear", "C38192": "into the ear",
	"54485002": "into the eye", "C38287": "into the eye",
	"oral": "by mouth", "po": "by mouth", "by mouth": "by mouth", "mouth": "by mouth", "orally": "by mouth",
	"inhalation": "inhaled", "inhaled": "inhaled", "respiratory tract": "inhaled", "inh": "inhaled",
	"subcutaneous": "injected under the skin", "subcut": "injected under the skin", "sc": "injected under the skin", "sq": "injected under the skin",
	"intramuscular": "injected into a muscle", "im": "injected into a muscle",
	"intravenous": "into a vein", "iv": "into a vein",
	"topical": "on the skin", "cutaneous": "on the skin", "transdermal": "through the skin (a patch)",
	"rectal": "into the back passage (rectum)", "pr": "into the back passage (rectum)", "vaginal": "into the vagina", "pv": "into the vagina",
	"sublingual": "under the tongue", "buccal": "inside the cheek", "nasal": "into the nose", "intranasal": "into the nose",
	"otic": "into the ear", "auricular": "into the ear", "ophthalmic": "into the eye", "ocular": "into the eye",
}

// methodVerbs are Dosage.method words that read as the start of the
// instruction ("Inject 10 mg once a week").
var methodVerbs = map[string]bool{
	"inject": true, "swallow": true, "chew": true, "inhale": true, "apply": true, "insert": true, "dissolve": true,
	"spray": true, "instil": true, "instill": true, "take": true, "use": true, "rub": true, "gargle": true, "suck": true,
	"place": true, "rinse": true, "give": true, "administer": true,
}
