package records

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/ward-health/ward/backend/fhir"
)

// provenance is what a record says about where it came from, beside the
// fields of its own kind (performer, serviceProvider, custodian).
type provenance struct {
	Meta *struct {
		Source string `json:"source"`
	} `json:"meta"`
	Encounter *fhir.Reference `json:"encounter"`
	// Whom the record is about.
	Subject *fhir.Reference `json:"subject"`
	Patient *fhir.Reference `json:"patient"`
}

func (p provenance) about() *fhir.Reference {
	if p.Subject != nil {
		return p.Subject
	}
	return p.Patient
}

// orgOf names the organisation an item comes from, as the data itself says:
// the organisations among its own references (a performing lab, the
// provider of a visit, a document's custodian), else its encounter's
// service provider, else the host in meta.source; the file's organisation
// only when nothing in the data says.
//
// orgs are fields that always name an organisation (serviceProvider,
// custodian), so their display text counts; actors may name a clinician
// too (performer) and count only when they resolve to an organisation.
func (b *builder) orgOf(res fhir.Resource, p provenance, orgs []fhir.Reference, actors []fhir.Reference) string {
	for _, ref := range orgs {
		if n := b.orgName(res, ref); n != "" {
			return n
		}
		if ref.Reference == "" && realName(ref.Display) != "" {
			return realName(ref.Display)
		}
	}
	for _, ref := range actors {
		if n := b.orgName(res, ref); n != "" {
			return n
		}
	}
	if p.Encounter != nil && p.Encounter.Reference != "" {
		if n := b.encounterOrg(p.Encounter.Reference); n != "" {
			return n
		}
	}
	if p.Meta != nil {
		if u, err := url.Parse(p.Meta.Source); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			return u.Hostname()
		}
	}
	return b.org
}

// orgName is the name of the organisation ref points to, or "" when it
// points to anything else (a clinician, a device).
func (b *builder) orgName(from fhir.Resource, ref fhir.Reference) string {
	if ref.Reference == "" {
		return ""
	}
	if refType(ref.Reference) == "Organization" && realName(ref.Display) != "" {
		return realName(ref.Display)
	}
	ck := fmt.Sprintf("org|%p|%s", b.idx, ref.Reference)
	if n, seen := b.all.names[ck]; seen && !strings.HasPrefix(ref.Reference, "#") {
		return n
	}
	n := ""
	if target, ok := b.resolveFrom(from, ref.Reference); ok {
		switch target.Type {
		case "Organization":
			n = b.nameOf(target, 0)
		case "PractitionerRole":
			var pr struct {
				Organization *fhir.Reference `json:"organization"`
			}
			if target.Decode(&pr) == nil && pr.Organization != nil {
				n = b.orgName(target, *pr.Organization)
			}
		}
	}
	if !strings.HasPrefix(ref.Reference, "#") {
		b.all.names[ck] = n
	}
	return n
}

// encounterOrg is the service provider of the visit ref points to.
func (b *builder) encounterOrg(ref string) string {
	ck := fmt.Sprintf("enc|%p|%s", b.idx, ref)
	if n, seen := b.all.names[ck]; seen {
		return n
	}
	n := ""
	if enc, ok := b.all.resolve(b.idx, ref); ok && enc.Type == "Encounter" {
		var e struct {
			ServiceProvider *fhir.Reference `json:"serviceProvider"`
		}
		if json.Unmarshal(enc.Raw, &e) == nil && e.ServiceProvider != nil {
			n = b.orgName(enc, *e.ServiceProvider)
		}
	}
	b.all.names[ck] = n
	return n
}

// refType is the resource type a reference names ("Organization/1",
// "https://x/fhir/Organization/1"), or "".
func refType(ref string) string {
	parts := strings.Split(strings.TrimPrefix(ref, "#"), "/")
	if len(parts) >= 2 {
		return parts[len(parts)-2]
	}
	return ""
}
