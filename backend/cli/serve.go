package cli

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/ward-health/ward/backend/api"
	"github.com/ward-health/ward/backend/server"
)

// serveFlags are serve's own: where to listen and how others reach it.
type serveFlags struct {
	addr        string
	publicHosts string
	behindProxy bool
	tlsCert     string
	tlsKey      string
	proxies     string
	publicURL   string
}

func (s *serveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.addr, "addr", "127.0.0.1:8080", "address to listen on (host:port); beyond this computer it needs TLS and --public-host")
	fs.StringVar(&s.publicHosts, "public-host", "", "the host name(s) browsers use to reach Ward, comma-separated (needed beyond loopback); requests for other names are refused")
	fs.BoolVar(&s.behindProxy, "behind-tls-proxy", false, "a proxy in front of Ward terminates TLS (needed beyond loopback without --tls-cert)")
	fs.StringVar(&s.tlsCert, "tls-cert", "", "serve HTTPS with this certificate file (PEM; with --tls-key)")
	fs.StringVar(&s.tlsKey, "tls-key", "", "the certificate's private key file (PEM)")
	fs.StringVar(&s.publicURL, "public-url", "", "where browsers reach Ward (https://NAME behind a TLS proxy): sets --public-host and --behind-tls-proxy, and the links in emails")
	fs.StringVar(&s.proxies, "trusted-proxy", "", "reverse proxies (addresses or CIDR ranges, comma-separated) whose X-Forwarded-For names the client; without it the header is ignored")
}

// exposure is who can reach a listener: decided from the address it is
// bound to, never from the --addr text (a name may resolve anywhere).
type exposure int

const (
	loopbackOnly  exposure = iota // this computer only
	oneInterface                  // one address of this computer's network
	allInterfaces                 // 0.0.0.0 or [::]: every network it is on
)

func exposureOf(addr net.Addr) exposure {
	tcp, ok := addr.(*net.TCPAddr)
	switch {
	case !ok || tcp.IP == nil || tcp.IP.IsUnspecified():
		return allInterfaces
	case tcp.IP.IsLoopback():
		return loopbackOnly
	}
	return oneInterface
}

func runServe(ctx context.Context, args []string, env Env) error {
	fs := newFlags("serve")
	var a appFlags
	var s serveFlags
	a.register(fs)
	s.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	hosts, err := parseHosts(s.publicHosts)
	if err != nil {
		return err
	}
	pub, err := parsePublicURL(s.publicURL)
	if err != nil {
		return err
	}
	if pub != nil {
		hosts = append(hosts, strings.ToLower(pub.Host))
		if pub.Scheme == "https" && s.tlsCert == "" {
			s.behindProxy = true
		}
	}
	proxies, err := api.ParseProxies(s.proxies)
	if err != nil {
		return err
	}
	if err := server.CheckTLS(s.tlsCert, s.tlsKey); err != nil {
		return err
	}
	cfg, err := a.prepare()
	if err != nil {
		return err
	}
	ln, err := server.Listen(s.addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	exp := exposureOf(ln.Addr())
	tls := s.tlsCert != ""
	if exp != loopbackOnly {
		if err := s.checkBeyondLoopback(ln.Addr(), len(hosts) > 0, tls); err != nil {
			return err
		}
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	opt := api.Options{
		Config:  cfg,
		Version: env.Version,
		Assets:  env.Assets,
		Logger:  log,
		// Host names are always checked: loopback names, and the public
		// ones given (DNS rebinding).
		LoopbackOnly: true,
		PublicHosts:  hosts,
		// Only these proxies' X-Forwarded-For is believed, so guesses
		// are counted per client behind them, not all against the proxy.
		TrustedProxies: proxies,
		// Setting up a vault from the page is for this computer's own
		// user: not where others can reach Ward, where the first visitor
		// would choose the password (use "ward vault init" there).
		AllowSetup: exp == loopbackOnly && len(hosts) == 0 && !s.behindProxy,
	}
	if !a.demo && isAccountsServer(a.data) {
		pubText := ""
		if pub != nil {
			pubText = pub.String()
		}
		as, err := openAccountsServer(ctx, a.data, cfg, pubText, log)
		if err != nil {
			return err
		}
		defer as.Close()
		opt.Accounts, opt.CookieKeys = as.service, as.keys.Cookie
		opt.Sharing = as.sharing()
		opt.SecureCookies = tls || (pub != nil && pub.Scheme == "https")
		opt.AllowSetup = false
		fmt.Fprintf(env.Stderr, "ward: an accounts server: each patient signs in to their own record\n")
	} else {
		m, err := a.openVault(ctx, env)
		if err != nil {
			return err
		}
		defer m.Close()
		opt.Vault = m
	}
	h := api.New(opt)
	scheme := "http"
	if tls {
		scheme = "https"
	}
	switch exp {
	case allInterfaces:
		fmt.Fprintf(env.Stderr, "ward: listening on every network interface (%s): other machines can reach this server\n", ln.Addr())
	case oneInterface:
		fmt.Fprintf(env.Stderr, "ward: listening on %s: other machines on that network can reach this server\n", ln.Addr())
	}
	if len(hosts) > 0 {
		fmt.Fprintf(env.Stderr, "ward: browsers reach it at https://%s/ (other host names are refused)\n", hosts[0])
	}
	fmt.Fprintf(env.Stderr, "ward: serving on %s://%s/ (press Ctrl+C to stop)\n", scheme, ln.Addr())
	sopt := server.Options{SlowBody: isImport, CertFile: s.tlsCert, KeyFile: s.tlsKey}
	if err := server.Serve(ctx, ln, h, sopt); err != nil {
		return err
	}
	fmt.Fprintln(env.Stderr, "ward: stopped")
	return nil
}

// checkBeyondLoopback refuses to serve where other machines can reach Ward
// unless records travel encrypted and the host names are known. Ward only
// terminates TLS itself with --tls-cert; a proxy may do it instead.
func (s *serveFlags) checkBeyondLoopback(addr net.Addr, hosts, tls bool) error {
	var need []string
	if !tls && !s.behindProxy {
		need = append(need, "TLS (give --tls-cert FILE and --tls-key FILE, or --behind-tls-proxy when a proxy in front of Ward terminates TLS)")
	}
	if !hosts {
		need = append(need, "the name browsers use (--public-host NAME)")
	}
	if len(need) == 0 {
		return nil
	}
	return fmt.Errorf("refusing to serve on %s: other machines can reach that address, so Ward needs %s; to serve this computer only, use --addr 127.0.0.1:8080", addr, strings.Join(need, " and "))
}

// parseHosts reads --public-host: names (or name:port) without a scheme
// or a path, compared without case.
func parseHosts(list string) ([]string, error) {
	var hosts []string
	for _, h := range strings.Split(list, ",") {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			continue
		}
		if strings.Contains(h, "://") || strings.ContainsAny(h, "/ ?#@") {
			return nil, fmt.Errorf("--public-host %q is not a host name: give the name alone, for example ward.example.org", h)
		}
		hosts = append(hosts, strings.TrimSuffix(h, "."))
	}
	return hosts, nil
}

// isImport picks the requests whose bodies may be a 1 GB file.
func isImport(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == "/api/imports"
}
