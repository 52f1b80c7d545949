package session

import (
	"context"
	"errors"
	"testing"

	"github.com/ward-health/ward/backend/fhir"
)

func TestShareContents(t *testing.T) {
	ctx := context.Background()
	dir := newVault(t, "Clinic", []fhir.Resource{observation("o1", "Sodium", "140"), observation("o2", "Potassium", "4.1")})
	m, tok := open(t, dir)

	c, err := m.Contents(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Records) != 2 || len(c.Sources) != 1 || c.Sources[0].Name != "Clinic" {
		t.Fatalf("contents: %d records, sources %+v", len(c.Records), c.Sources)
	}

	if _, err := m.Contents(ctx, "not-a-token"); !errors.Is(err, ErrUnauthorised) {
		t.Fatalf("wrong token: %v, want ErrUnauthorised", err)
	}

	// A shed view is built again from disk.
	if !m.shed() {
		t.Fatal("nothing shed")
	}
	c2, err := m.Contents(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if len(c2.Records) != 2 {
		t.Fatalf("after shed: %d records", len(c2.Records))
	}

	m.Lock()
	if _, err := m.Contents(ctx, tok); !errors.Is(err, ErrLocked) {
		t.Fatalf("locked: %v, want ErrLocked", err)
	}
}
