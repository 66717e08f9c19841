package contract

import (
	"reflect"
	"testing"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/i18n"
)

// premiumDecMay is Premium from 1 December 2025, committed until 31 May 2026: during the
// commitment nothing is above it and nothing below may be asked for.
var premiumDecMay = []Period{
	{Level: Basic, EffectiveFrom: day(2025, 3, 14)},
	{Level: Premium, EffectiveFrom: day(2025, 12, 1), CommittedUntil: day(2026, 5, 31)},
}

func TestWhyNoLevel(t *testing.T) {
	tests := []struct {
		name    string
		history []Period
		pending bool
		today   calendar.Date
		want    *i18n.Error
	}{
		{"a level can be asked for", standardDecMay, false, day(2026, 3, 10), nil},
		{"Premium after its commitment: any lower level", premiumDecMay, false, day(2026, 6, 1), nil},
		{"Premium during its commitment: nothing above, nothing below",
			premiumDecMay, false, day(2026, 5, 31),
			i18n.NewError("contract.form.none.top_committed", "Level", "Premium", "Date", day(2026, 6, 1))},
		{"a change is scheduled", upgradeScheduled, false, day(2026, 3, 25),
			i18n.NewError("contract.form.none.scheduled", "Level", "Business", "Date", day(2026, 4, 1))},
		{"a request is pending", standardDecMay, true, day(2026, 3, 10), i18n.NewError("contract.error.request_pending")},
		{"no level in force yet", nil, false, day(2026, 3, 10), i18n.NewError("contract.form.none.no_level")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := WhyNoLevel(Choices(tt.history, tt.pending, tt.today), tt.history, tt.pending, tt.today)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("WhyNoLevel = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// A request that names no level, or one the desk does not know, reads as "no level", never as
// a key missing its level.
func TestLevelKeyOfNoLevel(t *testing.T) {
	for _, l := range []Level{"", "gold"} {
		if l.Key() != NoneKey || l.Valid() {
			t.Errorf("Level(%q): key %q, valid %v", l, l.Key(), l.Valid())
		}
	}
	if !Premium.Valid() || Premium.Key() != "contract.level.premium" {
		t.Errorf("Premium: key %q", Premium.Key())
	}
}

// The sales rep reads the rules' refusals in the desk's words, with their field and arguments.
func TestForRep(t *testing.T) {
	if forRep(nil) != nil {
		t.Fatal("forRep(nil) is not nil")
	}
	e := i18n.FieldError("level", "contract.error.downgrade_in_commitment", "Date", day(2026, 6, 1))
	got := forRep(e)
	if got.Key != "sales.refusal.downgrade_in_commitment" || got.Field != "level" || got.Args["Date"] != day(2026, 6, 1) {
		t.Errorf("forRep = %+v", got)
	}
	for key := range repKeys {
		if got := forRep(i18n.NewError(key)); got.Key == key {
			t.Errorf("%s is not reworded", key)
		}
	}
	same := i18n.FieldError("holder_email", "contract.error.same_holder", "Name", "Marie")
	if forRep(same) != same {
		t.Error("a message meant for both was reworded")
	}
}
