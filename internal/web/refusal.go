package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/i18n"
)

// refused reports whether err refuses what a page sent, to be shown on the page again: the
// object changed since the page was opened (apperr.ErrStale), or the rules refuse the input.
// Any other error takes the error path.
func refused(err error) bool {
	_, invalid := asValidation(err)
	return invalid || errors.Is(err, apperr.ErrStale)
}

// refusal is the one stale-version convention of the pages: it puts a refusal on p, shown again
// with the input kept in p.Form, and returns its status. A state or field change made from a
// page that is no longer current (a form carries the version it was opened at; a missing or
// unreadable one is stale) is a 409 with the kind's stale message at the top, and the page shows
// the object as it is now, with its current version; input the rules refuse is a 422 with each
// message beside its field.
func (h *handler) refusal(p *page, err error, stale *i18n.Error) int {
	if errors.Is(err, apperr.ErrStale) {
		p.Errors[""] = h.Bundle.Message(p.Lang, stale)
		delete(p.Form, "version")
		return fiber.StatusConflict
	}
	h.fieldErrors(p, err)
	return fiber.StatusUnprocessableEntity
}
