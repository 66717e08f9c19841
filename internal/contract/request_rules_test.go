package contract

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/tenancy"
)

// fields lists the fields of the failures in es, in order, as "field=key".
func fields(es i18n.Errors) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Field+"="+e.Key)
	}
	return out
}

func TestCheckForm(t *testing.T) {
	long := strings.Repeat("x", MaxDetails+1)
	tests := []struct {
		name string
		in   Form
		want []string
	}{
		{"support level: no level", Form{Kind: SupportLevel}, []string{"level=contract.error.level_required"}},
		{"support level: blanks only", Form{Kind: SupportLevel, Level: "  "}, []string{"level=contract.error.level_required"}},
		{"support level: unknown level", Form{Kind: SupportLevel, Level: "gold"}, []string{"level=contract.error.unknown_level"}},
		{"support level: a level, checked with the history later", Form{Kind: SupportLevel, Level: "premium"}, nil},
		{"cancellation without the box", Form{Kind: Cancellation}, []string{"acknowledged=contract.error.acknowledge_billing"}},
		{"cancellation acknowledged", Form{Kind: Cancellation, Acknowledged: true, Details: "  done  "}, nil},
		{"details too long", Form{Kind: Cancellation, Acknowledged: true, Details: long}, []string{"details=error.field.too_long"}},
		{"referent change: nothing given", Form{Kind: ReferentChange},
			[]string{"holder_name=error.field.required", "holder_email=error.field.required", "holder_lang=error.field.choice"}},
		{"referent change: malformed email", Form{Kind: ReferentChange, HolderName: "Jean", HolderEmail: "jean@", HolderLang: "fr"},
			[]string{"holder_email=error.field.email"}},
		{"owner change: a name with the address", Form{Kind: OwnerChange, HolderName: "Jean", HolderEmail: "Jean <jean@example.fr>", HolderLang: "en"},
			[]string{"holder_email=error.field.email"}},
		{"owner change: good", Form{Kind: OwnerChange, HolderName: " Jean ", HolderEmail: " jean@example.fr ", HolderLang: "en"}, nil},
		{"order: nothing given", Form{Kind: TenantOrder},
			[]string{"contract_name=error.field.required", "level=contract.error.unknown_level"}},
		{"order: good", Form{Kind: TenantOrder, ContractName: "Recette", Level: "basic"}, nil},
		{"multi-tenant bill: nothing to type", Form{Kind: MultiTenantBill}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if got := fields(checkForm(&in)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("checkForm = %q, want %q", got, tt.want)
			}
		})
	}
	in := Form{Kind: OwnerChange, HolderName: " Jean ", HolderEmail: " jean@example.fr ", HolderLang: "en"}
	checkForm(&in)
	if in.HolderName != "Jean" || in.HolderEmail != "jean@example.fr" {
		t.Errorf("checkForm does not trim: %+v", in)
	}
}

func TestCheckCancellationAndMultiTenantBill(t *testing.T) {
	if e := CheckCancellation(tenancy.TenantActive); e != nil {
		t.Errorf("active tenant refused: %v", e)
	}
	if e := CheckCancellation(tenancy.TenantCancelled); e == nil || e.Key != "contract.error.already_cancelled" || e.Field != "tenant" {
		t.Errorf("cancelled tenant: %+v", e)
	}
	if e := CheckCancellation(tenancy.TenantCancellationRequested); e == nil || e.Key != "contract.error.cancellation_under_way" {
		t.Errorf("cancellation requested: %+v", e)
	}
	for n, ok := range map[int]bool{0: false, 1: false, 2: false, 3: true, 7: true} {
		e := CheckMultiTenantBill(n)
		if (e == nil) != ok {
			t.Errorf("%d tenants: %v, want allowed %v", n, e, ok)
		}
		if e != nil && (e.Field != "tenants" || e.Args["Have"] != n || e.Args["Min"] != 3) {
			t.Errorf("%d tenants: %+v", n, e)
		}
	}
}

func TestCheckCancellationDate(t *testing.T) {
	today := day(2026, 3, 31)
	tests := []struct {
		in      string
		want    string
		wantKey string
	}{
		{"", "", "error.field.required"},
		{"31/03/2026", "", "error.field.date"},
		{"2026-02-30", "", "error.field.date"},
		{"2026-03-30", "", "contract.error.date_past"},
		{"2026-03-31", "2026-03-31", ""},
		{" 2026-04-01 ", "2026-04-01", ""},
	}
	for _, tt := range tests {
		d, e := CheckCancellationDate(tt.in, today)
		switch {
		case tt.wantKey == "" && (e != nil || d.String() != tt.want):
			t.Errorf("%q: %v, %v; want %s", tt.in, d, e, tt.want)
		case tt.wantKey != "" && (e == nil || e.Key != tt.wantKey || e.Field != "cancel_on"):
			t.Errorf("%q: %+v, want %s", tt.in, e, tt.wantKey)
		}
	}
}

func TestWhyNot(t *testing.T) {
	referent := &tenancy.Access{Referent: true, Rights: tenancy.AllRights}
	owner := &tenancy.Access{Owner: true, Rights: tenancy.Rights{Contract: true}}
	member := &tenancy.Access{Member: true, Rights: tenancy.Rights{Contract: true}}
	noContract := &tenancy.Access{Member: true, Rights: tenancy.Rights{Incidents: true}}
	tests := []struct {
		a    *tenancy.Access
		kind Kind
		want string
	}{
		{referent, SupportLevel, ""},
		{owner, SupportLevel, ""},
		{member, SupportLevel, "contract.error.referent_or_owner"},
		{member, Cancellation, "contract.error.referent_or_owner"},
		{member, TenantOrder, "contract.error.referent_or_owner"},
		{member, MultiTenantBill, "contract.error.referent_or_owner"},
		{owner, Cancellation, ""},
		{referent, ReferentChange, "contract.error.holder_use_users_tab"},
		{referent, OwnerChange, ""},
		{owner, OwnerChange, "contract.error.holder_use_users_tab"},
		{owner, ReferentChange, ""},
		{member, ReferentChange, ""},
		{member, OwnerChange, ""},
		{noContract, ReferentChange, "contract.error.need_contract_right"},
	}
	for _, tt := range tests {
		got := ""
		if e := WhyNot(tt.a, tt.kind); e != nil {
			got = e.Key
		}
		if got != tt.want {
			t.Errorf("WhyNot(%+v, %s) = %q, want %q", tt.a, tt.kind, got, tt.want)
		}
	}
}

func TestRequestNumberAndTarget(t *testing.T) {
	r := &Request{ID: 42, Kind: TenantOrder, State: Pending, CreatedAt: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	if r.Number() != "REQ0000042" || r.Thread() != "request-42" {
		t.Errorf("number %s, thread %s", r.Number(), r.Thread())
	}
	if r.Overdue(r.CreatedAt.Add(23*time.Hour)) || !r.Overdue(r.CreatedAt.Add(25*time.Hour)) {
		t.Error("an order is overdue after 24 hours, not before")
	}
	r.Kind = SupportLevel
	if r.Overdue(r.CreatedAt.Add(100*time.Hour)) || !r.DueAt().IsZero() {
		t.Error("only orders have a 24-hour target")
	}
	for _, k := range Kinds() {
		if got, ok := ParseKind(string(k)); !ok || got != k || k.Slug() == "" {
			t.Errorf("kind %s: parse %v %v, slug %q", k, got, ok, k.Slug())
		}
	}
}
