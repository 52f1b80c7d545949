// Package config holds what an organisation running Ward tells it about
// itself: its name and how patients reach its helpdesk. It is read from a
// small JSON file so a trust can change it without rebuilding Ward.
package config

import (
	"github.com/ward-health/ward/backend/mail"

	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// Helpdesk is how patients get help with Ward at this organisation.
type Helpdesk struct {
	Phone string `json:"phone"`
	Hours string `json:"hours"`
	Email string `json:"email"`
}

// Organisation is the organisation running this Ward.
type Organisation struct {
	Name     string   `json:"name"`
	Helpdesk Helpdesk `json:"helpdesk"`
}

// Contact is how patients reach an organisation whose records appear in
// theirs (a hospital's results line): an urgent result names it.
type Contact struct {
	Organisation string `json:"organisation"`
	Phone        string `json:"phone"`
	Hours        string `json:"hours"`
}

// Config is the whole file.
type Config struct {
	Organisation Organisation `json:"organisation"`
	Contacts     []Contact    `json:"contacts"`
	// Accounts are the rules of a server for many patients (ward admin
	// init); a Ward with one vault ignores them.
	Accounts Accounts `json:"accounts"`
}

// Accounts are an accounts server's rules.
type Accounts struct {
	// Household: a server for a family, where a verified person may start
	// an empty record of their own, and a lost password and recovery key
	// mean the record cannot be recovered. Otherwise (an organisation)
	// patients activate with an invite, and ResetAllowed lets them reset
	// to an empty record the organisation fills again.
	Household    bool `json:"household"`
	ResetAllowed bool `json:"resetAllowed"`
	// TwoStepRequired makes everyone set up two-step verification.
	TwoStepRequired bool `json:"twoStepRequired"`
	// IdleMinutes signs a patient out after this long unused (default 15).
	IdleMinutes int `json:"idleMinutes"`
	// ServerKeySlot: the organisation chose to be able to read records at
	// rest. Each vault's key is then wrapped by the organisation's records
	// key too (records.key in the data folder), which opens the record
	// with "ward vault export --key-file"; every patient is told so in
	// Security settings. Off by default: then only the patient's own
	// factors open their record.
	ServerKeySlot bool `json:"serverKeySlot"`
	// MaxOpenRecords bounds how many patients' decrypted records are held
	// in memory at once (default 64); beyond it the least recently used
	// are dropped, their keys kept, and rebuilt when next read. A large
	// record takes hundreds of MB (docs/performance.md).
	MaxOpenRecords int `json:"maxOpenRecords"`
	// PublicURL is where patients reach Ward, for links in emails
	// (--public-url overrides it).
	PublicURL string `json:"publicURL"`
	// SMTP is the mail server for verification codes and warnings.
	SMTP mail.Settings `json:"smtp"`
}

// ContactFor returns the contact configured for an organisation, matched
// on its name without regard to case or surrounding space.
func (c Config) ContactFor(org string) (Contact, bool) {
	org = strings.TrimSpace(org)
	if org == "" {
		return Contact{}, false
	}
	for _, k := range c.Contacts {
		if strings.EqualFold(strings.TrimSpace(k.Organisation), org) && k.Phone != "" {
			return k, true
		}
	}
	return Contact{}, false
}

// Demo is the configuration of the fictional organisation behind the demo record.
func Demo(orgName string) Config {
	return Config{Organisation: Organisation{
		Name: orgName,
		Helpdesk: Helpdesk{
			Phone: "0300 000 0000",
			Hours: "Monday to Friday, 8am to 6pm (except bank holidays)",
			Email: "ward-help@example.org",
		},
	}}
}

// Load reads a configuration file. A missing path gives the zero Config,
// which the UI shows as "contact the organisation that gave you access".
func Load(path string) (Config, error) {
	var c Config
	if path == "" {
		return c, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, fmt.Errorf("configuration file %s does not exist", path)
	}
	if err != nil {
		return c, fmt.Errorf("read configuration %s: %w", path, err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("configuration file %s is not valid: %w", path, err)
	}
	return c, nil
}
