package browserauth

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// Status goes waiting → done/failed/expired, reports the end once with the
// result or the Ceremony's own error, then forgets the flow.
func TestStatusTransitions(t *testing.T) {
	errWrong := errors.New("wrong passkey")
	for _, tc := range []struct {
		name   string
		c      *fake
		posts  []string // actions, each with the credential as body
		codes  []int
		state  string
		result any
		err    error
	}{
		{"untouched", &fake{kind: KindGet}, nil, nil, StateWaiting, nil, nil},
		{"begun", &fake{kind: KindGet}, []string{"begin"}, []int{200}, StateWaiting, nil, nil},
		{"done", &fake{kind: KindGet, result: map[string]string{"token": "t"}}, []string{"begin", "finish"}, []int{200, 200}, StateDone, map[string]string{"token": "t"}, nil},
		{"finish fails", &fake{kind: KindGet, finishErr: errWrong}, []string{"begin", "finish", "finish"}, []int{200, 400, 0}, StateFailed, nil, errWrong},
		{"begin fails", &fake{kind: KindCreate, beginErr: errWrong}, []string{"begin"}, []int{400}, StateFailed, nil, errWrong},
		{"bad options", &fake{kind: KindGet, next: &Next{CeremonyID: "c2", Kind: "both", Options: json.RawMessage(`{}`)}}, []string{"begin", "finish"}, []int{200, 400}, StateFailed, nil, nil},
		{"too many steps", &fake{kind: KindCreate, next: &Next{CeremonyID: "c2", Kind: KindGet, Options: json.RawMessage(`{}`)}, result: Next{CeremonyID: "c3", Kind: KindGet, Options: json.RawMessage(`{}`)}},
			[]string{"begin", "finish", "finish"}, []int{200, 200, 400}, StateFailed, nil, ErrTooManySteps},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, tc.c)
			for i, a := range tc.posts {
				if tc.codes[i] == 0 { // the listener is closed by now
					if !s.closed(t) {
						t.Fatal("listener still open")
					}
					continue
				}
				if code, body := s.post(t, a, credential); code != tc.codes[i] {
					t.Fatalf("%s: %d %s", a, code, body)
				} else if strings.Contains(body, "wrong passkey") || strings.Contains(body, "token") {
					t.Fatalf("%s told the browser %s", a, body)
				}
			}
			got, result, err := s.fs.Status(s.id)
			if got != tc.state || (tc.err != nil && !errors.Is(err, tc.err)) || (tc.state != StateFailed && err != nil) || (tc.state == StateFailed && err == nil) {
				t.Fatalf("Status = %q, %v; want %q, %v", got, err, tc.state, tc.err)
			}
			if tc.result != nil && result.(map[string]string)["token"] != "t" {
				t.Fatalf("result %v", result)
			}
			if got == StateWaiting {
				s.wantStatus(t, StateWaiting, nil) // waiting is reported every time
				return
			}
			s.wantStatus(t, "", ErrUnknownFlow)
		})
	}
}

// Start calls the Opener with the URL; a failing Opener fails Start and
// closes the listener; a nil Opener is fine (`ward serve`); a ceremony of
// no known kind is refused.
func TestStart(t *testing.T) {
	var opened string
	fs := New(func(u string) error { opened = u; return errors.New("no browser") }, nil)
	if _, _, err := fs.Start(&fake{kind: KindGet}); err == nil || !strings.Contains(err.Error(), "no browser") {
		t.Fatalf("Start with a failing opener: %v", err)
	}
	s := &started{origin: opened[:strings.Index(opened, "/passkey/")]}
	if !s.closed(t) {
		t.Fatal("listener open after the opener failed")
	}
	if len(fs.flows) != 0 {
		t.Fatal("failed flow kept")
	}

	fs = New(nil, nil)
	id, u, err := fs.Start(&fake{kind: KindCreate})
	if err != nil || id == "" || !strings.HasPrefix(u, "http://localhost:") {
		t.Fatalf("Start without an opener: %q %q %v", id, u, err)
	}
	state := u[strings.LastIndex(u, "/")+1:]
	if len(state) != 43 || len(id) != 43 || state == id || strings.ContainsAny(state+id, "+/=") {
		t.Fatalf("state %q id %q: want 32 random bytes each, base64url", state, id)
	}
	for _, c := range []Ceremony{nil, &fake{kind: "sign"}} {
		if _, _, err := fs.Start(c); err == nil {
			t.Fatalf("Start(%v) accepted", c)
		}
	}
}

// More than MaxFlows: the oldest is closed and forgotten, the rest work.
func TestMaxFlows(t *testing.T) {
	s := start(t, &fake{kind: KindGet})
	for range MaxFlows {
		s.clock.add(time.Second)
		if _, _, err := s.fs.Start(&fake{kind: KindGet}); err != nil {
			t.Fatal(err)
		}
	}
	if !s.closed(t) {
		t.Fatal("oldest listener still open")
	}
	s.wantStatus(t, "", ErrUnknownFlow)
	if n := len(s.fs.flows); n != MaxFlows {
		t.Fatalf("%d flows kept", n)
	}
}
