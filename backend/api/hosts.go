package api

import (
	"net"
	"strings"
)

// knownHost reports whether a Host header names this Ward: a loopback name
// (only a browser on this computer sends one), or one of PublicHosts. A
// public host given without a port matches on any port, since a proxy or
// a port mapping may sit in between; one given with a port matches only it.
func (h *handler) knownHost(host string) bool {
	if loopbackHost(host) {
		return true
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	name := host
	if n, _, err := net.SplitHostPort(host); err == nil {
		name = n
	}
	name = strings.TrimSuffix(name, ".")
	for _, p := range h.opt.PublicHosts {
		p = strings.TrimSuffix(strings.ToLower(p), ".")
		if _, _, err := net.SplitHostPort(p); err == nil {
			if host == p {
				return true
			}
		} else if name == strings.Trim(p, "[]") || name == p {
			return true
		}
	}
	return false
}

// wrongHost says where to open Ward instead.
func (h *handler) wrongHost() string {
	if len(h.opt.PublicHosts) > 0 {
		return "Open Ward at https://" + h.opt.PublicHosts[0] + "/."
	}
	return "Open Ward at http://localhost or http://127.0.0.1."
}
