package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/tenancy"
)

// consoleField is the member page's box of the « Backup console » right.
const consoleField = "backup_console"

// setBackupConsole grants (backup_console=on) or withdraws a member's « Backup console » right,
// the role Cust_Admin on the tenant's File and Applicative Backup console, and goes back to the
// member page. Only the domain owner may (others get 403), once the service is active on the
// tenant; a refusal comes back on the member page with its message, beside the box when the page
// shows one.
func (h *handler) setBackupConsole(c *fiber.Ctx) error {
	tenantID, userID, err := h.memberIDs(c)
	if err != nil {
		return err
	}
	on := c.FormValue(consoleField) == "on"
	if err := h.Tenancy.SetBackupConsole(c.UserContext(), actorOf(c), tenantID, userID, on); err != nil {
		if _, ok := asValidation(err); !ok {
			return err
		}
		p, perr := h.customerPage(c, "users.edit_title")
		if perr != nil {
			return perr
		}
		if !consoleBoxShown(p.Scope, userID) {
			err = onThePage(err)
		}
		h.fieldErrors(p, err)
		p.V["ConsoleSent"] = "off" // the box as it was sent
		if on {
			p.V["ConsoleSent"] = "on"
		}
		return h.renderMember(c, fiber.StatusUnprocessableEntity, p)
	}
	flash := "flash.backup_console_withdrawn"
	if on {
		flash = "flash.backup_console_granted"
	}
	return h.done(c, "/users/"+itoa(userID), flash)
}

// consoleBoxShown says whether the member page shows the reader the box of userID's Backup
// console right (member.html): to the domain owner, once File and Applicative Backup is active,
// for anyone but the owner.
func consoleBoxShown(a *tenancy.Access, userID int64) bool {
	return a != nil && a.Owner && a.Tenant.FABActivatedAt != nil && a.Tenant.OwnerID != userID
}

// onThePage moves the messages of err that belong beside a field to the page itself, for a page
// that does not show the field.
func onThePage(err error) error {
	es, _ := asValidation(err)
	out := make(i18n.Errors, 0, len(es))
	for _, e := range es {
		out.Add(&i18n.Error{Key: e.Key, Args: e.Args})
	}
	return out
}
