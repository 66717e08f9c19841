package auditlog_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/audit/auditlog"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

var ctx = context.Background()

type desk struct {
	*app.App
	t *testing.T
	s *auditlog.Service
}

// newDesk is a demo desk whose log is emptied, so that a test counts only what it writes.
func newDesk(t *testing.T) *desk {
	t.Helper()
	a := testutil.NewApp(t)
	if _, err := a.DB.NewDelete().Model((*audit.Entry)(nil)).Where("1 = 1").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	return &desk{App: a, t: t, s: &auditlog.Service{DB: a.DB}}
}

func (d *desk) user(login string) *identity.User {
	d.t.Helper()
	u, err := identity.UserByLogin(ctx, d.DB, login)
	if err != nil {
		d.t.Fatalf("user %s: %v", login, err)
	}
	return u
}

func (d *desk) actor(login string) tenancy.Actor { return tenancy.ActorOf(d.user(login)) }

func (d *desk) tenant(code string) *tenancy.Tenant {
	d.t.Helper()
	tn, err := tenancy.TenantByCode(ctx, d.DB, code)
	if err != nil {
		d.t.Fatalf("tenant %s: %v", code, err)
	}
	return tn
}

func (d *desk) write(c audit.Change) {
	d.t.Helper()
	if err := audit.Write(audit.WithIP(ctx, "192.0.2.9"), d.DB, c); err != nil {
		d.t.Fatal(err)
	}
}

func (d *desk) count() int {
	d.t.Helper()
	n, err := d.DB.NewSelect().Model((*audit.Entry)(nil)).Count(ctx)
	if err != nil {
		d.t.Fatal(err)
	}
	return int(n)
}

// seed writes an entry about each of Marie's OCB0000001 and Paul's OCB0000004, and one about
// no tenant.
func (d *desk) seed() (t1, t4 *tenancy.Tenant) {
	t1, t4 = d.tenant("OCB0000001"), d.tenant("OCB0000004")
	marie, john, admin := d.user("Marie.Dupont"), d.user("John.Doe"), d.user("admin")
	d.write(audit.Change{Action: audit.MembershipRights, ActorID: marie.ID, TenantID: t1.ID, SubjectID: john.ID,
		Before: map[string]any{"users": false}, After: map[string]any{"users": true}})
	d.write(audit.Change{Action: audit.RoleOwner, ActorID: admin.ID, TenantID: t1.ID})
	d.write(audit.Change{Action: audit.RoleReferent, ActorID: admin.ID, TenantID: t4.ID})
	d.write(audit.Change{Action: audit.UserCreated, ActorID: admin.ID, SubjectID: john.ID})
	return t1, t4
}

// TestAuditAdminReadsTheWholeLog: an admin reads every entry and filters by tenant code; a code
// no tenant has is refused beside its field; nobody else may read the whole log.
func TestAuditAdminReadsTheWholeLog(t *testing.T) {
	d := newDesk(t)
	d.seed()
	admin := d.actor("admin").Actor
	es, next, err := d.s.ListForAdmin(ctx, admin, audit.Filter{})
	if err != nil || len(es) != 4 || next != 0 {
		t.Fatalf("admin: %d entries, next %d, %v", len(es), next, err)
	}
	if es[0].IP != "192.0.2.9" {
		t.Errorf("the admin reads every address: %q", es[0].IP)
	}
	es, _, err = d.s.ListForAdmin(ctx, admin, audit.Filter{TenantCode: "OCB0000004"})
	if err != nil || len(es) != 1 || es[0].Action != audit.RoleReferent {
		t.Errorf("by tenant code: %d entries, %v", len(es), err)
	}
	_, _, err = d.s.ListForAdmin(ctx, admin, audit.Filter{TenantCode: "OCB9999999"})
	if es, ok := i18n.AsErrors(err); !ok || es[0].Field != "tenant" || es[0].Key != "audit.error.tenant_unknown" {
		t.Errorf("unknown tenant code: %v", err)
	}
	for _, login := range []string{"Alice.Agent", "Sophie.Commerciale", "Marie.Dupont"} {
		if _, _, err := d.s.ListForAdmin(ctx, d.actor(login).Actor, audit.Filter{}); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("%s reads the whole log: %v", login, err)
		}
		if _, err := d.s.ExportForAdmin(ctx, d.actor(login).Actor, audit.Filter{}); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("%s exports the whole log: %v", login, err)
		}
	}
	if n := d.count(); n != 4 {
		t.Errorf("refused exports wrote: %d entries", n)
	}
}

