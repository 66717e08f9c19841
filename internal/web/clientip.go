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
// read through its X-Forwarded-For from the right, past the trusted proxies: the first address
// that is not one is the client (what stands left of it, the client may have written itself).
// From anyone else the header is ignored.
func (h *handler) clientIP(c *fiber.Ctx) string {
	peer, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok || !h.trusted(peer) {
		return c.Context().RemoteIP().String()
	}
	hops := strings.Split(c.Get(fiber.HeaderXForwardedFor), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if !h.trusted(a) {
			return a.Unmap().String()
		}
	}
	return peer.Unmap().String()
}
