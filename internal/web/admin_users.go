package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/identity"
)

func (h *handler) showAdminUsers(c *fiber.Ctx) error {
	p := h.page(c, "admin.users.title")
	p.Form["q"] = c.Query("q")
	pg := pageOf(c)
	us, total, err := h.Identity.ListUsers(c.UserContext(), actorOf(c).Actor,
		identity.UserFilter{Query: p.Form["q"], Limit: pg.Limit(), Offset: pg.Offset()})
	if err != nil {
		return err
	}
	p.V["Users"], p.V["Total"], p.V["Pager"] = us, total, countedPager(c, pg, total)
	return h.show(c, "admin/users", p)
}

func (h *handler) userForm(c *fiber.Ctx, p *page) {
	p.V["Kinds"], p.V["Langs"] = identity.Kinds, identity.Languages
	if p.Form["lang"] == "" {
		p.Form["lang"] = p.Lang
	}
}

func (h *handler) showNewUser(c *fiber.Ctx) error {
	p := h.page(c, "admin.user_new.title")
	p.Form["kind"], p.Form["active"] = string(identity.Customer), "on"
	h.userForm(c, p)
	return h.show(c, "admin/user_new", p)
}

func userInputOf(f map[string]string) identity.UserInput {
	return identity.UserInput{Login: f["login"], Email: f["email"], DisplayName: f["display_name"], Lang: f["lang"],
		Kind: identity.Kind(f["kind"]), Active: f["active"] == "on", Password: f["password"]}
}

func (h *handler) createUser(c *fiber.Ctx) error {
	p := h.page(c, "admin.user_new.title")
	p.Form = formOf(c, "login", "email", "display_name", "lang", "kind")
	in := userInputOf(p.Form)
	in.Password = c.FormValue("password")
	h.userForm(c, p)
	u, err := h.Identity.CreateUser(c.UserContext(), actorOf(c).Actor, in)
	if err != nil {
		return h.invalid(c, err, "admin/user_new", p)
	}
	return h.done(c, "/admin/users/"+itoa(u.ID), "flash.user_created")
}

func (h *handler) showEditUser(c *fiber.Ctx) error {
	id, err := idParam(c, "user")
	if err != nil {
		return err
	}
	u, err := h.Identity.User(c.UserContext(), actorOf(c).Actor, id)
	if err != nil {
		return err
	}
	p := h.page(c, "admin.user_edit.title")
	p.Form = map[string]string{"email": u.Email, "display_name": u.DisplayName, "lang": u.Lang, "kind": string(u.Kind)}
	if u.Active {
		p.Form["active"] = "on"
	}
	p.V["Account"] = u
	h.userForm(c, p)
	return h.show(c, "admin/user_edit", p)
}

func (h *handler) saveUser(c *fiber.Ctx) error {
	id, err := idParam(c, "user")
	if err != nil {
		return err
	}
	u, err := h.Identity.User(c.UserContext(), actorOf(c).Actor, id)
	if err != nil {
		return err
	}
	p := h.page(c, "admin.user_edit.title")
	p.Form = formOf(c, "email", "display_name", "lang", "kind", "active")
	p.V["Account"] = u
	h.userForm(c, p)
	if _, err := h.Identity.UpdateUser(c.UserContext(), actorOf(c).Actor, id, userInputOf(p.Form)); err != nil {
		return h.invalid(c, err, "admin/user_edit", p)
	}
	return h.done(c, "/admin/users/"+itoa(id), "flash.saved")
}

func (h *handler) showLocked(c *fiber.Ctx) error {
	p := h.page(c, "admin.locked.title")
	us, _, err := h.Identity.ListUsers(c.UserContext(), actorOf(c).Actor, identity.UserFilter{Locked: true})
	if err != nil {
		return err
	}
	p.V["Users"] = us
	return h.show(c, "admin/locked", p)
}

// resetFailedLogin is the FAQ's "Reset failed login": the account is unlocked at once.
func (h *handler) resetFailedLogin(c *fiber.Ctx) error {
	id, err := idParam(c, "user")
	if err != nil {
		return err
	}
	if err := h.Identity.ResetFailedLogin(c.UserContext(), actorOf(c).Actor, id); err != nil {
		return err
	}
	return h.done(c, "/admin/locked", "flash.unlocked")
}

// resetTwoFactor is the administrator's answer to a user who lost both phone and recovery codes:
// two-factor authentication is turned off and the user's sessions end (the administrator's own
// is kept). It is its own action: "Reset failed login" unlocks an account without touching it.
func (h *handler) resetTwoFactor(c *fiber.Ctx) error {
	id, err := idParam(c, "user")
	if err != nil {
		return err
	}
	token, _ := c.Locals("session_token").(string)
	if err := h.Identity.ResetTwoFactor(c.UserContext(), actorOf(c).Actor, id, token); err != nil {
		return err
	}
	return h.done(c, "/admin/users/"+itoa(id), "flash.twofactor_reset")
}