// TestAuditReferentReadsTheirTenantOnly: Marie reads the entries about OCB0000001 and no
// other, staff addresses masked; John, a member, is refused; Paul, of another organisation,
// and staff are told the tenant does not exist.
func TestAuditReferentReadsTheirTenantOnly(t *testing.T) {
	d := newDesk(t)
	t1, t4 := d.seed()
	for _, resolved := range []bool{false, true} {
		marie := d.actor("Marie.Dupont")
		if resolved {
			var err error
			if marie, err = tenancy.Resolve(ctx, d.DB, d.user("Marie.Dupont")); err != nil {
				t.Fatal(err)
			}
		}
		es, _, err := d.s.ListForTenant(ctx, marie, t1.ID, audit.Filter{TenantID: t4.ID, TenantCode: "OCB0000004"})
		if err != nil || len(es) != 2 {
			t.Fatalf("Marie (resolved %v): %d entries, %v", resolved, len(es), err)
		}
		for _, e := range es {
			if e.TenantCode != "OCB0000001" {
				t.Errorf("Marie reads an entry about %q", e.TenantCode)
			}
			if staff := e.Action == audit.RoleOwner; staff && e.IP != "" || !staff && e.IP != "192.0.2.9" {
				t.Errorf("entry %s: address %q (the admin's masked, Marie's own shown)", e.Action, e.IP)
			}
		}
		if err := d.s.CanReadTenant(ctx, marie, t1.ID); err != nil {
			t.Errorf("Marie may not read: %v", err)
		}
	}
	if _, _, err := d.s.ListForTenant(ctx, d.actor("John.Doe"), t1.ID, audit.Filter{}); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("John, not the referent: %v", err)
	}
	for _, login := range []string{"Paul.Martin", "admin", "Alice.Agent"} {
		if _, _, err := d.s.ListForTenant(ctx, d.actor(login), t1.ID, audit.Filter{}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s on Marie's tenant: %v, want not found", login, err)
		}
		if _, err := d.s.ExportForTenant(ctx, d.actor(login), t1.ID, audit.Filter{}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s exports Marie's tenant: %v, want not found", login, err)
		}
	}
	if _, _, err := d.s.ListForTenant(ctx, d.actor("Paul.Martin"), t4.ID, audit.Filter{}); err != nil {
		t.Errorf("Paul on his own tenant: %v", err)
	}
	if n := d.count(); n != 4 {
		t.Errorf("refused exports wrote: %d entries", n)
	}
}

// TestAuditExportIsRecorded: each export writes its own entry, with the reader, the address,
// the criteria and the count; a referent's carries the tenant, and the export holds the log as
// it was before it.
func TestAuditExportIsRecorded(t *testing.T) {
	d := newDesk(t)
	t1, _ := d.seed()
	marie, admin := d.user("Marie.Dupont"), d.user("admin")
	ipCtx := audit.WithIP(ctx, "203.0.113.5")

	es, err := d.s.ExportForTenant(ipCtx, tenancy.ActorOf(marie), t1.ID, audit.Filter{Action: "role", Before: 999999})
	if err != nil || len(es) != 1 || es[0].Action != audit.RoleOwner {
		t.Fatalf("Marie's export: %d entries, %v", len(es), err)
	}
	last := func() audit.Entry {
		t.Helper()
		all, _, err := audit.List(ctx, d.DB, audit.Filter{}, 1)
		if err != nil || len(all) != 1 {
			t.Fatal(err)
		}
		return all[0]
	}
	e := last()
	var after map[string]any
	if err := json.Unmarshal([]byte(e.After), &after); err != nil {
		t.Fatal(err)
	}
	if e.Action != audit.AuditExported || e.ActorID == nil || *e.ActorID != marie.ID || e.TenantID == nil || *e.TenantID != t1.ID ||
		e.IP != "203.0.113.5" || after["action"] != "role" || after["rows"] != float64(1) {
		t.Errorf("Marie's export entry: %+v after %v", e, after)
	}

	es, err = d.s.ExportForAdmin(ipCtx, tenancy.ActorOf(admin).Actor, audit.Filter{TenantCode: "OCB0000001"})
	if err != nil || len(es) != 3 { // two entries about the tenant, and Marie's export
		t.Fatalf("admin's export: %d entries, %v", len(es), err)
	}
	e = last()
	if e.Action != audit.AuditExported || *e.ActorID != admin.ID || e.TenantID != nil ||
		e.After != `{"rows":3,"tenant":"OCB0000001"}` {
		t.Errorf("admin's export entry: %+v", e)
	}
	if n := d.count(); n != 6 {
		t.Errorf("%d entries after two exports, want 6", n)
	}
}
