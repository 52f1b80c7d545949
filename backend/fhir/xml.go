package fhir

import (
	"strings"
)

// FHIR XML carries no type information, and JSON needs some: whether an
// element repeats (a JSON array even when it occurs once) and whether a
// primitive is a number or a boolean. Ward converts FHIR R4 XML to JSON
// with the tables below, which cover the data types and the resources Ward
// shows; an element they do not know becomes an array only when it repeats.

const (
	fhirNS  = "http://hl7.org/fhir"
	xhtmlNS = "http://www.w3.org/1999/xhtml"
)

// MaxXMLBytes bounds one FHIR XML file. XMLToJSON returns the whole file
// converted, as one piece of memory, so a file may be no larger than one
// resource may be.
const MaxXMLBytes = MaxResourceBytes

// repeats lists elements that are arrays wherever they occur.
var repeats = set("extension", "modifierExtension", "contained", "coding", "given", "prefix", "suffix", "line",
	"telecom", "performer", "interpretation", "referenceRange", "component", "note", "result", "hasMember",
	"derivedFrom", "basedOn", "partOf", "reasonCode", "reasonReference", "participant", "serviceType",
	"specialty", "reaction", "manifestation", "dosage", "dosageInstruction", "additionalInstruction",
	"doseAndRate", "event", "dayOfWeek", "timeOfDay", "when", "evidence", "stage", "statusHistory",
	"classHistory", "episodeOfCare", "account", "diagnosis", "media", "presentedForm", "conclusionCode",
	"imagingStudy", "content", "author", "protocolApplied", "targetDisease", "programEligibility", "education",
	"generalPractitioner", "communication", "qualification", "profile", "security", "tag", "entry", "section",
	"relatesTo", "attester", "supportingInformation", "insurance", "instantiatesCanonical", "instantiatesUri",
	"complication", "followUp", "usedReference", "usedCode", "focalDevice", "report", "goal", "activity",
	"addresses", "careTeam", "contributor", "detail", "substitution", "eventHistory", "detectedIssue",
	"relatedArtifact", "condition", "relationship", "link", "focus", "contact", "appliesTo",
	"specialArrangement", "dietPreference", "specialCourtesy")

// repeatsIn lists elements that are arrays only in some places: as direct
// children of some resource types, or under some parent elements
// (elsewhere the same name is a single value).
var repeatsIn = map[string]map[string]bool{
	"identifier": nil, // arrays at a resource's top level; a Reference's identifier is single
	"name":       set("Patient", "Practitioner", "RelatedPerson", "Person"),
	"address":    set("Patient", "Practitioner", "RelatedPerson", "Person", "Organization"),
	"category": set("Observation", "Condition", "AllergyIntolerance", "DiagnosticReport", "MedicationRequest",
		"CarePlan", "DocumentReference", "Composition", "ServiceRequest", "Communication", "Flag", "Goal", "Consent",
		"CareTeam", "DetectedIssue", "RiskAssessment", "MedicationAdministration"),
	"type":     set("Encounter", "Organization", "Location", "HealthcareService", "EpisodeOfCare", "Endpoint", "participant"),
	"location": set("Encounter"),
	"bodySite": set("Condition", "Procedure"),
	"code":     set("PractitionerRole", "evidence"),
	"specimen": set("DiagnosticReport", "ServiceRequest"),
}

// quantityParents hold Quantity-like values, whose "value" is a number (an
// Identifier's or a ContactPoint's "value" is text, even when it is digits).
var quantityParents = set("valueQuantity", "low", "high", "quantity", "numerator", "denominator", "doseQuantity",
	"rateQuantity", "length", "valueAge", "onsetAge", "abatementAge", "valueDuration", "valueCount", "valueDistance",
	"valueMoney", "amount", "net", "gross", "unitPrice", "maxDosePerAdministration", "maxDosePerLifetime", "age",
	"boundsDuration", "quantityQuantity", "origin", "expectedSupplyDuration", "valueSimpleQuantity")

// notRepeatsTop are resources whose top-level identifier is single.
var notRepeatsTop = set("Bundle", "Composition", "QuestionnaireResponse")

// numbers and booleans are primitives written as JSON numbers or booleans.
// Choice types say so in their names (valueInteger, deceasedBoolean), which
// typedSuffix handles.
var numbers = set("frequency", "frequencyMax", "period", "periodMax", "count", "countMax", "duration",
	"durationMax", "size", "sequence", "rank", "numberOfSeries", "doseNumberPositiveInt", "seriesDosesPositiveInt",
	"multipleBirthInteger", "numberOfInstances", "numberOfFrames", "total", "factor", "lowerLimit", "upperLimit",
	"dimensions", "offset", "priority", "minutesDuration", "numberOfRepeatsAllowed", "quantityInteger")

var booleans = set("active", "primarySource", "isSubpotent", "reported", "deceasedBoolean", "multipleBirthBoolean",
	"asNeededBoolean", "preferred", "inactive", "abstract", "experimental", "doNotPerform", "userSelected",
	"mustSupport", "isModifier", "wasNull", "allowedBoolean", "immutable", "exact")

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

func typedSuffix(name string) string {
	for _, s := range []string{"Boolean", "Integer", "PositiveInt", "UnsignedInt", "Decimal"} {
		if strings.HasSuffix(name, s) && len(name) > len(s) {
			return s
		}
	}
	return ""
}
