package contract

import (
	"reflect"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/i18n"
)

func day(y int, m time.Month, d int) calendar.Date { return calendar.Date{Year: y, Month: m, Day: d} }

// standardDecMay is a Standard level from 1 December 2025, committed until 31 May 2026.
var standardDecMay = []Period{
	{Level: Basic, EffectiveFrom: day(2025, 3, 14)},
	{Level: Standard, EffectiveFrom: day(2025, 12, 1), CommittedUntil: day(2026, 5, 31)},
}

// upgradeScheduled has an upgrade to Business accepted in March, in force from 1 April 2026.
var upgradeScheduled = append(append([]Period(nil), standardDecMay...),
	Period{Level: Business, EffectiveFrom: day(2026, 4, 1), CommittedUntil: day(2026, 9, 30)})

var basicOnly = []Period{{Level: Basic, EffectiveFrom: day(2025, 3, 14)}}

func refused(key string, pairs ...any) *i18n.Error { return i18n.FieldError("level", key, pairs...) }

func TestCheck(t *testing.T) {
	tests := []struct {
		name      string
		history   []Period
		requested Level
		pending   bool
		today     calendar.Date
		want      *i18n.Error
	}{
		{"upgrade during the commitment", standardDecMay, Business, false, day(2026, 3, 10), nil},
		{"upgrade by two levels during the commitment", standardDecMay, Premium, false, day(2026, 3, 10), nil},
		{"downgrade during the commitment", standardDecMay, Basic, false, day(2026, 3, 10),
			refused("contract.error.downgrade_in_commitment", "Date", day(2026, 6, 1))},
		{"downgrade on the last day of the commitment", standardDecMay, Basic, false, day(2026, 5, 31),
			refused("contract.error.downgrade_in_commitment", "Date", day(2026, 6, 1))},
		{"downgrade the day after the commitment", standardDecMay, Basic, false, day(2026, 6, 1), nil},
		{"same level during the commitment", standardDecMay, Standard, false, day(2026, 3, 10),
			refused("contract.error.same_level", "Level", "Standard")},
		{"same level after the commitment", standardDecMay, Standard, false, day(2026, 7, 1),
			refused("contract.error.same_level", "Level", "Standard")},
		{"upgrade while a request is pending", standardDecMay, Premium, true, day(2026, 3, 10),
			refused("contract.error.request_pending")},
		{"downgrade after the commitment while a request is pending", standardDecMay, Basic, true, day(2026, 8, 1),
			refused("contract.error.request_pending")},
		{"request while a change is scheduled", upgradeScheduled, Premium, false, day(2026, 3, 20),
			refused("contract.error.change_scheduled", "Level", "Business", "Date", day(2026, 4, 1))},
		{"scheduled change on its eve", upgradeScheduled, Premium, false, day(2026, 3, 31),
			refused("contract.error.change_scheduled", "Level", "Business", "Date", day(2026, 4, 1))},
		{"upgrade once the scheduled change is in force", upgradeScheduled, Premium, false, day(2026, 4, 1), nil},
		{"downgrade within the new commitment of an upgrade", upgradeScheduled, Standard, false, day(2026, 6, 15),
			refused("contract.error.downgrade_in_commitment", "Date", day(2026, 10, 1))},
		{"basic has no commitment: upgrade", basicOnly, Premium, false, day(2025, 3, 14), nil},
		{"basic to basic", basicOnly, Basic, false, day(2025, 4, 1),
			refused("contract.error.same_level", "Level", "Basic")},
		{"unknown level", standardDecMay, Level("gold"), false, day(2026, 3, 10),
			refused("contract.error.unknown_level")},
		{"no history", nil, Premium, false, day(2026, 3, 10), refused("contract.error.no_level")},
		{"commitment ending the very day of the request: upgrade", standardDecMay, Business, false, day(2026, 5, 31), nil},
		{"commitment ending the very day of the request: same level", standardDecMay, Standard, false, day(2026, 5, 31),
			refused("contract.error.same_level", "Level", "Standard")},
		{"basic has no commitment: any paid level the day it began", basicOnly, Standard, false, day(2025, 3, 14), nil},
		{"basic while a request is pending", basicOnly, Business, true, day(2025, 6, 1), refused("contract.error.request_pending")},
		{"downgrade from Premium to Basic after the commitment", []Period{{Premium, day(2025, 1, 1), day(2025, 6, 30)}}, Basic, false,
			day(2025, 7, 1), nil},
		{"downgrade by two levels during the commitment", []Period{{Premium, day(2025, 1, 1), day(2025, 6, 30)}}, Standard, false,
			day(2025, 6, 30), refused("contract.error.downgrade_in_commitment", "Date", day(2025, 7, 1))},
		{"a commitment ending on 29 February in a leap year", []Period{{Business, day(2027, 9, 1), day(2028, 2, 29)}}, Standard, false,
			day(2028, 2, 29), refused("contract.error.downgrade_in_commitment", "Date", day(2028, 3, 1))},
		{"the day after a leap-year commitment", []Period{{Business, day(2027, 9, 1), day(2028, 2, 29)}}, Standard, false,
			day(2028, 3, 1), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.history, tt.requested, tt.pending, tt.today)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Check = %v, want allowed", err)
				}
				return
			}
			got, ok := err.(*i18n.Error)
			if !ok {
				t.Fatalf("Check = %#v, want %v", err, tt.want)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Check = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestChoices(t *testing.T) {
	got := Choices(standardDecMay, false, day(2026, 5, 31))
	want := []Choice{
		{Basic, refused("contract.error.downgrade_in_commitment", "Date", day(2026, 6, 1))},
		{Standard, refused("contract.error.same_level", "Level", "Standard")},
		{Business, nil},
		{Premium, nil},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Choices = %+v, want %+v", got, want)
	}
	for _, c := range Choices(standardDecMay, true, day(2026, 5, 31)) {
		if c.Allowed() {
			t.Errorf("%s allowed while a request is pending", c.Level)
		}
	}
}

func TestAccept(t *testing.T) {
	paris := calendar.Paris
	tests := []struct {
		name      string
		history   []Period
		requested Level
		at        time.Time
		want      Period
		wantErr   *i18n.Error
	}{
		{"upgrade during the commitment starts a new one from the effective date",
			standardDecMay, Business, time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC),
			Period{Business, day(2026, 4, 1), day(2026, 9, 30)}, nil},
		{"31 January 23:30 UTC is 1 February in Paris",
			standardDecMay, Premium, time.Date(2026, 1, 31, 23, 30, 0, 0, time.UTC),
			Period{Premium, day(2026, 3, 1), day(2026, 8, 31)}, nil},
		{"winter: 31 January 23:59 in Paris",
			standardDecMay, Premium, time.Date(2026, 1, 31, 22, 59, 0, 0, time.UTC),
			Period{Premium, day(2026, 2, 1), day(2026, 7, 31)}, nil},
		{"winter: midnight in Paris is 23:00 UTC",
			standardDecMay, Premium, time.Date(2026, 1, 31, 23, 0, 0, 0, time.UTC),
			Period{Premium, day(2026, 3, 1), day(2026, 8, 31)}, nil},
		{"last day of a month",
			standardDecMay, Business, time.Date(2026, 4, 30, 15, 0, 0, 0, paris),
			Period{Business, day(2026, 5, 1), day(2026, 10, 31)}, nil},
		{"31 December takes effect on 1 January of the next year",
			basicOnly, Standard, time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC),
			Period{Standard, day(2027, 1, 1), day(2027, 6, 30)}, nil},
		{"31 December 23:00 UTC is already the new year in Paris",
			basicOnly, Standard, time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC),
			Period{Standard, day(2027, 2, 1), day(2027, 7, 31)}, nil},
		{"a commitment from 1 December ends on 31 May",
			basicOnly, Business, time.Date(2026, 11, 20, 9, 0, 0, 0, paris),
			Period{Business, day(2026, 12, 1), day(2027, 5, 31)}, nil},
		{"leap year: from 1 September 2027 until 29 February 2028",
			basicOnly, Premium, time.Date(2027, 8, 15, 9, 0, 0, 0, paris),
			Period{Premium, day(2027, 9, 1), day(2028, 2, 29)}, nil},
		{"summer: 30 June 23:59:59 in Paris is 21:59:59 UTC",
			basicOnly, Standard, time.Date(2026, 6, 30, 21, 59, 59, 0, time.UTC),
			Period{Standard, day(2026, 7, 1), day(2026, 12, 31)}, nil},
		{"summer: 22:00 UTC is already 1 July in Paris",
			basicOnly, Standard, time.Date(2026, 6, 30, 22, 0, 0, 0, time.UTC),
			Period{Standard, day(2026, 8, 1), day(2027, 1, 31)}, nil},
		{"downgrade accepted on the last day of the commitment, in Paris",
			standardDecMay, Basic, time.Date(2026, 5, 31, 21, 30, 0, 0, time.UTC),
			Period{}, refused("contract.error.downgrade_in_commitment", "Date", day(2026, 6, 1))},
		{"downgrade accepted just after midnight in Paris, once the commitment ended",
			standardDecMay, Basic, time.Date(2026, 5, 31, 22, 30, 0, 0, time.UTC),
			Period{Basic, day(2026, 7, 1), calendar.Date{}}, nil},
		{"same level at acceptance",
			standardDecMay[:1:1], Basic, time.Date(2026, 1, 5, 9, 0, 0, 0, paris),
			Period{}, refused("contract.error.same_level", "Level", "Basic")},
		{"downgrade from Business to Standard after its commitment",
			upgradeScheduled, Standard, time.Date(2026, 10, 1, 9, 0, 0, 0, paris),
			Period{Standard, day(2026, 11, 1), day(2027, 4, 30)}, nil},
		{"accepted on 29 February of a leap year",
			basicOnly, Business, time.Date(2028, 2, 29, 12, 0, 0, 0, paris),
			Period{Business, day(2028, 3, 1), day(2028, 8, 31)}, nil},
		{"a commitment from 1 September ends on the last day of February (not a leap year)",
			basicOnly, Standard, time.Date(2026, 8, 20, 12, 0, 0, 0, paris),
			Period{Standard, day(2026, 9, 1), day(2027, 2, 28)}, nil},
		{"upgrade accepted on the day the commitment ends",
			standardDecMay, Premium, time.Date(2026, 5, 31, 20, 0, 0, 0, time.UTC),
			Period{Premium, day(2026, 6, 1), day(2026, 11, 30)}, nil},
		{"Basic accepted after the commitment has no commitment",
			standardDecMay, Basic, time.Date(2026, 8, 10, 9, 0, 0, 0, paris),
			Period{Basic, day(2026, 9, 1), calendar.Date{}}, nil},
		{"acceptance while the history is empty",
			nil, Premium, time.Date(2026, 3, 10, 9, 0, 0, 0, paris),
			Period{}, refused("contract.error.no_level")},
		{"another change already scheduled",
			upgradeScheduled, Premium, time.Date(2026, 3, 25, 9, 0, 0, 0, paris),
			Period{}, refused("contract.error.change_scheduled", "Level", "Business", "Date", day(2026, 4, 1))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Accept(tt.history, tt.requested, tt.at)
			if tt.wantErr != nil {
				if e, ok := err.(*i18n.Error); !ok || !reflect.DeepEqual(e, tt.wantErr) {
					t.Fatalf("Accept error = %#v, want %+v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Accept: %v", err)
			}
			if got != tt.want {
				t.Errorf("Accept = %+v, want %+v", got, tt.want)
			}
		})
	}
}
