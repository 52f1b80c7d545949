package session

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPublishTarget(t *testing.T) {
	ctx := context.Background()
	m, tok, clock, _ := unlockedAt(t)
	if got, err := m.PublishTarget(ctx, tok); err != nil || got != nil {
		t.Fatalf("no target yet = %+v, %v", got, err)
	}
	want := PublishTarget{Server: "https://ward.example.org", Key: "wpk_secret", Organisation: "Riverside"}
	if err := m.SetPublishTarget(ctx, tok, &want); err != nil {
		t.Fatal(err)
	}
	if got, err := m.PublishTarget(ctx, tok); err != nil || got == nil || *got != want {
		t.Fatalf("target = %+v, %v", got, err)
	}
	if _, err := m.PublishTarget(ctx, "not-a-token"); !errors.Is(err, ErrUnauthorised) {
		t.Fatalf("a stranger's token = %v", err)
	}
	// Changing it is a security change: it needs a fresh session.
	*clock = clock.Add(FreshFor + time.Minute)
	if err := m.SetPublishTarget(ctx, tok, nil); !errors.Is(err, ErrNotFresh) {
		t.Fatalf("stale change = %v, want ErrNotFresh", err)
	}
	if _, err := m.Confirm(ctx, tok, Secret{Password: testPassword, From: "owner"}); err != nil {
		t.Fatal(err)
	}
	if err := m.SetPublishTarget(ctx, tok, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := m.PublishTarget(ctx, tok); err != nil || got != nil {
		t.Fatalf("forgotten target = %+v, %v", got, err)
	}
	// Locked, nothing is read.
	m.Lock()
	if _, err := m.PublishTarget(ctx, tok); !errors.Is(err, ErrLocked) {
		t.Fatalf("locked = %v", err)
	}
}
