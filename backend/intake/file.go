package intake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/identity"
)

// add takes one resource into the file: the people it names, its origin,
// its notices, and a repeat of an earlier one kept only if newer.
func (f *File) add(r fhir.Resource, o *origin) {
	switch r.Type {
	case "Patient":
		if p, links, err := identity.FromPatient(r.Raw); err == nil {
			f.People = append(f.People, identity.Found{Person: p, Links: links})
		}
		o.patient(r)
	case "Organization":
		o.organisation(r)
	case "Encounter":
		o.encounter(r)
	case "OperationOutcome":
		f.notice(r.Raw)
	}
	if f.seen == nil {
		f.seen = map[string]int{}
	}
	k := r.Ref()
	i, dup := f.seen[k]
	if !dup {
		f.seen[k] = len(f.Resources)
		f.Resources = append(f.Resources, r)
		return
	}
	if f.repeats == nil {
		f.repeats = map[string]int{}
	}
	f.repeats[k]++
	if !lastUpdated(f.Resources[i].Raw).After(lastUpdated(r.Raw)) {
		f.Resources[i] = r
	}
}

// repeatsText says which resources were repeated, once the file is read.
func (f *File) repeatsText() []string {
	var out []string
	for k, n := range f.repeats {
		typ, id, _ := strings.Cut(k, "/")
		out = append(out, fmt.Sprintf("%s %s appears %d times: the newest was kept", typ, id, n+1))
	}
	sort.Strings(out)
	return out
}

func lastUpdated(raw []byte) time.Time {
	var m struct {
		Meta struct {
			LastUpdated string `json:"lastUpdated"`
		} `json:"meta"`
	}
	if json.Unmarshal(raw, &m) != nil {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339Nano, m.Meta.LastUpdated)
	return t
}

// notice keeps what an OperationOutcome warns about the file. "This search
// found nothing" is not a warning: it is what an empty search says.
func (f *File) notice(raw []byte) {
	var oo struct {
		Issue []struct {
			Severity    string `json:"severity"`
			Diagnostics string `json:"diagnostics"`
			Details     *struct {
				Text string `json:"text"`
			} `json:"details"`
		} `json:"issue"`
	}
	if json.Unmarshal(raw, &oo) != nil {
		return
	}
	for _, is := range oo.Issue {
		if is.Severity == "information" {
			continue
		}
		text := strings.TrimSpace(is.Diagnostics)
		if is.Details != nil && strings.TrimSpace(is.Details.Text) != "" && !strings.Contains(text, "have not been included") {
			text = strings.TrimSpace(is.Details.Text)
		}
		if text == "" || strings.Contains(strings.ToLower(text), "returns no results") {
			continue
		}
		if len(text) > 300 {
			text = text[:300] + "…"
		}
		dup := false
		for _, n := range f.Notices {
			dup = dup || n == text
		}
		if !dup {
			f.Notices = append(f.Notices, text)
		}
	}
}

// origin gathers what a file says about where it came from.
type origin struct {
	managing  string            // the Patient's managingOrganization reference
	orgs      map[string]string // Organization name by "Organization/id" and urn:uuid
	named     []string          // every named Organization, in order
	providers map[string]int    // serviceProvider references, counted
	server    string            // the FHIR server's host, from the Bundle
}

func (o *origin) patient(r fhir.Resource) {
	var p struct {
		ManagingOrganization *fhir.Reference `json:"managingOrganization"`
	}
	if r.Decode(&p) == nil && p.ManagingOrganization != nil && o.managing == "" {
		o.managing = p.ManagingOrganization.Reference
		if o.managing == "" {
			o.managing = "display:" + p.ManagingOrganization.Display
		}
	}
}

func (o *origin) organisation(r fhir.Resource) {
	var org struct {
		Name string `json:"name"`
	}
	if r.Decode(&org) != nil || strings.TrimSpace(org.Name) == "" {
		return
	}
	if o.orgs == nil {
		o.orgs = map[string]string{}
	}
	name := strings.TrimSpace(org.Name)
	o.orgs["Organization/"+r.ID] = name
	o.orgs["urn:uuid:"+r.ID] = name
	o.named = append(o.named, name)
}

func (o *origin) encounter(r fhir.Resource) {
	if !bytes.Contains(r.Raw, []byte(`"serviceProvider"`)) {
		return
	}
	var e struct {
		ServiceProvider *fhir.Reference `json:"serviceProvider"`
	}
	if r.Decode(&e) == nil && e.ServiceProvider != nil && e.ServiceProvider.Reference != "" {
		if o.providers == nil {
			o.providers = map[string]int{}
		}
		o.providers[e.ServiceProvider.Reference]++
	}
}

// bundle reads the server's address from a Bundle's self link or
// meta.source.
func (o *origin) bundle(raw []byte) {
	var b struct {
		Link []struct {
			Relation string `json:"relation"`
			URL      string `json:"url"`
		} `json:"link"`
		Meta struct {
			Source string `json:"source"`
		} `json:"meta"`
	}
	if json.Unmarshal(raw, &b) != nil || o.server != "" {
		return
	}
	for _, s := range append([]string{b.Meta.Source}, linkURLs(b.Link)...) {
		if u, err := url.Parse(s); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Hostname() != "" {
			o.server = u.Hostname()
			return
		}
	}
}

func linkURLs(links []struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}) []string {
	var out []string
	for _, l := range links {
		if l.Relation == "self" {
			out = append(out, l.URL)
		}
	}
	return out
}

// pick decides the file's organisation from what it gathered.
func (o *origin) pick() string {
	if name, ok := strings.CutPrefix(o.managing, "display:"); ok && strings.TrimSpace(name) != "" {
		return strings.TrimSpace(name)
	}
	if n := o.orgs[o.managing]; n != "" {
		return n
	}
	if len(o.named) == 1 {
		return o.named[0]
	}
	best, most := "", 0
	for ref, n := range o.providers {
		if name := o.orgs[ref]; name != "" && (n > most || n == most && name < best) {
			best, most = name, n
		}
	}
	if best != "" {
		return best
	}
	return o.server
}

// containedPeople are the Patients contained in the file's records, for a
// file with no Patient of its own (the NHS immunisation API writes its
// patient inside each event).
func (f *File) containedPeople() []identity.Found {
	var out []identity.Found
	for _, r := range f.Resources {
		if !bytes.Contains(r.Raw, []byte(`"contained"`)) {
			continue
		}
		var c struct {
			Contained []json.RawMessage `json:"contained"`
		}
		if r.Decode(&c) != nil {
			continue
		}
		for _, raw := range c.Contained {
			if res, err := fhir.Parse(raw); err == nil && res.Type == "Patient" {
				if p, _, err := identity.FromPatient(raw); err == nil && p.Known() {
					p.Refs = nil // "#id" names it only within its record
					out = append(out, identity.Found{Person: p})
				}
			}
		}
	}
	return out
}
