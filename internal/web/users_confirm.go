package web

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/tenancy"
)

// previewFunc reads what a member action would do, or the refusal it would give.
type previewFunc func(c *fiber.Ctx, tenantID, userID int64) (*tenancy.Preview, error)

// askFunc is the confirmation a member action asks for, naming its consequence.
type askFunc func(lang string, pv *tenancy.Preview) confirmation

func (h *handler) previewRemoval(c *fiber.Ctx, tenantID, userID int64) (*tenancy.Preview, error) {
	return h.Tenancy.PreviewRemoval(c.UserContext(), actorOf(c), tenantID, userID)
}

func (h *handler) previewReferent(c *fiber.Ctx, tenantID, userID int64) (*tenancy.Preview, error) {
	return h.Tenancy.PreviewReferentChange(c.UserContext(), actorOf(c), tenantID, userID)
}

func (h *handler) previewOwner(c *fiber.Ctx, tenantID, userID int64) (*tenancy.Preview, error) {
	return h.Tenancy.PreviewOwnerChange(c.UserContext(), actorOf(c), tenantID, userID)
}

// memberArgs are the names every member confirmation's messages use.
func memberArgs(pv *tenancy.Preview) map[string]any {
	return map[string]any{"Name": pv.Member.User.DisplayName, "Code": pv.Tenant.Code}
}

func memberBack(pv *tenancy.Preview) string {
	return "/users/" + strconv.FormatInt(pv.Member.UserID, 10)
}

// removeConfirmation: "Marie Dupont will lose access to OCB0000001 and its incidents…".
func (h *handler) removeConfirmation(_ string, pv *tenancy.Preview) confirmation {
	return confirmation{Question: "users.remove_question", Consequence: "users.remove_consequence", Args: memberArgs(pv),
		Button: "users.remove_button", Back: memberBack(pv)}
}

// referentConfirmation: "You will no longer be the referent: Paul Martin will…", and the rights
// the actor keeps through their own membership, or that they keep none.
func (h *handler) referentConfirmation(lang string, pv *tenancy.Preview) confirmation {
	args := memberArgs(pv)
	consequence := "users.referent_consequence_lost"
	if pv.Kept != nil && pv.Kept.Any() {
		consequence, args["Rights"] = "users.referent_consequence_kept", h.rightNames(lang, *pv.Kept)
	}
	return confirmation{Question: "users.referent_question", Consequence: consequence, Args: args,
		Button: "users.referent_button", Back: memberBack(pv)}
}

// ownerConfirmation: "You will no longer be the domain owner: Paul Martin will…", and that the
// actor loses the tenant when nothing else keeps them on it.
func (h *handler) ownerConfirmation(_ string, pv *tenancy.Preview) confirmation {
	consequence := "users.owner_consequence"
	if pv.Kept == nil && !pv.OtherRole {
		consequence = "users.owner_consequence_lost"
	}
	return confirmation{Question: "users.owner_question", Consequence: consequence, Args: memberArgs(pv),
		Button: "users.owner_button", Back: memberBack(pv)}
}

// rightNames lists rights in the reader's language, in the order of the rights form.
func (h *handler) rightNames(lang string, r tenancy.Rights) string {
	var names []string
	for _, x := range []struct {
		on  bool
		key string
	}{{r.Incidents, "right.incidents"}, {r.Changes, "right.changes"}, {r.Contract, "right.contract"}, {r.Users, "right.users"}, {r.Services, "right.services"}} {
		if x.on {
			names = append(names, h.Bundle.T(lang, x.key, nil))
		}
	}
	return strings.Join(names, ", ")
}

// memberOffers puts on the member page the actions the rules allow on this member, each with the
// confirmation its form asks for: V.Remove, V.Referent and V.Owner (absent when refused).
// Removing oneself is withdrawing, offered on the home page.
func (h *handler) memberOffers(c *fiber.Ctx, p *page, tenantID, userID int64) error {
	offers := []struct {
		key     string
		preview previewFunc
		ask     askFunc
	}{
		{"Remove", h.previewRemoval, h.removeConfirmation},
		{"Referent", h.previewReferent, h.referentConfirmation},
		{"Owner", h.previewOwner, h.ownerConfirmation},
	}
	for _, o := range offers {
		if o.key == "Remove" && userID == actorOf(c).UserID {
			continue
		}
		pv, err := o.preview(c, tenantID, userID)
		if _, refused := asValidation(err); refused || errors.Is(err, apperr.ErrForbidden) || errors.Is(err, apperr.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		cf := o.ask(p.Lang, pv)
		p.V[o.key] = &cf
	}
	return nil
}
