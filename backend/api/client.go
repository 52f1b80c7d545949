package api

import (
	"net"
	"net/http"
	"net/netip"
)

// clientIP is the address a request came from, as its connection says
// (RemoteAddr): "unknown" when there is none. X-Forwarded-For is never read:
// Ward has no setting naming a proxy it trusts, and without one the header
// says whatever the client wrote. Behind a reverse proxy every request
// comes from the proxy's address.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Unmap().WithZone("").String()
	}
	if host == "" {
		return "unknown"
	}
	return host
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
	h.opt.Logger.Info(event, append([]any{"client", clientIP(r)}, attrs...)...)
}
