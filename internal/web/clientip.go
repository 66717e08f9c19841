package web

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// parseProxies reads the trusted proxies (addresses or CIDR prefixes); config has checked them.
func parseProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, err
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

func (h *handler) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range h.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientIP is the address of the person behind the request. A request from a trusted proxy is
// read through its X-Forwarded-For headers (every line, in order, as proxies that add a line
// rather than extend one write them) from the right, past the trusted proxies: the first hop
// that is not one is the client, as the last trusted proxy saw it (what stands left of it, the
// client may have written itself). From anyone else the header is ignored.
func (h *handler) clientIP(c *fiber.Ctx) string {
	peer, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok || !h.trusted(peer) {
		return c.Context().RemoteIP().String()
	}
	var hops []string
	for _, line := range c.Request().Header.PeekAll(fiber.HeaderXForwardedFor) {
		hops = append(hops, strings.Split(string(line), ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		a, err := parseHop(hop)
		if err != nil {
			// Written by a trusted proxy ("unknown", an obfuscated name): the client's key is
			// what the proxy wrote, not the proxy's own address, which every client would share.
			return "hop:" + clip(hop, 64)
		}
		if !h.trusted(a) {
			return a.Unmap().String()
		}
	}
	return peer.Unmap().String()
}

// parseHop reads an X-Forwarded-For entry: an address, with or without a port.
func parseHop(hop string) (netip.Addr, error) {
	if ap, err := netip.ParseAddrPort(hop); err == nil {
		return ap.Addr(), nil
	}
	return netip.ParseAddr(strings.Trim(hop, "[]"))
}

// clientKey is what limits count per client: the client's address, or its /64 for IPv6, since
// one subscriber holds a whole /64.
func (h *handler) clientKey(c *fiber.Ctx) string {
	ip := h.clientIP(c)
	if a, err := netip.ParseAddr(ip); err == nil && a.Is6() && !a.Is4In6() {
		return netip.PrefixFrom(a, 64).Masked().String()
	}
	return ip
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
