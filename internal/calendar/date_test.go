package calendar_test

import (
	"context"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/uptrace/bun"
)

func d(y int, m time.Month, day int) calendar.Date { return calendar.Date{Year: y, Month: m, Day: day} }

func TestParseAndString(t *testing.T) {
	good := map[string]calendar.Date{
		"2027-06-01": d(2027, time.June, 1),
		"2028-02-29": d(2028, time.February, 29),
		"0001-01-01": d(1, time.January, 1),
		"9999-12-31": d(9999, time.December, 31),
	}
	for s, want := range good {
		got, err := calendar.ParseDate(s)
		if err != nil || got != want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", s, got, err, want)
		}
		if got.String() != s {
			t.Errorf("String() = %q, want %q", got.String(), s)
		}
	}
	for _, s := range []string{"", "2027-6-1", "2027-02-29", "2027-13-01", "2027-04-31", "01/06/2027", "2027-06-01T00:00:00Z", " 2027-06-01", "2027-06-01 "} {
		if got, err := calendar.ParseDate(s); err == nil || !got.IsZero() {
			t.Errorf("ParseDate(%q) = %v, %v; want an error and the zero Date", s, got, err)
		}
	}
	if s := (calendar.Date{}).String(); s != "" {
		t.Errorf("zero Date String = %q, want empty", s)
	}
	if !(calendar.Date{}).IsZero() || d(2027, 1, 1).IsZero() {
		t.Error("IsZero")
	}
	if got := d(999, time.March, 5).String(); got != "0999-03-05" {
		t.Errorf("String = %q", got)
	}
}

