package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
)

// Personal access tokens on the profile page: the user's list, a form to make one, whose
// secret is shown once in the answer to that form (never in a URL, a cookie or a log), and a
// revoke button per token.

// tokenDefaultDays is how far ahead the form proposes a new token's last day.
const tokenDefaultDays = 90

// tokenRow is a token as the lists show it: its last day (the day it still works, UTC), and
// whether it still opens the API.
type tokenRow struct {
	identity.APIToken
	LastDay calendar.Date
	Live    bool
}

func tokenRowOf(t *identity.APIToken, now time.Time) tokenRow {
	return tokenRow{APIToken: *t, LastDay: calendar.DateOf(t.ExpiresAt.UTC().Add(-time.Second)), Live: t.Active(now)}
}

func tokenRows(ts []identity.APIToken, now time.Time) []tokenRow {
	rows := make([]tokenRow, len(ts))
	for i := range ts {
		rows[i] = tokenRowOf(&ts[i], now)
	}
	return rows
}

// tokenDays are the first and last days the form accepts, and the one it proposes, counted in
// UTC like the service.
func (h *handler) tokenDays() (first, proposed, last calendar.Date) {
	today := calendar.DateOf(h.Identity.Now().UTC())
	return today, today.AddDays(tokenDefaultDays), today.AddDays(int(identity.MaxTokenLife/(24*time.Hour)) - 1)
}

// tokenSection puts the user's tokens and the new token form on the profile page p; the form's
// input is kept when it was the one sent.
func (h *handler) tokenSection(c *fiber.Ctx, p *page) error {
	ts, err := h.Identity.Tokens(c.UserContext(), actorOf(c).Actor)
	if err != nil {
		return err
	}
	first, proposed, last := h.tokenDays()
	p.V["Tokens"] = tokenRows(ts, h.Identity.Now())
	p.V["TokenFirstDay"], p.V["TokenLastDay"] = first.String(), last.String()
	if _, sent := p.Form["expires"]; !sent {
		p.Form["scope"], p.Form["expires"] = identity.ScopeRead, proposed.String()
	}
	return nil
}

// createToken makes a token and answers with its secret, on a page of its own that is never
// cached: the only time the secret is shown. Refused input comes back on the profile page.
func (h *handler) createToken(c *fiber.Ctx) error {
	p, err := h.accountPage(c, "profile.title")
	if err != nil {
		return err
	}
	p.Form = formOf(c, "name", "scope", "expires")
	p.Form["lang"] = p.User.Lang
	in := identity.NewAPIToken{Name: p.Form["name"], Scope: p.Form["scope"]}
	badDate := false
	if s := p.Form["expires"]; s != "" {
		if d, err := calendar.ParseDate(s); err != nil {
			badDate = true
		} else {
			in.Expires = d.In(time.UTC)
		}
	}
	secret, tok, err := h.Identity.CreateToken(c.UserContext(), actorOf(c).Actor, in, h.Config.StaffTwoFactorRequired())
	if err != nil {
		if es, ok := asValidation(err); ok && badDate {
			// A date that does not read is told as such, not as a missing one.
			for i, e := range es {
				if e.Field == "expires" {
					es[i] = i18n.FieldError("expires", "error.field.date")
				}
			}
			err = es
		}
		return h.profileInvalid(c, err, p)
	}
	p.Title = "token.created_title"
	p.V["Secret"], p.V["Token"] = secret, tokenRowOf(tok, h.Identity.Now())
	return h.show(c, "account/token_created", p)
}

// revokeToken ends one of the user's tokens (an admin may end anyone's); another user's token
// is not found.
func (h *handler) revokeToken(c *fiber.Ctx) error {
	return h.revokeTokenThen(c, "/profile#tokens")
}

// revokeTokenThen revokes the token of the path and goes back to the list it was on.
func (h *handler) revokeTokenThen(c *fiber.Ctx, back string) error {
	id, err := idParam(c, "apitoken")
	if err != nil {
		return err
	}
	if err := h.Identity.RevokeToken(c.UserContext(), actorOf(c).Actor, id); err != nil {
		return err
	}
	return h.done(c, back, "flash.token_revoked")
}
