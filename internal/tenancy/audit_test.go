package tenancy_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/uptrace/bun"
)

// lastAudit returns the newest audit entry of action, failing the test when there is none.
func (d *desk) lastAudit(action string) audit.Entry {
	d.t.Helper()
	var e audit.Entry
	if err := d.DB.NewSelect().Model(&e).Where("action = ?", action).OrderExpr("id DESC").Limit(1).Scan(ctx); err != nil {
		d.t.Fatalf("no audit entry %s: %v", action, err)
	}
	return e
}

func jsonOf(t *testing.T, s string) map[string]any {
	t.Helper()
	m := map[string]any{}
	if s == "" {
		return m
	}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("audit JSON %q: %v", s, err)
	}
	return m
}

// wantEntry checks who, which tenant, which person, and the values before and after.
func wantEntry(t *testing.T, e audit.Entry, actor, tenant, subject int64, before, after map[string]any) {
	t.Helper()
	id := func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	}
	if id(e.ActorID) != actor || id(e.TenantID) != tenant || id(e.SubjectUserID) != subject {
		t.Errorf("%s: actor %d tenant %d subject %d, want %d %d %d", e.Action, id(e.ActorID), id(e.TenantID), id(e.SubjectUserID), actor, tenant, subject)
	}
	for k, v := range before {
		if got := jsonOf(t, e.Before)[k]; got != v {
			t.Errorf("%s: before[%s] = %v, want %v (%s)", e.Action, k, got, v, e.Before)
		}
	}
	for k, v := range after {
		if got := jsonOf(t, e.After)[k]; got != v {
			t.Errorf("%s: after[%s] = %v, want %v (%s)", e.Action, k, got, v, e.After)
		}
	}
	if e.At.IsZero() || time.Since(e.At) > time.Hour {
		t.Errorf("%s: at %v", e.Action, e.At)
	}
}

