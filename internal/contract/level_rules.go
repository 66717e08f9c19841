package contract

import (
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/i18n"
)

// Choice is one level a tenant may ask for, or the reason it may not.
type Choice struct {
	Level  Level
	Reason *i18n.Error // nil when the level can be asked for
}

// Allowed reports whether the level can be asked for.
func (c Choice) Allowed() bool { return c.Reason == nil }

// Choices returns every level in order, each allowed or with the reason it is refused, for a
// tenant with this history, whether a request of theirs is pending, on today (in Paris).
func Choices(history []Period, pending bool, today calendar.Date) []Choice {
	out := make([]Choice, 0, len(levels))
	for _, l := range levels {
		out = append(out, Choice{Level: l, Reason: refusal(history, l, pending, today)})
	}
	return out
}

// Check returns nil when requested can be asked for on today, else an *i18n.Error saying why not.
func Check(history []Period, requested Level, pending bool, today calendar.Date) error {
	if r := refusal(history, requested, pending, today); r != nil {
		return r
	}
	return nil
}

// Accept checks the rules again on the day the sales rep accepts, in Paris, and returns the
// period to append to the history: in force from the first day of the next month, with a new
// commitment from that day for a paid level. The request being accepted is the tenant's one
// pending request, so it does not count as pending here.
func Accept(history []Period, requested Level, acceptedAt time.Time) (Period, error) {
	day := calendar.ParisDate(acceptedAt)
	if r := refusal(history, requested, false, day); r != nil {
		return Period{}, r
	}
	return NewPeriod(requested, day.FirstOfNextMonth()), nil
}

// refusal is the one place the support-level rules are decided: nil when requested can be
// asked for (or accepted) on today.
func refusal(history []Period, requested Level, pending bool, today calendar.Date) *i18n.Error {
	if _, ok := ParseLevel(string(requested)); !ok {
		return i18n.FieldError("level", "contract.error.unknown_level")
	}
	if next, ok := Scheduled(history, today); ok {
		return i18n.FieldError("level", "contract.error.change_scheduled",
			"Level", next.Level.Name(), "Date", next.EffectiveFrom)
	}
	if pending {
		return i18n.FieldError("level", "contract.error.request_pending")
	}
	current, ok := Current(history, today)
	if !ok {
		return i18n.FieldError("level", "contract.error.no_level")
	}
	switch {
	case requested == current.Level:
		return i18n.FieldError("level", "contract.error.same_level", "Level", current.Level.Name())
	case requested.Compare(current.Level) < 0 && current.Committed(today):
		return i18n.FieldError("level", "contract.error.downgrade_in_commitment",
			"Date", current.CommittedUntil.AddDays(1))
	}
	return nil
}

// WhyNoLevel says, in the words of the FAQ, why none of choices can be asked for, or nil when
// one can. It is what the form shows in place of an empty choice and a button: a pending
// request, a change already scheduled, no level in force yet, or a commitment to the highest
// level (during the commitment one can only move up, and there is nothing above).
func WhyNoLevel(choices []Choice, history []Period, pending bool, today calendar.Date) *i18n.Error {
	for _, c := range choices {
		if c.Allowed() {
			return nil
		}
	}
	if next, ok := Scheduled(history, today); ok {
		return i18n.NewError("contract.form.none.scheduled", "Level", next.Level.Name(), "Date", next.EffectiveFrom)
	}
	if pending {
		return i18n.NewError("contract.error.request_pending")
	}
	current, ok := Current(history, today)
	if !ok {
		return i18n.NewError("contract.form.none.no_level")
	}
	if current.Committed(today) {
		return i18n.NewError("contract.form.none.top_committed", "Level", current.Level.Name(),
			"Date", current.CommittedUntil.AddDays(1))
	}
	return i18n.NewError("contract.form.none.other")
}
