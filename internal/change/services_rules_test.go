package change

import (
	"errors"
	"testing"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/tenancy"
)

// svcKey returns the message key of a localized error, or "" when err is not one.
func svcKey(err error) string {
	var e *i18n.Error
	if errors.As(err, &e) {
		return e.Key
	}
	return ""
}

func TestSvcMayOrder(t *testing.T) {
	people := map[string]*tenancy.Access{
		"referent":             {Referent: true, Member: true, Rights: tenancy.AllRights},
		"owner":                {Owner: true, Member: true, Rights: tenancy.Rights{Services: true}},
		"member with services": {Member: true, Rights: tenancy.Rights{Services: true, Changes: true}},
		"member without":       {Member: true, Rights: tenancy.Rights{Incidents: true, Changes: true}},
	}
	tests := []struct {
		by      OrderBy
		who     string
		wantKey string // a localized refusal; "" with wantErr nil is allowed
		wantErr error
	}{
		{OrderByReferent, "referent", "", nil},
		{OrderByReferent, "owner", "service.error.referent_only", nil},
		{OrderByReferent, "member with services", "service.error.referent_only", nil},
		{OrderByReferent, "member without", "service.error.referent_only", nil},
		{OrderByOwner, "referent", "service.error.owner_only", nil},
		{OrderByOwner, "owner", "", nil},
		{OrderByOwner, "member with services", "service.error.owner_only", nil},
		{OrderByOwner, "member without", "service.error.owner_only", nil},
		{OrderByServices, "referent", "", nil},
		{OrderByServices, "owner", "", nil},
		{OrderByServices, "member with services", "", nil},
		{OrderByServices, "member without", "", apperr.ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(string(tt.by)+"/"+tt.who, func(t *testing.T) {
			err := MayOrder(&Item{Code: "x", OrderBy: tt.by}, people[tt.who])
			switch {
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("MayOrder = %v, want %v", err, tt.wantErr)
				}
			case tt.wantKey != "":
				if got := svcKey(err); got != tt.wantKey {
					t.Fatalf("MayOrder = %v, want %s", err, tt.wantKey)
				}
			default:
				if err != nil {
					t.Fatalf("MayOrder = %v, want nil", err)
				}
			}
		})
	}
}

func TestSvcItemAllows(t *testing.T) {
	quoted := &Item{Code: "dec", Price: PriceQuote, Effect: EffectNone}
	listed := &Item{Code: "fab", Price: PricePricelist, Effect: EffectFAB}
	free := &Item{Code: "ref1", Price: PriceFree, Effect: EffectRef1}
	standard := &Item{Code: "vpcs"}
	tests := []struct {
		name    string
		it      *Item
		action  Action
		wantKey string
	}{
		{"approve a quoted item", quoted, Approve, "change.error.needs_quote"},
		{"quote a quoted item", quoted, Quote, ""},
		{"accept a quoted item", quoted, Accept, ""},
		{"decline a quoted item", quoted, Decline, ""},
		{"reject a quoted item", quoted, Reject, ""},
		{"schedule a quoted item", quoted, Schedule, ""},
		{"implement a quoted item", quoted, Implement, ""},
		{"cancel a quoted item", quoted, Cancel, ""},
		{"quote a pricelist item", listed, Quote, "change.error.no_quote"},
		{"accept a pricelist item", listed, Accept, "change.error.no_quote"},
		{"decline a free item", free, Decline, "change.error.no_quote"},
		{"quote a standard item", standard, Quote, "change.error.no_quote"},
		{"approve a pricelist item", listed, Approve, ""},
		{"approve a standard item", standard, Approve, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ItemAllows(tt.it, tt.action)
			if tt.wantKey == "" {
				if err != nil {
					t.Fatalf("ItemAllows = %v, want nil", err)
				}
				return
			}
			if got := svcKey(err); got != tt.wantKey {
				t.Fatalf("ItemAllows = %v, want %s", err, tt.wantKey)
			}
		})
	}
}

func TestSvcQuoteOpen(t *testing.T) {
	until := calendar.NewDate(2026, 3, 31)
	tests := []struct {
		name         string
		until, today calendar.Date
		want         bool
	}{
		{"the day before", until, calendar.NewDate(2026, 3, 30), true},
		{"weeks before", until, calendar.NewDate(2026, 1, 2), true},
		{"the last day", until, until, true},
		{"the day after", until, calendar.NewDate(2026, 4, 1), false},
		{"a year after", until, calendar.NewDate(2027, 3, 31), false},
		{"no quote", calendar.Date{}, calendar.NewDate(2026, 3, 30), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := QuoteOpen(tt.until, tt.today); got != tt.want {
				t.Errorf("QuoteOpen(%s, %s) = %v, want %v", tt.until, tt.today, got, tt.want)
			}
		})
	}
}

