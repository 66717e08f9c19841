package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/i18n"
)

// quoteView is a service order's quote as a page shows it.
type quoteView struct {
	Amount     string // the amount in the reader's way; the message says it excludes tax
	ValidUntil calendar.Date
	// Expired says the last day has passed: the customer may no longer accept it.
	Expired bool
}

// quoteOf returns r's quote for a reader of lang, or nil when no quote was sent.
func (h *handler) quoteOf(r *change.Request, lang string) *quoteView {
	if r.QuoteCents == nil {
		return nil
	}
	return &quoteView{Amount: i18n.FormatEuros(lang, *r.QuoteCents), ValidUntil: r.QuoteValidUntil,
		Expired: !change.QuoteOpen(r.QuoteValidUntil, h.changeToday())}
}

// changeToday is today in Paris on the change service's clock, the one its rules use, so that a
// page never offers a step the service refuses.
func (h *handler) changeToday() calendar.Date {
	now := time.Now
	if h.Changes.Now != nil {
		now = h.Changes.Now
	}
	return calendar.ParisDate(now())
}

// answerQuote is the customer's answer to a service order's quote, from the page of the version
// the form carries: accept (the order is approved for the agents) or decline (it is rejected).
// A refusal (an expired quote, a state that changed) shows the page again with its message.
func (h *handler) answerQuote(a change.Action) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "change")
		if err != nil {
			return err
		}
		// A missing or unreadable version is 0: the service refuses the answer as stale.
		version, _ := strconv.Atoi(c.FormValue("version"))
		if _, err := h.Changes.Act(c.UserContext(), actorOf(c), id, change.StepInput{Action: a, Version: version}); err != nil {
			if !refused(err) {
				return err
			}
			p, perr := h.customerPage(c, "change.page.title")
			if perr != nil {
				return perr
			}
			return h.renderChange(c, h.refusal(p, err, i18n.NewError("change.error.stale")), p)
		}
		return h.done(c, "/changes/"+itoa(id), "flash.change."+string(a))
	}
}