func TestAuditRecordsMembershipsRolesAndInvitations(t *testing.T) {
	d := newInviteDesk(t)
	t1 := d.tenant("OCB0000001")
	marie, john, paul := d.user("Marie.Dupont"), d.user("John.Doe"), d.user("Paul.Martin")
	ip := audit.WithIP(ctx, "192.0.2.7")

	// Rights: what they were and what they became, from the address of the request.
	if err := d.s.SetRights(ip, d.actor("Marie.Dupont"), t1.ID, john.ID, tenancy.Rights{Incidents: true, Changes: true}); err != nil {
		t.Fatal(err)
	}
	e := d.lastAudit(audit.MembershipRights)
	wantEntry(t, e, marie.ID, t1.ID, john.ID, map[string]any{"changes": false}, map[string]any{"changes": true, "incidents": true})
	if e.IP != "192.0.2.7" {
		t.Errorf("ip = %q", e.IP)
	}
	// The same rights again change nothing and record nothing.
	n := d.count("audit_log", "action = ?", audit.MembershipRights)
	if err := d.s.SetRights(ctx, d.actor("Marie.Dupont"), t1.ID, john.ID, tenancy.Rights{Incidents: true, Changes: true}); err != nil {
		t.Fatal(err)
	}
	if got := d.count("audit_log", "action = ?", audit.MembershipRights); got != n {
		t.Errorf("unchanged rights recorded: %d entries, want %d", got, n)
	}

	// Invitations: sent, cancelled, declined; accepted is a person joining.
	inv := d.invite("Marie.Dupont", "OCB0000001", "new.person@example.org", tenancy.Rights{Incidents: true})
	wantEntry(t, d.lastAudit(audit.InvitationSent), marie.ID, t1.ID, 0, nil, map[string]any{"email": "new.person@example.org", "incidents": true})
	if err := d.s.CancelInvitation(ctx, d.actor("Marie.Dupont"), t1.ID, inv.ID); err != nil {
		t.Fatal(err)
	}
	wantEntry(t, d.lastAudit(audit.InvitationCancelled), marie.ID, t1.ID, 0, map[string]any{"status": "pending"}, map[string]any{"status": "cancelled"})
	d.invite("Marie.Dupont", "OCB0000001", "other.person@example.org", tenancy.Rights{Incidents: true})
	if err := d.s.DeclineInvitation(ctx, d.mails.last(t).Token); err != nil {
		t.Fatal(err)
	}
	e = d.lastAudit(audit.InvitationDeclined)
	wantEntry(t, e, 0, t1.ID, 0, nil, map[string]any{"status": "declined"})
	if e.ActorLabel != "other.person@example.org" {
		t.Errorf("declined by %q", e.ActorLabel)
	}
	d.invite("Marie.Dupont", "OCB0000001", paul.Email, tenancy.Rights{Incidents: true, Contract: true})
	if _, err := d.s.AcceptInvitation(ctx, d.actor("Paul.Martin"), d.mails.last(t).Token); err != nil {
		t.Fatal(err)
	}
	wantEntry(t, d.lastAudit(audit.MembershipJoined), paul.ID, t1.ID, paul.ID, nil, map[string]any{"contract": true, "users": false})

	// Roles handed over, by login.
	if err := d.s.ChangeReferent(ctx, d.actor("Marie.Dupont"), t1.ID, paul.ID); err != nil {
		t.Fatal(err)
	}
	wantEntry(t, d.lastAudit(audit.RoleReferent), marie.ID, t1.ID, paul.ID, map[string]any{"referent": "Marie.Dupont"}, map[string]any{"referent": "Paul.Martin"})
	if err := d.s.ChangeOwner(ctx, d.actor("Marie.Dupont"), t1.ID, paul.ID); err != nil {
		t.Fatal(err)
	}
	wantEntry(t, d.lastAudit(audit.RoleOwner), marie.ID, t1.ID, paul.ID, map[string]any{"owner": "Marie.Dupont"}, map[string]any{"owner": "Paul.Martin"})

	// The Backup console, once FAB is active, granted by the domain owner (now Paul).
	if _, err := d.DB.NewUpdate().Table("tenants").Set("fab_activated_at = ?", d.now).Where("id = ?", t1.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d.s.SetBackupConsole(ctx, d.actor("Paul.Martin"), t1.ID, john.ID, true); err != nil {
		t.Fatal(err)
	}
	wantEntry(t, d.lastAudit(audit.BackupConsole), paul.ID, t1.ID, john.ID, map[string]any{"backup_console": false}, map[string]any{"backup_console": true})

	// Removal and withdrawal, with the rights the membership held.
	if err := d.s.RemoveMember(ctx, d.actor("Paul.Martin"), t1.ID, john.ID); err != nil {
		t.Fatal(err)
	}
	wantEntry(t, d.lastAudit(audit.MembershipRemoved), paul.ID, t1.ID, john.ID, map[string]any{"incidents": true}, nil)
	if err := d.s.Withdraw(ctx, d.actor("Marie.Dupont"), t1.ID); err != nil {
		t.Fatal(err)
	}
	wantEntry(t, d.lastAudit(audit.MembershipWithdrawn), marie.ID, t1.ID, marie.ID, map[string]any{"users": true}, nil)
}

func TestAuditRecordsTenantsAndAccounts(t *testing.T) {
	d := newInviteDesk(t)
	admin := d.user("admin")
	tn, err := contract.Onboard(audit.WithIP(ctx, "198.51.100.4"), d.DB, d.s, d.actor("admin"), contract.NewTenant{
		Code: "OCB0000077", Name: "Nouveau client", ReferentLogin: "Paul.Martin", OwnerLogin: "Paul.Martin",
		SalesRepLogin: "Sophie.Commerciale", Level: "business", EffectiveFrom: "2027-03-01"})
	if err != nil {
		t.Fatal(err)
	}
	e := d.lastAudit(audit.TenantOnboarded)
	wantEntry(t, e, admin.ID, tn.ID, 0, nil, map[string]any{"code": "OCB0000077", "referent": "Paul.Martin", "level": "business"})
	if e.IP != "198.51.100.4" {
		t.Errorf("ip = %q", e.IP)
	}
	if _, err := d.s.UpdateTenantDetails(ctx, d.actor("admin"), tn.ID, tenancy.TenantEdit{Name: "Client renommé", Status: tn.Status, SalesRepLogin: "Sophie.Commerciale"}); err != nil {
		t.Fatal(err)
	}
	wantEntry(t, d.lastAudit(audit.TenantUpdated), admin.ID, tn.ID, 0, map[string]any{"name": "Nouveau client"}, map[string]any{"name": "Client renommé"})
	// A tenant moved by the program (a cancellation day come) names the program.
	err = d.DB.RunInTx(audit.WithLabel(ctx, "job contract.run_due"), nil, func(ctx context.Context, tx bun.Tx) error {
		return tenancy.MoveTo(ctx, tx, tn, tenancy.TenantCancelled)
	})
	if err != nil {
		t.Fatal(err)
	}
	e = d.lastAudit(audit.TenantState)
	wantEntry(t, e, 0, tn.ID, 0, map[string]any{"status": "active"}, map[string]any{"status": "cancelled"})
	if e.ActorLabel != "job contract.run_due" {
		t.Errorf("moved by %q", e.ActorLabel)
	}

	// An account made from an invitation link is recorded as made by the person.
	d.invite("Marie.Dupont", "OCB0000001", "fresh@example.org", tenancy.Rights{Incidents: true})
	u, err := d.s.CreateInvitedAccount(ctx, d.mails.last(t).Token, tenancy.InvitedAccount{Login: "Fresh.Person",
		DisplayName: "Fresh Person", Lang: "en", Password: "a long enough passphrase", Confirm: "a long enough passphrase"})
	if err != nil {
		t.Fatal(err)
	}
	wantEntry(t, d.lastAudit("user.created"), u.ID, 0, u.ID, nil, map[string]any{"login": "Fresh.Person", "email": "fresh@example.org"})
	wantEntry(t, d.lastAudit(audit.MembershipJoined), u.ID, d.tenant("OCB0000001").ID, u.ID, nil, map[string]any{"incidents": true})
}

// A change that fails after its entry was written leaves neither: the entry is in its
// transaction. An invitation whose mail cannot be written is not sent, and not recorded.
func TestAuditEntryRollsBackWithItsChange(t *testing.T) {
	d := newInviteDesk(t)
	t1 := d.tenant("OCB0000001")
	before := d.count("audit_log", "1 = 1")
	invitations := d.count("invitations", "1 = 1")
	saved := d.s.Hooks
	d.s.Hooks = failingInvitations{d.mails}
	err := d.s.Invite(ctx, d.actor("Marie.Dupont"), t1.ID, tenancy.NewInvitation{Email: "x@example.org", Lang: "fr", Rights: tenancy.Rights{Incidents: true}})
	if err == nil {
		t.Fatal("the invitation was sent though its mail failed")
	}
	if got := d.count("audit_log", "1 = 1"); got != before {
		t.Errorf("audit entries: %d, want %d", got, before)
	}
	if got := d.count("invitations", "1 = 1"); got != invitations {
		t.Errorf("invitations: %d, want %d", got, invitations)
	}
	// And an entry that cannot be written stops its change.
	d.s.Hooks = saved
	john := d.user("John.Doe")
	if _, err := d.DB.ExecContext(ctx, "DROP TABLE audit_log"); err != nil {
		t.Fatal(err)
	}
	if err := d.s.SetRights(ctx, d.actor("Marie.Dupont"), t1.ID, john.ID, tenancy.AllRights); err == nil {
		t.Fatal("rights changed without their audit entry")
	}
	m, err := tenancy.MembershipOf(ctx, d.DB, t1.ID, john.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Rights == tenancy.AllRights {
		t.Error("the rights changed though their entry could not be written")
	}
}

// failingInvitations cannot write an invitation's mail.
type failingInvitations struct{ *inviteHooks }

func (failingInvitations) InvitationSent(context.Context, bun.IDB, *tenancy.Invitation, *identity.User, string) error {
	return errors.New("outbox unavailable")
}
