package share

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/accounts"
	"github.com/ward-health/ward/backend/store"
)

// clock is an injectable clock shared by the Service and the database.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var (
	testKeys      = accounts.Keys{Seal: [32]byte{1}, Lookup: [32]byte{2}}
	testLookupKey = []byte("0123456789abcdef0123456789abcdef")
	testBirth     = "1970-04-05"
)

type fixture struct {
	svc *Service
	db  *accounts.DB
	clk *clock
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	clk := &clock{t: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}
	db, err := accounts.Open(filepath.Join(t.TempDir(), "accounts.db"), testKeys, clk.now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc, err := New(Options{Accounts: db, LookupKey: testLookupKey, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{svc: svc, db: db, clk: clk}
}

func rec(source, typ, id, body string) store.Record {
	raw := fmt.Sprintf(`{"resourceType":%q,"id":%q%s}`, typ, id, body)
	return store.Record{Source: source, Item: store.Item{Type: typ, ID: id, Raw: []byte(raw)}}
}

// contents is a small vault: a patient, a practice, two results, a
// medicine, a condition, an allergy, a visit and a care plan (a type only
// "everything" shares).
func contents() *store.Contents {
	now := time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC)
	return &store.Contents{
		Sources: []store.Source{{Name: "Hill Surgery", LastUpdated: now}, {Name: "City Hospital", LastUpdated: now}},
		Records: []store.Record{
			rec("Hill Surgery", "Patient", "p1", `,"name":[{"given":["Rosa"],"family":"Quill"}],"birthDate":"`+testBirth+`"`),
			rec("Hill Surgery", "Organization", "org1", `,"name":"Hill Surgery"`),
			rec("Hill Surgery", "Practitioner", "pr1", `,"name":[{"family":"Pym","prefix":["Dr"]}]`),
			rec("City Hospital", "Observation", "o1", `,"status":"final","code":{"text":"Sodium"},"effectiveDateTime":"2026-10-01","valueQuantity":{"value":140,"unit":"mmol/L"}`),
			rec("City Hospital", "Observation", "o2", `,"status":"final","code":{"text":"Potassium"},"effectiveDateTime":"2026-10-01","valueQuantity":{"value":4.1,"unit":"mmol/L"}`),
			rec("Hill Surgery", "MedicationRequest", "m1", `,"status":"active","intent":"order","medicationCodeableConcept":{"text":"Amlodipine 5mg tablets"},"authoredOn":"2026-09-01"`),
			rec("Hill Surgery", "Condition", "c1", `,"code":{"text":"Hypertension"},"onsetDateTime":"2020-01-01"`),
			rec("Hill Surgery", "AllergyIntolerance", "a1", `,"code":{"text":"Penicillin"}`),
			rec("City Hospital", "Encounter", "e1", `,"status":"finished","class":{"code":"AMB"},"period":{"start":"2026-10-01"}`),
			rec("Hill Surgery", "CarePlan", "cp1", `,"status":"active","intent":"plan","title":"Blood pressure plan"`),
		},
	}
}
