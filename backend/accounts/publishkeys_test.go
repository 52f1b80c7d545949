package accounts

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestPublishKeys(t *testing.T) {
	d, c, _ := testDB(t)
	ctx := context.Background()
	a, err := d.Create(ctx, "pat@example.org", "v1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := d.Create(ctx, "other@example.org", "v2")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.PutPublishKey(ctx, a.ID, "k1", "Robin's laptop", "secret-1"); err != nil {
		t.Fatal(err)
	}
	// A pending account's key opens nothing.
	if _, err := d.PublishKeyAccount(ctx, "secret-1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("pending account's key: %v", err)
	}
	if err := d.SetState(ctx, a.ID, "active"); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Minute)
	got, err := d.PublishKeyAccount(ctx, "secret-1")
	if err != nil || got != a.ID {
		t.Fatalf("key's account: %q, %v", got, err)
	}
	for _, k := range []string{"secret-2", "", "secret-1 "} {
		if _, err := d.PublishKeyAccount(ctx, k); !errors.Is(err, ErrNotFound) {
			t.Errorf("key %q: %v", k, err)
		}
	}
	list, err := d.PublishKeysOf(ctx, a.ID)
	if err != nil || len(list) != 1 || list[0].Name != "Robin's laptop" || !list[0].LastUsed.Equal(c.t) {
		t.Fatalf("list: %+v, %v", list, err)
	}
	// Another account cannot remove it.
	if err := d.RemovePublishKey(ctx, b.ID, "k1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("removed by another account: %v", err)
	}
	if err := d.RemovePublishKey(ctx, a.ID, "k1"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.PublishKeyAccount(ctx, "secret-1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("removed key still works: %v", err)
	}
	for i := range MaxPublishKeys {
		if err := d.PutPublishKey(ctx, b.ID, fmt.Sprint("b", i), "", fmt.Sprint("b-secret-", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.PutPublishKey(ctx, b.ID, "b-over", "", "b-secret-over"); !errors.Is(err, ErrTooManyKeys) {
		t.Fatalf("key over the limit: %v", err)
	}
}
