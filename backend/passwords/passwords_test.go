package passwords

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name, pw string
		hints    []string
		want     error
	}{
		{"short", "abc", nil, ErrTooShort},
		{"long", strings.Repeat("ab", 65), nil, ErrTooLong},
		{"common", "password", nil, ErrGuessable},
		{"common2", "qwertyuiop", nil, ErrGuessable},
		{"email", "alice@example.org", []string{"alice@example.org"}, ErrGuessable},
		{"passphrase", "correct lantern ostrich vinegar", []string{"bob@example.org"}, nil},
		{"unicode", "наш сад цветёт весной", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Check(tt.pw, tt.hints...); !errors.Is(err, tt.want) {
				t.Fatalf("Check(%q) = %v, want %v", tt.pw, err, tt.want)
			}
		})
	}
}

func TestLimiterCancel(t *testing.T) {
	l := NewLimiter(1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	if err := l.Do(ctx, func() { ran = true }); !errors.Is(err, context.Canceled) || ran {
		t.Fatal(err, ran)
	}
	if err := l.Do(context.Background(), func() { ran = true }); err != nil || !ran {
		t.Fatal(err)
	}
}

func BenchmarkDummy(b *testing.B) {
	l := NewLimiter(0)
	for b.Loop() {
		Dummy(context.Background(), l, []byte("some password"))
	}
}
