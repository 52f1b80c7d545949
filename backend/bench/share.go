package bench

// Share-code redemptions for the load: a Ward server with accounts and
// sharing, wired as `ward serve` wires one, on loopback, holding one
// share per load client of a generated record of ShareResources
// resources. A redemption is what a clinician's browser does with the
// emailed code: POST /api/share/open (code, date of birth, name) and then
// the first page, GET /api/summary, with the share cookie.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/ward-health/ward/backend/accounts"
	"github.com/ward-health/ward/backend/api"
	"github.com/ward-health/ward/backend/demo"
	"github.com/ward-health/ward/backend/mail"
	"github.com/ward-health/ward/backend/passwords"
	"github.com/ward-health/ward/backend/serverkey"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/share"
	"github.com/ward-health/ward/backend/signin"
	"github.com/ward-health/ward/backend/store"
)

// ShareResources is the size of the record each share holds: about the
// 1 MiB Ward takes as a share's typical size.
const ShareResources = 1000

// shareServer is the sharing server under load.
type shareServer struct {
	h        http.Handler
	base     string
	contents *store.Contents // what each share holds
	codes    []string        // one share per client
	sealed   int             // bytes of one share's sealed copy
	close    func()
}

// discard is a mail sender that sends nothing: the patient's "your share
// was opened" email is queued, as on a real server, and never sent.
type discard struct{}

func (discard) Send(context.Context, mail.Message) error { return nil }

// newShareServer sets up the server in dir with shares shares and serves
// it on 127.0.0.1. 127.0.0.1 is its trusted proxy: each load client
// names itself in X-Forwarded-For, as clinicians behind a reverse proxy
// are named, so each has its own count of tries (nothing is turned off:
// the limits per address and for everyone stand).
func newShareServer(ctx context.Context, dir string, shares int, version string) (*shareServer, error) {
	keys, err := serverkey.Create(filepath.Join(dir, "accounts.key"))
	if err != nil {
		return nil, err
	}
	db, err := accounts.Open(filepath.Join(dir, "accounts.db"), keys.Accounts(), nil)
	if err != nil {
		return nil, err
	}
	vaults := session.NewRegistry(session.RegistryOptions{Idle: signin.DefaultIdle})
	closeAll := func() { vaults.Close(); db.Close() }
	fail := func(err error) (*shareServer, error) { closeAll(); return nil, err }
	ob, err := mail.NewOutbox(db.SQL(), discard{}, nil, mail.WithSealer(db.Sealer("mail")))
	if err != nil {
		return fail(err)
	}
	svc := signin.New(signin.Options{Accounts: db, Vaults: vaults, Dir: dir, Outbox: ob,
		Limiter: passwords.NewLimiter(0), Policy: signin.Policy{Idle: signin.DefaultIdle}})
	sh, err := share.New(share.Options{Accounts: db, LookupKey: keys.ShareLookup()})
	if err != nil {
		return fail(err)
	}
	acct, err := db.Create(ctx, "patient@bench.invalid", "")
	if err != nil {
		return fail(err)
	}
	contents, err := demoContents(ShareResources)
	if err != nil {
		return fail(err)
	}
	s := &shareServer{contents: contents}
	for range shares {
		made, code, err := sh.Create(ctx, acct.ID, contents, share.Recipient{Name: "Dr Bench", Email: "clinician@bench.invalid"},
			[]string{share.Everything}, share.MaxTTL)
		if err != nil {
			return fail(err)
		}
		row, err := db.ShareByID(ctx, made.ID)
		if err != nil {
			return fail(err)
		}
		s.codes, s.sealed = append(s.codes, code), len(row.Sealed)
	}
	s.h = api.New(api.Options{Version: version, Accounts: svc, CookieKeys: keys.Cookie, LoopbackOnly: true,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
		Sharing:        &api.Sharing{Service: sh, Accounts: db, Outbox: ob, Dir: dir, LookupKey: keys.ShareLookup()}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(fmt.Errorf("listen on loopback: %w", err))
	}
	srv := &http.Server{Handler: s.h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	s.base = "http://" + ln.Addr().String()
	s.close = func() { srv.Close(); closeAll() }
	return s, nil
}

// demoContents is a generated record as a vault's contents.
func demoContents(n int) (*store.Contents, error) {
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	rs, err := demo.Generate(demo.Options{Seed: 2, Now: now, Resources: n})
	if err != nil {
		return nil, err
	}
	c := &store.Contents{Sources: []store.Source{{Name: demo.OrganisationName, LastUpdated: now}}}
	for _, r := range rs {
		c.Records = append(c.Records, store.Record{Source: demo.OrganisationName, Item: store.Item{Type: r.Type, ID: r.ID, Raw: r.Raw}})
	}
	return c, nil
}

// clinicianAddr is the address load client i names itself by.
func clinicianAddr(i int) string { return fmt.Sprintf("10.77.%d.%d", i/250, i%250+1) }

// redeemer gives load client i's redemption: its own browser (cookie
// jar) and address, and its own share.
func (s *shareServer) redeemer(tr http.RoundTripper, i int) func(ctx context.Context) (int, error) {
	jar, _ := cookiejar.New(nil) // never fails without options
	c := &http.Client{Transport: tr, Jar: jar, Timeout: 30 * time.Second}
	body, _ := json.Marshal(map[string]string{"code": s.codes[i%len(s.codes)], "birthDate": demo.PatientBirthDate, "name": "Dr Bench"})
	from := clinicianAddr(i)
	return func(ctx context.Context) (int, error) {
		r, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/api/share/open", bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Origin", s.base)
		r.Header.Set("X-Forwarded-For", from)
		status, err := send(c, r)
		if err != nil || status != http.StatusOK {
			return status, err
		}
		if r, err = http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/api/summary", nil); err != nil {
			return 0, err
		}
		r.Header.Set("X-Forwarded-For", from)
		return send(c, r)
	}
}

