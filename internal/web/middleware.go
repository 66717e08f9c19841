package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
)

const (
	sessionCookie = "guichet_session"
	anonCookie    = "guichet_anon"
	langCookie    = "lang"
	flashCookie   = "guichet_flash"
)

var errCSRF = errors.New("csrf token missing or wrong")

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals("request_id").(string)
	return id
}

// requestLog gives every request an id and logs one line for it. It never logs form values,
// cookies or the query string, where tokens travel.
func (h *handler) requestLog(c *fiber.Ctx) error {
	start := time.Now()
	id := identity.NewToken()[:12]
	c.Locals("request_id", id)
	c.Set("X-Request-Id", id)
	err := c.Next()
	if err != nil {
		if herr := h.handleError(c, err); herr != nil {
			return herr
		}
	}
	h.Log.Info("request", "request_id", id, "method", c.Method(), "path", logPath(c),
		"status", c.Response().StatusCode(), "duration", time.Since(start))
	return nil
}

func (h *handler) securityHeaders(c *fiber.Ctx) error {
	c.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "same-origin")
	return c.Next()
}

// loadSession finds the logged-in user, if any, and the reader's language.
func (h *handler) loadSession(c *fiber.Ctx) error {
	token := c.Cookies(sessionCookie)
	var pref string
	if token != "" && !wellFormedToken(token) {
		// Not a token this desk made: not worth a query.
		h.clearCookie(c, sessionCookie)
		token = ""
	}
	if token != "" {
		// The access version first: the session, its user and their access are read again
		// only when something they are made of changed since the session's last request.
		ctx, err := h.Identity.ReadAccess(c.UserContext())
		if err != nil {
			return err
		}
		c.SetUserContext(ctx)
		sess, u, err := h.Identity.SessionUser(ctx, token, h.Config.SessionIdle, h.Config.SessionMax)
		switch {
		case err == nil:
			// The one access decision of the request starts here: who the user is, and every
			// tenant they may reach with their rights, read once; services ask it, not the database.
			actor, rerr := h.Tenancy.Resolve(c.UserContext(), u)
			if rerr != nil {
				return rerr
			}
			c.Locals("session", sess)
			c.Locals("session_token", token)
			c.Locals("user", u)
			c.Locals("actor", actor)
			c.SetUserContext(audit.WithActor(c.UserContext(), u.ID))
			pref = u.Lang
		case errors.Is(err, apperr.ErrNotFound):
			h.clearCookie(c, sessionCookie)
		default:
			return err
		}
	}
	c.Locals("lang", i18n.Negotiate(pref, c.Cookies(langCookie), c.Get(fiber.HeaderAcceptLanguage), h.Config.DefaultLang))
	return c.Next()
}

func currentUser(c *fiber.Ctx) *identity.User {
	u, _ := c.Locals("user").(*identity.User)
	return u
}

func currentSession(c *fiber.Ctx) *identity.Session {
	s, _ := c.Locals("session").(*identity.Session)
	return s
}

// actorOf is who asks, resolved once by loadSession; a visitor is the zero Actor.
func actorOf(c *fiber.Ctx) tenancy.Actor {
	a, _ := c.Locals("actor").(tenancy.Actor)
	return a
}

func langOf(c *fiber.Ctx) string {
	l, _ := c.Locals("lang").(string)
	return l
}

// csrfToken binds a form to the browser that asked for it: to the session once logged in, to an
// anonymous cookie before. It is an HMAC, so a token cannot be made without the server's secret.
func (h *handler) csrfToken(c *fiber.Ctx) string {
	binding := ""
	if tok, ok := c.Locals("session_token").(string); ok {
		binding = "s:" + tok
	} else {
		anon := c.Cookies(anonCookie)
		if !wellFormedToken(anon) {
			anon = identity.NewToken()
			h.setCookie(c, anonCookie, anon, 0)
			c.Request().Header.SetCookie(anonCookie, anon)
		}
		binding = "a:" + anon
	}
	mac := hmac.New(sha256.New, h.Secret)
	mac.Write([]byte(binding))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// checkCSRF refuses a state-changing request without the token of its browser.
func (h *handler) checkCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	// Never from the query string: a token in a URL leaks through logs, history and Referer.
	sent := postValue(c, "_csrf")
	if sent == "" {
		sent = c.Get("X-CSRF-Token")
	}
	if sent == "" || !hmac.Equal([]byte(sent), []byte(h.csrfToken(c))) {
		return errCSRF
	}
	return c.Next()
}

func (h *handler) setCookie(c *fiber.Ctx, name, value string, maxAge time.Duration) {
	ck := &fiber.Cookie{Name: name, Value: value, Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: h.Config.CookieSecure}
	if maxAge > 0 {
		ck.MaxAge = int(maxAge.Seconds())
	}
	c.Cookie(ck)
}

func (h *handler) clearCookie(c *fiber.Ctx, name string) {
	c.Cookie(&fiber.Cookie{Name: name, Value: "", Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
		Secure: h.Config.CookieSecure, MaxAge: -1, Expires: time.Unix(1, 0)})
}

// langCookieAge keeps the language switcher's choice for a year.
const langCookieAge = 365 * 24 * time.Hour

// wellFormedToken reports whether s has the shape of identity.NewToken's tokens: 43 characters
// of unpadded base64url.
func wellFormedToken(s string) bool {
	if len(s) != 43 {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '-' || b == '_') {
			return false
		}
	}
	return true
}

// logPath is the request's path for the logs, with the segments that look like a token (the
// invitation and password links carry theirs in the path) hidden: whoever reads the logs must
// not be able to use a link.
func logPath(c *fiber.Ctx) string {
	parts := strings.Split(c.Path(), "/")
	for i, p := range parts {
		if len(p) >= 32 && strings.Trim(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == "" {
			parts[i] = "…"
		}
	}
	return strings.Join(parts, "/")
}