func TestArithmetic(t *testing.T) {
	tests := []struct {
		name      string
		got, want calendar.Date
	}{
		{"NewDate normalizes", calendar.NewDate(2027, time.April, 31), d(2027, time.May, 1)},
		{"NewDate month 13", calendar.NewDate(2026, 13, 1), d(2027, time.January, 1)},
		{"NewDate month 0", calendar.NewDate(2027, 0, 1), d(2026, time.December, 1)},
		{"AddDays +1 leap", d(2028, time.February, 28).AddDays(1), d(2028, time.February, 29)},
		{"AddDays +1 not leap", d(2027, time.February, 28).AddDays(1), d(2027, time.March, 1)},
		{"AddDays over a year", d(2026, time.December, 31).AddDays(1), d(2027, time.January, 1)},
		{"AddDays -1", d(2027, time.March, 1).AddDays(-1), d(2027, time.February, 28)},
		{"AddDays 0", d(2027, time.March, 1).AddDays(0), d(2027, time.March, 1)},
		{"AddDays over DST", d(2027, time.March, 27).AddDays(2), d(2027, time.March, 29)},
		{"AddMonths 6", d(2026, time.December, 1).AddMonths(6), d(2027, time.June, 1)},
		{"AddMonths over a year", d(2026, time.September, 15).AddMonths(5), d(2027, time.February, 15)},
		{"AddMonths -1", d(2027, time.January, 15).AddMonths(-1), d(2026, time.December, 15)},
		{"AddMonths overflows like AddDate", d(2027, time.January, 31).AddMonths(1), d(2027, time.March, 3)},
		{"AddMonths overflow leap", d(2028, time.January, 31).AddMonths(1), d(2028, time.March, 2)},
		{"AddMonths 12", d(2028, time.February, 29).AddMonths(12), d(2029, time.March, 1)},
		{"FirstOfNextMonth mid", d(2027, time.January, 15).FirstOfNextMonth(), d(2027, time.February, 1)},
		{"FirstOfNextMonth last day", d(2027, time.January, 31).FirstOfNextMonth(), d(2027, time.February, 1)},
		{"FirstOfNextMonth first day", d(2027, time.February, 1).FirstOfNextMonth(), d(2027, time.March, 1)},
		{"FirstOfNextMonth December", d(2026, time.December, 31).FirstOfNextMonth(), d(2027, time.January, 1)},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		a, b calendar.Date
		want int
	}{
		{d(2027, 1, 1), d(2027, 1, 1), 0},
		{d(2026, 12, 31), d(2027, 1, 1), -1},
		{d(2027, 2, 1), d(2027, 1, 31), 1},
		{d(2027, 1, 2), d(2027, 1, 10), -1},
		{d(2027, 10, 1), d(2027, 9, 30), 1}, // numeric, not text, month order
	}
	for _, tt := range tests {
		if got := tt.a.Compare(tt.b); got != tt.want {
			t.Errorf("%v.Compare(%v) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if tt.a.Before(tt.b) != (tt.want < 0) || tt.a.After(tt.b) != (tt.want > 0) {
			t.Errorf("%v Before/After %v disagree with Compare", tt.a, tt.b)
		}
	}
}

func TestParisDate(t *testing.T) {
	tests := []struct {
		utc  string
		want calendar.Date
	}{
		// Winter: UTC+1.
		{"2027-01-31T22:59:59Z", d(2027, time.January, 31)},
		{"2027-01-31T23:00:00Z", d(2027, time.February, 1)},
		{"2027-01-31T23:30:00Z", d(2027, time.February, 1)}, // DESIGN.md's example
		{"2026-12-31T23:00:00Z", d(2027, time.January, 1)},
		// Summer: UTC+2.
		{"2027-06-30T21:59:59Z", d(2027, time.June, 30)},
		{"2027-06-30T22:00:00Z", d(2027, time.July, 1)},
		{"2027-06-30T23:00:00Z", d(2027, time.July, 1)},
		// Around the changes of time (28 March and 31 October 2027).
		{"2027-03-27T22:59:00Z", d(2027, time.March, 27)},
		{"2027-03-27T23:00:00Z", d(2027, time.March, 28)},
		{"2027-03-28T21:59:00Z", d(2027, time.March, 28)},
		{"2027-03-28T22:00:00Z", d(2027, time.March, 29)},
		{"2027-10-30T22:00:00Z", d(2027, time.October, 31)},
		{"2027-10-31T22:59:00Z", d(2027, time.October, 31)},
		{"2027-10-31T23:00:00Z", d(2027, time.November, 1)},
	}
	for _, tt := range tests {
		ts, err := time.Parse(time.RFC3339, tt.utc)
		if err != nil {
			t.Fatal(err)
		}
		if got := calendar.ParisDate(ts); got != tt.want {
			t.Errorf("ParisDate(%s) = %v, want %v", tt.utc, got, tt.want)
		}
		// The instant's own zone does not matter.
		if got := calendar.ParisDate(ts.In(time.FixedZone("X", -10*3600))); got != tt.want {
			t.Errorf("ParisDate(%s in UTC-10) = %v, want %v", tt.utc, got, tt.want)
		}
	}
	if got := d(2027, time.July, 1).In(calendar.Paris); !got.Equal(time.Date(2027, 6, 30, 22, 0, 0, 0, time.UTC)) {
		t.Errorf("In(Paris) = %v", got)
	}
	if got := d(2027, time.January, 1).In(calendar.Paris); !got.Equal(time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("In(Paris) = %v", got)
	}
}

func TestValueAndScan(t *testing.T) {
	v, err := d(2027, time.June, 1).Value()
	if err != nil || v != "2027-06-01" {
		t.Errorf("Value = %v, %v", v, err)
	}
	if v, err := (calendar.Date{}).Value(); err != nil || v != nil {
		t.Errorf("zero Value = %v, %v; want NULL", v, err)
	}
	tests := []struct {
		src  any
		want calendar.Date
		ok   bool
	}{
		{"2027-06-01", d(2027, time.June, 1), true},
		{[]byte("2027-06-01"), d(2027, time.June, 1), true},
		{"2027-06-01 00:00:00+00:00", d(2027, time.June, 1), true},
		{time.Date(2027, 6, 1, 23, 30, 0, 0, time.UTC), d(2027, time.June, 1), true},
		{nil, calendar.Date{}, true},
		{"", calendar.Date{}, true},
		{"2027-02-30", calendar.Date{}, false},
		{"junk", calendar.Date{}, false},
		{int64(20270601), calendar.Date{}, false},
	}
	for _, tt := range tests {
		x := d(1999, 1, 1)
		err := x.Scan(tt.src)
		if (err == nil) != tt.ok {
			t.Errorf("Scan(%#v) err = %v, want ok %v", tt.src, err, tt.ok)
		}
		if tt.ok && x != tt.want {
			t.Errorf("Scan(%#v) = %v, want %v", tt.src, x, tt.want)
		}
	}
}

type dateRow struct {
	bun.BaseModel `bun:"table:dates"`

	ID    int64         `bun:",pk,autoincrement"`
	Day   calendar.Date `bun:"type:varchar(10)"` // as the migrations declare dates
	Maybe calendar.Date `bun:"type:varchar(10),nullzero"`
}

func TestRoundTripThroughTheDatabase(t *testing.T) {
	ctx := context.Background()
	bdb, err := db.Open(testutil.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	if _, err := bdb.NewCreateTable().Model((*dateRow)(nil)).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	rows := []dateRow{
		{Day: d(2027, time.June, 1), Maybe: d(2027, time.November, 30)},
		{Day: d(2026, time.December, 31)},
		{Day: d(2027, time.October, 1), Maybe: d(2028, time.February, 29)},
	}
	if _, err := bdb.NewInsert().Model(&rows).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	var raw []string
	if err := bdb.NewRaw("SELECT day FROM dates ORDER BY id").Scan(ctx, &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw) != 3 || raw[0] != "2027-06-01" || raw[1] != "2026-12-31" || raw[2] != "2027-10-01" {
		t.Errorf("stored text = %q", raw)
	}
	var nulls int
	if err := bdb.NewRaw("SELECT COUNT(*) FROM dates WHERE maybe IS NULL").Scan(ctx, &nulls); err != nil || nulls != 1 {
		t.Errorf("NULL maybe rows = %d, %v; want 1", nulls, err)
	}

	var got []dateRow
	if err := bdb.NewSelect().Model(&got).Where("day >= ?", d(2027, time.January, 1)).Order("day").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Day != rows[0].Day || got[0].Maybe != rows[0].Maybe || got[1].Day != rows[2].Day || got[1].Maybe != rows[2].Maybe {
		t.Errorf("read back (day >= 2027-01-01, by day) = %+v", got)
	}
	var one dateRow
	if err := bdb.NewSelect().Model(&one).Where("id = ?", rows[1].ID).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if one.Day != rows[1].Day || !one.Maybe.IsZero() {
		t.Errorf("row with NULL = %+v", one)
	}
}