func send(c *http.Client, r *http.Request) (int, error) {
	resp, err := c.Do(r)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, err
}

// openMS is POST /api/share/open through the handler in process, one at
// a time, with no other load: the median of up to n tries or d. Each
// sends the cookie the last one set, as a browser opening the share
// again does (the old view ends, so they do not pile up).
func (s *shareServer) openMS(ctx context.Context, n int, d time.Duration) (float64, error) {
	body, _ := json.Marshal(map[string]string{"code": s.codes[0], "birthDate": demo.PatientBirthDate, "name": "Dr Bench"})
	var ds []time.Duration
	var cookies []*http.Cookie
	start := time.Now()
	for i := 0; i < n+2 && (i < 3 || time.Since(start) < d); i++ {
		r := httptest.NewRequestWithContext(ctx, http.MethodPost, s.base+"/api/share/open", bytes.NewReader(body))
		r.RemoteAddr = "192.0.2.1:4000"
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Origin", s.base)
		for _, c := range cookies {
			r.AddCookie(c)
		}
		w := httptest.NewRecorder()
		t := time.Now()
		s.h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			return 0, fmt.Errorf("POST /api/share/open: status %d: %s", w.Code, truncate(w.Body.String(), 200))
		}
		if i >= 2 { // two warm-ups
			ds = append(ds, time.Since(t))
		}
		cookies = w.Result().Cookies()
	}
	return pct(ds, 0.5), nil
}

// shareMeasured is what is measured of the sharing server before the
// load.
type shareMeasured struct {
	s               *shareServer
	openMS, floorMS float64
}

// shareStep starts the sharing server for the load (in a folder of its
// own under the run's), measures a redemption alone and its floor, and
// gives the mix's redemption step; done stops the server.
func (b *bencher) shareStep(ctx context.Context, tr http.RoundTripper, resources int) (step, shareMeasured, func(), error) {
	b.logf("%d: a sharing server with %d shares of %d resources", resources, b.opt.Clients, ShareResources)
	dir := filepath.Join(b.tmp, "share")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return step{}, shareMeasured{}, nil, err
	}
	s, err := newShareServer(ctx, dir, b.opt.Clients, b.opt.Version)
	if err != nil {
		return step{}, shareMeasured{}, nil, fmt.Errorf("sharing server: %w", err)
	}
	m := shareMeasured{s: s}
	if m.openMS, err = s.openMS(ctx, b.opt.ReadRequests, b.opt.ReadDuration); err == nil {
		m.floorMS, err = redeemFloor(ctx, dir, s.contents)
	}
	if err != nil {
		s.close()
		return step{}, shareMeasured{}, nil, err
	}
	st := step{name: "share redemption: " + strings.Join(redemptionSteps, " then "),
		share: func(c int) func(context.Context) (int, error) { return s.redeemer(tr, c) }}
	return st, m, s.close, nil
}

