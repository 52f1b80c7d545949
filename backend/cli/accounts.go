package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/ward-health/ward/backend/accounts"
	"github.com/ward-health/ward/backend/api"
	"github.com/ward-health/ward/backend/config"
	"github.com/ward-health/ward/backend/mail"
	"github.com/ward-health/ward/backend/passwords"
	"github.com/ward-health/ward/backend/serverkey"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/share"
	"github.com/ward-health/ward/backend/signin"
	"github.com/ward-health/ward/backend/vault"
)

// accountsServer is what `ward serve` runs on a folder made by `ward admin
// init`: the accounts database, a registry of the patients' vaults, the
// mail outbox and the sign-in flows.
type accountsServer struct {
	db      *accounts.DB
	keys    *serverkey.Keys
	vaults  *session.Registry
	outbox  *mail.Outbox
	service *signin.Service
	shares  *share.Service
	dir     string
}

// purgeEvery is how often the ciphertext of ended shares is deleted.
const purgeEvery = 10 * time.Minute

// sharing is the API's sharing: share.Service with the look-up key from
// the key file, the outbox for the emails, the folder of the vaults.
func (s *accountsServer) sharing() *api.Sharing {
	return &api.Sharing{Service: s.shares, Accounts: s.db, Outbox: s.outbox, Dir: s.dir, LookupKey: s.keys.ShareLookup()}
}

// purgeShares deletes, every purgeEvery until ctx ends, the sealed copies
// of shares that expired, were revoked or were locked.
func purgeShares(ctx context.Context, db *accounts.DB, log *slog.Logger) {
	t := time.NewTicker(purgeEvery)
	defer t.Stop()
	for {
		if n, err := db.PurgeEndedShares(ctx, time.Now()); err != nil && ctx.Err() == nil {
			log.Error("purge ended shares", "err", err)
		} else if n > 0 {
			log.Info("purged ended shares", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// policyOf turns the config's accounts section into sign-in rules.
func policyOf(cfg config.Config, publicURL string) (signin.Policy, error) {
	ac := cfg.Accounts
	if ac.IdleMinutes < 0 || ac.IdleMinutes > 240 {
		return signin.Policy{}, errors.New("accounts.idleMinutes must be from 1 to 240")
	}
	p := signin.Policy{
		Organisation:       cfg.Organisation.Name,
		EmptyRecordAllowed: ac.Household,
		OrgReset:           !ac.Household && ac.ResetAllowed,
		TwoStepRequired:    ac.TwoStepRequired,
		Idle:               time.Duration(ac.IdleMinutes) * time.Minute,
		PublicURL:          ac.PublicURL,
	}
	if publicURL != "" {
		p.PublicURL = publicURL
	}
	return p, nil
}

func openAccountsServer(ctx context.Context, dir string, cfg config.Config, publicURL string, log *slog.Logger) (*accountsServer, error) {
	if cfg.Accounts.SMTP.Host == "" {
		return nil, errors.New("an accounts server sends verification codes by email: give --config FILE with \"accounts\": {\"smtp\": {\"host\", \"port\", \"from\"}}")
	}
	if err := cfg.Accounts.SMTP.Validate(); err != nil {
		return nil, fmt.Errorf("the config's accounts.smtp: %w", err)
	}
	policy, err := policyOf(cfg, publicURL)
	if err != nil {
		return nil, err
	}
	db, keys, err := openAccounts(dir)
	if err != nil {
		return nil, err
	}
	ob, err := mail.NewOutbox(db.SQL(), &mail.SMTP{Settings: cfg.Accounts.SMTP}, nil,
		mail.WithSealer(db.Sealer("mail")), mail.WithLogger(log))
	if err != nil {
		db.Close()
		return nil, err
	}
	if policy.Idle <= 0 {
		policy.Idle = signin.DefaultIdle
	}
	if cfg.Accounts.MaxOpenRecords < 0 {
		db.Close()
		return nil, errors.New("accounts.maxOpenRecords must be 1 or more (0 means the default, 64)")
	}
	vaults := session.NewRegistry(session.RegistryOptions{Idle: policy.Idle, MaxViews: cfg.Accounts.MaxOpenRecords})
	var records *vault.KEK
	if cfg.Accounts.ServerKeySlot {
		if records, err = vault.LoadOrCreateKEK(filepath.Join(dir, recordsKey)); err != nil {
			db.Close()
			return nil, err
		}
		log.Warn("accounts.serverKeySlot is on: each record is also wrapped by " + recordsKey + ", which opens it without the patient; keep that file out of the folder's backups")
	}
	svc := signin.New(signin.Options{
		Accounts: db, Vaults: vaults, Dir: dir, Outbox: ob,
		Limiter: passwords.NewLimiter(0), Policy: policy, Logger: log, RecordsKey: records,
	})
	shares, err := share.New(share.Options{Accounts: db, LookupKey: keys.ShareLookup()})
	if err != nil {
		db.Close()
		return nil, err
	}
	go ob.Run(ctx)
	go purgeShares(ctx, db, log)
	return &accountsServer{db: db, keys: keys, vaults: vaults, outbox: ob, service: svc, shares: shares, dir: dir}, nil
}

func (s *accountsServer) Close() error {
	return errors.Join(s.vaults.Close(), s.db.Close())
}

// publicURL reads --public-url: where browsers reach Ward, https unless it
// is this computer.
func parsePublicURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("--public-url %q is not a URL like https://ward.example.org", s)
	}
	if u.Scheme == "http" && !loopbackName(u.Hostname()) {
		return nil, fmt.Errorf("--public-url %q must be https: patients' passwords and records cross the network", s)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

func loopbackName(h string) bool {
	return h == "localhost" || h == "127.0.0.1" || h == "::1" || strings.HasSuffix(h, ".localhost")
}