// TestSvcNextQuoteSteps covers the quote steps of a service on quote, and the cancellation of a
// quoted order.
func TestSvcNextQuoteSteps(t *testing.T) {
	tests := []struct {
		from    State
		action  Action
		by      Role
		want    State
		wantErr error
		wantKey string
	}{
		{Submitted, Quote, RoleSalesRep, Quoted, nil, ""},
		{Quoted, Quote, RoleSalesRep, Quoted, nil, ""}, // a new quote replaces the last
		{Submitted, Quote, RoleAdmin, Quoted, nil, ""},
		{Approved, Quote, RoleSalesRep, "", nil, "change.error.cannot_quote"},
		{Rejected, Quote, RoleSalesRep, "", nil, "change.error.cannot_quote"},
		{Submitted, Quote, RoleAgent, "", apperr.ErrForbidden, ""},
		{Submitted, Quote, RoleRequester, "", apperr.ErrForbidden, ""},
		{Submitted, Quote, RoleMember, "", apperr.ErrForbidden, ""},
		{Quoted, Accept, RoleRequester, Approved, nil, ""},
		{Quoted, Accept, RoleMember, Approved, nil, ""},
		{Submitted, Accept, RoleRequester, "", nil, "change.error.cannot_accept"},
		{Approved, Accept, RoleMember, "", nil, "change.error.cannot_accept"},
		{Quoted, Accept, RoleSalesRep, "", apperr.ErrForbidden, ""},
		{Quoted, Accept, RoleAgent, "", apperr.ErrForbidden, ""},
		{Quoted, Accept, RoleAdmin, "", apperr.ErrForbidden, ""},
		{Quoted, Decline, RoleRequester, Rejected, nil, ""},
		{Quoted, Decline, RoleMember, Rejected, nil, ""},
		{Submitted, Decline, RoleRequester, "", nil, "change.error.cannot_decline"},
		{Approved, Decline, RoleRequester, "", nil, "change.error.cannot_decline"},
		{Quoted, Decline, RoleSalesRep, "", apperr.ErrForbidden, ""},
		{Quoted, Cancel, RoleRequester, Cancelled, nil, ""},
		{Quoted, Cancel, RoleMember, "", apperr.ErrForbidden, ""},
		{Quoted, Approve, RoleSalesRep, "", nil, "change.error.cannot_approve"},
		{Quoted, Reject, RoleSalesRep, "", nil, "change.error.cannot_reject"},
		{Quoted, Schedule, RoleAgent, "", nil, "change.error.cannot_schedule"},
	}
	for _, tt := range tests {
		t.Run(string(tt.from)+"/"+string(tt.action)+"/"+string(tt.by), func(t *testing.T) {
			got, err := Next(tt.from, tt.action, tt.by)
			switch {
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v, %v; want %v", got, err, tt.wantErr)
				}
			case tt.wantKey != "":
				if svcKey(err) != tt.wantKey {
					t.Fatalf("got %v, %v; want %s", got, err, tt.wantKey)
				}
			default:
				if err != nil || got != tt.want {
					t.Fatalf("got %v, %v; want %v", got, err, tt.want)
				}
			}
		})
	}
}

func TestSvcParseAmount(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantKey string
	}{
		{"1234.5", 123450, ""},
		{"1234,5", 123450, ""},
		{"1 234,50", 123450, ""},
		{"1,234.50", 123450, ""},
		{"1.234,50", 123450, ""},
		{"1234 €", 123400, ""},
		{"1234€", 123400, ""},
		{"  1 234,50 € ", 123450, ""},
		{"1\u00a0234,50", 123450, ""}, // a no-break space groups thousands
		{"1\u202f234,50", 123450, ""}, // a narrow no-break space, as French formatting writes
		{"1.234.567,89", 123456789, ""},
		{"1,234,567.89", 123456789, ""},
		{"1,234", 123400, ""}, // three digits after the mark: thousands, not decimals
		{"0.01", 1, ""},
		{"12", 1200, ""},
		{"10000000", MaxQuoteCents, ""},
		{"10 000 000,00", MaxQuoteCents, ""},
		{"", 0, "change.error.amount_required"},
		{"   ", 0, "change.error.amount_required"},
		{"€", 0, "change.error.amount_required"},
		{"0", 0, "change.error.amount_positive"},
		{"0,00", 0, "change.error.amount_positive"},
		{"-5", 0, "change.error.amount_invalid"},
		{"abc", 0, "change.error.amount_invalid"},
		{"12abc", 0, "change.error.amount_invalid"},
		{"1e3", 0, "change.error.amount_invalid"},
		{",50", 0, "change.error.amount_invalid"},
		{"1,2,3", 0, "change.error.amount_invalid"},        // not thousands groups
		{"12,34.56", 0, "change.error.amount_invalid"},     // a group of two digits
		{"1.5.2026", 0, "change.error.amount_invalid"},     // a date, not an amount
		{"1,234.567,89", 0, "change.error.amount_invalid"}, // two kinds of grouping
		{"10000000.01", 0, "change.error.amount_max"},
		{"10 000 001", 0, "change.error.amount_max"},
		{"1000000000", 0, "change.error.amount_max"},
		{"99999999999999999999", 0, "change.error.amount_max"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseAmount(tt.in)
			if tt.wantKey == "" {
				if err != nil || got != tt.want {
					t.Fatalf("ParseAmount(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
				}
				return
			}
			if err == nil || err.Key != tt.wantKey || err.Field != "amount" || got != 0 {
				t.Fatalf("ParseAmount(%q) = %d, %v; want amount: %s", tt.in, got, err, tt.wantKey)
			}
		})
	}
}

func TestSvcFormatCents(t *testing.T) {
	for c, want := range map[int64]string{0: "0.00", 5: "0.05", 50: "0.50", 100: "1.00", 123450: "1234.50", 123456789: "1234567.89", MaxQuoteCents: "10000000.00"} {
		if got := FormatCents(c); got != want {
			t.Errorf("FormatCents(%d) = %q, want %q", c, got, want)
		}
		if back, err := ParseAmount(FormatCents(c)); c > 0 && (err != nil || back != c) {
			t.Errorf("ParseAmount(FormatCents(%d)) = %d, %v", c, back, err)
		}
	}
}
