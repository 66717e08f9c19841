package notify_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/uptrace/bun"
)

func tenant(t *testing.T, idb bun.IDB, code string) *tenancy.Tenant {
	t.Helper()
	tn, err := tenancy.TenantByCode(context.Background(), idb, code)
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

// A customer who loses access between the writing and the sending does not get the message: it
// is dropped, with the reason, for the admin to read; staff and lead addresses written with it,
// and mail about the account itself, are sent.
func TestWorkerDropsWhenAccessLost(t *testing.T) {
	a := newDesk(t)
	srv := testutil.StartSMTP(t)
	ctx := context.Background()
	john, marie, alice := user(t, a, "John.Doe"), user(t, a, "Marie.Dupont"), user(t, a, "Alice.Agent")
	t1 := tenant(t, a.DB, "OCB0000001")
	w := newWorker(a, newSender(a, srv.Port), newClock(time.Now().Add(time.Hour)))
	w.StillReaches = audience.StillReaches(a.DB) // as the program sets it
	roster := &audience.Roster{Leads: []string{"leads@example.org"}, DefaultLang: "fr"}
	exec := func(q interface {
		Exec(context.Context, ...any) (sql.Result, error)
	}) {
		t.Helper()
		if _, err := q.Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name   string
		right  tenancy.Right
		to     *identity.User
		revoke func()
		reason string
	}{
		{"right removed", tenancy.RightIncidents, john, func() { testutil.SetRight(t, a.DB, t1.ID, john.ID, "can_incidents", false) }, notify.ReasonNoRight},
		{"membership removed", tenancy.RightIncidents, john, func() {
			exec(a.DB.NewDelete().Table("memberships").Where("tenant_id = ? AND user_id = ?", t1.ID, john.ID))
		}, notify.ReasonNoAccess},
		{"account deactivated", tenancy.RightContract, marie, func() {
			exec(a.DB.NewUpdate().Model((*identity.User)(nil)).Set("active = ?", false).Where("id = ?", marie.ID))
		}, notify.ReasonInactive},
	} {
		t.Run(c.name, func(t *testing.T) {
			exec(a.DB.NewDelete().Model((*notify.Message)(nil)).Where("1 = 1"))
			if c.to == john {
				testutil.SetRight(t, a.DB, t1.ID, john.ID, "can_incidents", true) // as before the previous case
			}
			before := len(srv.Received())
			err := a.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				rs, err := roster.To(ctx, tx, audience.Event{TenantID: t1.ID, Right: c.right, Actor: tenancy.System,
					RequesterID: c.to.ID, AssigneeID: alice.ID}, audience.Requester, audience.Assignee, audience.SupportLeads)
				if err != nil {
					return err
				}
				if len(rs) != 3 {
					t.Fatalf("recipients %d, want %s, Alice and the leads", len(rs), c.to.Login)
				}
				return a.Notifier.Enqueue(ctx, tx, resetNotice(a, "drop"), rs...)
			})
			if err != nil {
				t.Fatal(err)
			}
			enqueueReset(t, a, "account", notify.RecipientOf(c.to)) // mail about the account: no tenant
			c.revoke()
			runOnce(t, w, 4)
			for _, m := range outboxRows(t, a) {
				want, reason := notify.StatusSent, ""
				if m.RecipientEmail == c.to.Email && m.TenantID != nil {
					want, reason = notify.StatusDropped, c.reason
				}
				if m.Status != want || m.LastError != reason || m.ClaimedBy != "" || m.ClaimedUntil != nil {
					t.Errorf("%s (tenant %v): status %s, last_error %q; want %s %q", m.RecipientEmail, m.TenantID, m.Status, m.LastError, want, reason)
				}
			}
			got := srv.Received()[before:]
			if len(got) != 3 || len(testutil.To(got, c.to.Email)) != 1 {
				t.Errorf("relay received %d messages, %d for %s; want 3, and only the account mail for them", len(got), len(testutil.To(got, c.to.Email)), c.to.Login)
			}
			admin := tenancy.ActorOf(user(t, a, "admin"))
			list, total, err := (&notify.Outbox{DB: a.DB}).List(ctx, admin.Actor, notify.StatusDropped, paging.Page{})
			if err != nil || total != 1 || len(list) != 1 || list[0].LastError != c.reason {
				t.Errorf("Outbox(dropped) = %d rows, total %d, %v; want the one message with its reason", len(list), total, err)
			}
		})
	}
}

// A worker without StillReaches (notify alone, with no capability to ask) sends a message whose
// customer recipient lost the right.
func TestWorkerWithoutCheckSends(t *testing.T) {
	a := newDesk(t)
	srv := testutil.StartSMTP(t)
	john := user(t, a, "John.Doe")
	t1 := tenant(t, a.DB, "OCB0000001")
	rc := notify.RecipientOf(john)
	rc.TenantID, rc.Right = t1.ID, string(tenancy.RightIncidents)
	enqueueReset(t, a, "nocheck", rc)
	testutil.SetRight(t, a.DB, t1.ID, john.ID, "can_incidents", false)
	runOnce(t, newWorker(a, newSender(a, srv.Port), newClock(time.Now().Add(time.Hour))), 1)
	if m := oneRow(t, a); m.Status != notify.StatusSent || m.RequiredRight != "incidents" {
		t.Errorf("status %s, required right %q; want sent, incidents", m.Status, m.RequiredRight)
	}
}
