package api

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
)

// negotiate picks the reader's language before anything can be refused: the Accept-Language
// header, then (once the token is read) the user's preference, then the desk's default.
func (s *server) negotiate(c *fiber.Ctx) error {
	cl := &caller{Lang: i18n.Negotiate("", "", c.Get(fiber.HeaderAcceptLanguage), ""), bundle: s.Bundle, log: s.Log}
	if cl.Lang == "" {
		cl.Lang = s.Config.DefaultLang
	}
	c.SetUserContext(context.WithValue(c.UserContext(), callerKey{}, cl))
	c.Set(fiber.HeaderContentLanguage, cl.Lang)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}

// authenticate reads the bearer token: the access version, then (when it moved since the
// token's last request) one indexed read of its hash, the user's tenants and rights, once for
// the request. A read-only token may only read; every token is limited
// in requests per minute.
func (s *server) authenticate(c *fiber.Ctx) error {
	if public(c.Path()) {
		return c.Next()
	}
	cl := callerOf(c.UserContext())
	auth := c.Get(fiber.HeaderAuthorization)
	scheme, secret, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="guichet"`)
		return s.problem(c, fiber.StatusUnauthorized, refuse(fiber.StatusUnauthorized, "api.problem.token_missing"))
	}
	// The access version first: the token, its user and their access are read again only
	// when something they are made of changed.
	ctx, err := s.Identity.ReadAccess(c.UserContext())
	if err != nil {
		return err
	}
	c.SetUserContext(ctx)
	tok, u, err := s.Identity.TokenUser(ctx, strings.TrimSpace(secret), s.Config.StaffTwoFactorRequired())
	switch {
	case errors.Is(err, identity.ErrTokenInvalid):
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="guichet", error="invalid_token"`)
		return s.problem(c, fiber.StatusUnauthorized, err)
	case errors.Is(err, identity.ErrTokenNeedsTwoFactor):
		return s.problem(c, fiber.StatusForbidden, err)
	case err != nil:
		return err
	}
	if wait := s.limiter.take(tok.ID, time.Now()); wait > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		return s.problem(c, fiber.StatusTooManyRequests, refuse(fiber.StatusTooManyRequests, "api.problem.rate"))
	}
	actor, err := s.Tenancy.Resolve(c.UserContext(), u)
	if err != nil {
		return err
	}
	cl.Actor, cl.User, cl.Token = actor, u, tok
	c.SetUserContext(audit.WithActor(c.UserContext(), u.ID))
	if l := i18n.Negotiate("", "", c.Get(fiber.HeaderAcceptLanguage), ""); l == "" && identity.ValidLang(u.Lang) {
		cl.Lang = u.Lang
		c.Set(fiber.HeaderContentLanguage, cl.Lang)
	}
	if !tok.CanWrite() && c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		return s.problem(c, fiber.StatusForbidden, refuse(fiber.StatusForbidden, "api.problem.read_only"))
	}
	return c.Next()
}

// limiter is a token bucket per API token, in this process: rate requests a minute, with
// bursts of up to a quarter of that.
type limiter struct {
	mu      sync.Mutex
	rate    float64 // per second
	burst   float64
	buckets map[int64]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(perMinute int) *limiter {
	if perMinute <= 0 {
		perMinute = 600
	}
	return &limiter{rate: float64(perMinute) / 60, burst: max(float64(perMinute)/4, 1), buckets: map[int64]*bucket{}}
}

// take spends one request of token id; it returns how long to wait when none is left.
func (l *limiter) take(id int64, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > 10*time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.at) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[id]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[id] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	}
	b.tokens--
	return 0
}
