package api

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientIP is the address a request came from: "unknown" when there is none.
//
// The connection's address (RemoteAddr) is believed first. X-Forwarded-For
// is read only when that address is one of the proxies the operator named
// (--trusted-proxy): anyone else can write whatever they like in the
// header, and a stranger who could pick their own address would get a
// fresh allowance of password guesses with each request. Even from a
// trusted proxy, the header is read from the right: each trusted hop
// appends the address it saw, so the first address from the right that is
// not itself a trusted proxy is the client; anything to its left was
// written by the client and is ignored.
func (h *handler) clientIP(r *http.Request) string {
	peer := remoteIP(r.RemoteAddr)
	if !h.trusted(peer) {
		if !peer.IsValid() {
			if r.RemoteAddr == "" {
				return "unknown"
			}
			return r.RemoteAddr
		}
		return peer.String()
	}
	hops := forwardedFor(r.Header.Values("X-Forwarded-For"))
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(hops[i])
		if err != nil {
			break // a garbled hop: stop at the last address we can vouch for
		}
		a = a.Unmap().WithZone("")
		if !h.trusted(a) {
			return a.String()
		}
		peer = a
	}
	return peer.String()
}

// trusted reports whether a is one of the operator's proxies.
func (h *handler) trusted(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	for _, p := range h.opt.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// remoteIP parses a connection's "host:port" (or bare host).
func remoteIP(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap().WithZone("")
}

// forwardedFor splits X-Forwarded-For headers (there may be several) into
// their addresses, in order. A header longer than any real chain of
// proxies is cut to its last 32 hops: the rest were the client's.
func forwardedFor(values []string) []string {
	var hops []string
	for _, v := range values {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				hops = append(hops, strings.Trim(p, "[]"))
			}
		}
	}
	if len(hops) > 32 {
		hops = hops[len(hops)-32:]
	}
	return hops
}

// guesser names the client whose wrong guesses are counted together: an
// IPv4 address, or an IPv6 address's /64. One home or one server is given
// a whole /64, and could otherwise guess afresh from each address in it.
func guesser(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Is4() {
		return ip
	}
	p, err := a.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}

// security logs an event of the security log (unlocks, lockouts, locks,
// imports) at Info, with the client's address. Callers add only outcomes,
// sizes and counts: never a secret, a token, a file's name or a query
// string, any of which may name the patient or let someone in.
func (h *handler) security(event string, r *http.Request, attrs ...any) {
	h.opt.Logger.Info(event, append([]any{"client", h.clientIP(r)}, attrs...)...)
}

// ParseProxies reads --trusted-proxy: addresses or CIDR ranges,
// comma-separated.
func ParseProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, &ProxyError{Value: s}
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// ProxyError is a --trusted-proxy value that is neither an address nor a
// CIDR range.
type ProxyError struct{ Value string }

func (e *ProxyError) Error() string {
	return "--trusted-proxy " + e.Value + " is not an address or a range such as 10.0.0.0/8"
}
