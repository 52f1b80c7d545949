package session

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestLastViewed(t *testing.T) {
	ctx := context.Background()
	m, tok, clock, dir := unlockedAt(t)
	if got, err := m.LastViewed(ctx, tok); err != nil || !got.IsZero() {
		t.Fatalf("never viewed = %v, %v; want zero", got, err)
	}
	if err := m.MarkViewed(ctx, tok); err != nil {
		t.Fatal(err)
	}
	*clock = clock.Add(FreshFor + time.Hour/2) // no fresh session needed: it is not a security change
	if err := m.MarkViewed(ctx, tok); err != nil {
		t.Fatalf("a later view = %v", err)
	}
	want := clock.UTC().Truncate(time.Second)
	if got, err := m.LastViewed(ctx, tok); err != nil || !got.Equal(want) {
		t.Fatalf("last viewed = %v, %v; want %v", got, err, want)
	}
	if _, err := m.LastViewed(ctx, "not-a-token"); !errors.Is(err, ErrUnauthorised) {
		t.Fatalf("a stranger's token = %v", err)
	}
	if err := m.MarkViewed(ctx, "not-a-token"); !errors.Is(err, ErrUnauthorised) {
		t.Fatalf("a stranger marks = %v", err)
	}
	m.Lock()
	if _, err := m.LastViewed(ctx, tok); !errors.Is(err, ErrLocked) {
		t.Fatalf("locked = %v", err)
	}
	// It is sealed: the time, in the form kept, is nowhere in the file.
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if bytes.Contains(b, []byte(want.Format(time.RFC3339))) || bytes.Contains(b, []byte(want.Format("2006-01-02T15"))) {
			t.Errorf("%s holds the last-viewed time in the clear", f)
		}
	}
	// It survives a restart.
	m2, _ := open(t, dir)
	tok2, err := m2.Unlock(ctx, Secret{Password: testPassword, From: "owner"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := m2.LastViewed(ctx, tok2); err != nil || !got.Equal(want) {
		t.Fatalf("after a restart = %v, %v; want %v", got, err, want)
	}
}