// note says how the redemptions are in a mix of steps steps.
func (m shareMeasured) note(steps int) string {
	return fmt.Sprintf("%s, 1 step in %d of the mix: %d shares (one per client) of %d resources, %s sealed, on a server with accounts (clients named by X-Forwarded-For from its trusted proxy, 127.0.0.1)",
		strings.Join(redemptionSteps, " then "), steps, len(m.s.codes), ShareResources, kib(int64(m.s.sealed)))
}

// fill puts what was measured before the load into l.
func (m shareMeasured) fill(l *ShareLoad) {
	l.Shares, l.Resources, l.SealedBytes = len(m.s.codes), ShareResources, m.s.sealed
	l.OpenMS, l.FloorMS, l.FloorRatio = m.openMS, m.floorMS, m.openMS/m.floorMS
}

// redemptionSteps are a redemption's requests, for the report.
var redemptionSteps = []string{"POST /api/share/open", "GET /api/summary"}

// redeemFloor is the least a redemption of a share of c must do, with
// nothing of Ward, on the same bytes: read the row holding the sealed
// copy from SQLite by a 32-byte key (the store's PRAGMAs), open a
// ciphertext of the same plaintext with XChaCha20-Poly1305, and decode
// that plaintext with encoding/json (a RawMessage per resource). Each is
// the best of up to three runs of ten, per redemption.
func redeemFloor(ctx context.Context, dir string, c *store.Contents) (float64, error) {
	up, code, err := share.Prepare(c, []string{share.Everything})
	if err != nil {
		return 0, err
	}
	sc, err := share.ParseCode(code)
	if err != nil {
		return 0, err
	}
	plain, err := share.Open(sc, up.Salt, up.ID, up.Sealed)
	sc.Destroy()
	if err != nil {
		return 0, err
	}
	const reps = 10
	per := func(f func() error) func() (time.Duration, error) {
		return func() (time.Duration, error) {
			start := time.Now()
			for range reps {
				if err := f(); err != nil {
					return 0, err
				}
			}
			return time.Since(start) / reps, nil
		}
	}
	aead, err := chacha20poly1305.NewX(randomBytes(chacha20poly1305.KeySize))
	if err != nil {
		return 0, err
	}
	nonce, ad := randomBytes(aead.NonceSize()), []byte("floor")
	sealed := aead.Seal(nil, nonce, plain, ad)
	open, err := best(ctx, per(func() error { _, err := aead.Open(nil, nonce, sealed, ad); return err }))
	if err != nil {
		return 0, fmt.Errorf("share floor: open: %w", err)
	}
	decode, err := best(ctx, per(func() error {
		var v struct {
			Sources []struct {
				Resources []json.RawMessage `json:"resources"`
			} `json:"sources"`
		}
		dec := json.NewDecoder(bytes.NewReader(plain))
		for {
			if err := dec.Decode(&v); errors.Is(err, io.EOF) {
				return nil
			} else if err != nil {
				return err
			}
		}
	}))
	if err != nil {
		return 0, fmt.Errorf("share floor: decode: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "share-floor.db")+"?mode=rwc"+
		"&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"+
		"&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)&_txlock=immediate")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	key := randomBytes(32)
	if _, err := db.ExecContext(ctx, `CREATE TABLE shares (lookup BLOB PRIMARY KEY, sealed BLOB NOT NULL) STRICT`); err != nil {
		return 0, err
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO shares VALUES (?, ?)`, key, randomBytes(len(up.Sealed))); err != nil {
		return 0, err
	}
	read, err := best(ctx, per(func() error {
		var b []byte
		return db.QueryRowContext(ctx, `SELECT sealed FROM shares WHERE lookup = ?`, key).Scan(&b)
	}))
	if err != nil {
		return 0, fmt.Errorf("share floor: sqlite: %w", err)
	}
	return ms(open + decode + read), nil
}
