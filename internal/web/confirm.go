package web

import (
	"sort"

	"github.com/gofiber/fiber/v2"
)

// confirmField is the form value a destructive action's POST carries once its consequence was
// shown and accepted: by the confirmation dialog of guichet.js, or by the confirmation page a
// browser without script is shown instead.
const confirmField = "confirm"

// confirmation is a destructive action's second step: the question, the consequence named, and
// the choice between going on and keeping things as they are.
type confirmation struct {
	Question    string         // message key: "Cancel incident {{.Number}}?"
	Consequence string         // message key: what cannot be undone
	Args        map[string]any // for both messages
	Button      string         // message key of the button that goes on
	Back        string         // where "keep" leads: the page the action was offered on
	// Keep names the form values posted again with the confirmation (the CSRF token and the
	// one-time token are posted anew by the page).
	Keep []string
}

// confirmed reports whether the POST carries the confirmation. When it does not, it renders the
// confirmation page (200, nothing changed) and the handler returns the error it gives:
//
//	if ok, err := h.confirmed(c, p, cf); !ok {
//		return err
//	}
func (h *handler) confirmed(c *fiber.Ctx, p *page, cf confirmation) (bool, error) {
	if c.FormValue(confirmField) == "1" {
		return true, nil
	}
	fields := map[string]string{}
	for _, k := range cf.Keep {
		if v := c.FormValue(k); v != "" {
			fields[k] = v
		}
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	hidden := make([][2]string, 0, len(keys))
	for _, k := range keys {
		hidden = append(hidden, [2]string{k, fields[k]})
	}
	p.Title = "confirm.title"
	p.V["Confirm"] = cf
	p.V["Action"] = string(c.Request().URI().PathOriginal())
	p.V["Hidden"] = hidden
	p.V["Back"] = localPath(cf.Back)
	return false, h.show(c, "common/confirm", p)
}
