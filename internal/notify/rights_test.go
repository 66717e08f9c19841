package notify_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/uptrace/bun"
)

// setRight grants or removes one right of u's membership of tenant.
func setRight(t *testing.T, idb bun.IDB, tenantID, userID int64, column string, on bool) {
	t.Helper()
	res, err := idb.NewUpdate().Table("memberships").Set("? = ?", bun.Ident(column), on).
		Where("tenant_id = ? AND user_id = ?", tenantID, userID).Exec(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("no membership of user %d in tenant %d", userID, tenantID)
	}
}

func tenant(t *testing.T, idb bun.IDB, code string) *tenancy.Tenant {
	t.Helper()
	tn, err := tenancy.TenantByCode(context.Background(), idb, code)
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

// A customer is addressed only with the right of the ticket's kind on the tenant; staff and
// lead addresses whatever the right; an audience without a right is a programming error.
func TestRecipientsNeedTheRight(t *testing.T) {
	a := newDesk(t)
	ctx := context.Background()
	john, alice := user(t, a, "John.Doe"), user(t, a, "Alice.Agent")
	t1 := tenant(t, a.DB, "OCB0000001")
	aud := func(r notify.Right) notify.Audience {
		return notify.Audience{TenantID: t1.ID, Right: r, Actor: tenancy.System.Actor, RequesterID: john.ID, AssigneeID: alice.ID,
			Roles: []notify.Role{notify.Requester, notify.Assignee, notify.SupportLeads}}
	}
	leads := []string{"leads@example.org"}
	// John holds the incidents right only on OCB0000001.
	setRight(t, a.DB, t1.ID, john.ID, "can_changes", false)
	setRight(t, a.DB, t1.ID, john.ID, "can_contract", false)
	for _, c := range []struct {
		right notify.Right
		want  []string
	}{
		{notify.RightIncidents, []string{john.Email, alice.Email, "leads@example.org"}},
		{notify.RightChanges, []string{alice.Email, "leads@example.org"}},
		{notify.RightContract, []string{alice.Email, "leads@example.org"}},
	} {
		got, err := a.Notifier.Recipients(ctx, a.DB, leads, "fr", aud(c.right))
		if err != nil {
			t.Fatal(err)
		}
		var emails []string
		for _, rc := range got {
			emails = append(emails, rc.Email)
			if rc.TenantID != t1.ID || rc.Right != c.right {
				t.Errorf("%s: recipient %s stamped with tenant %d, right %q", c.right, rc.Email, rc.TenantID, rc.Right)
			}
		}
		if !slices.Equal(emails, c.want) {
			t.Errorf("right %s: recipients %v, want %v", c.right, emails, c.want)
		}
	}
	// Once John's incidents right is removed, incident mail does not reach him either.
	setRight(t, a.DB, t1.ID, john.ID, "can_incidents", false)
	got, err := a.Notifier.Recipients(ctx, a.DB, nil, "fr", aud(notify.RightIncidents))
	if err != nil || len(got) != 1 || got[0].Email != alice.Email {
		t.Errorf("John without the incidents right: %v, %v; want Alice only", describe(got), err)
	}
	if _, err := a.Notifier.Recipients(ctx, a.DB, nil, "fr", aud("")); err == nil {
		t.Error("an audience without a right was accepted")
	}
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
		right  notify.Right
		to     *identity.User
		revoke func()
		reason string
	}{
		{"right removed", notify.RightIncidents, john, func() { setRight(t, a.DB, t1.ID, john.ID, "can_incidents", false) }, notify.ReasonNoRight},
		{"membership removed", notify.RightIncidents, john, func() {
			exec(a.DB.NewDelete().Table("memberships").Where("tenant_id = ? AND user_id = ?", t1.ID, john.ID))
		}, notify.ReasonNoAccess},
		{"account deactivated", notify.RightContract, marie, func() {
			exec(a.DB.NewUpdate().Model((*identity.User)(nil)).Set("active = ?", false).Where("id = ?", marie.ID))
		}, notify.ReasonInactive},
	} {
		t.Run(c.name, func(t *testing.T) {
			exec(a.DB.NewDelete().Model((*notify.Message)(nil)).Where("1 = 1"))
			if c.to == john {
				setRight(t, a.DB, t1.ID, john.ID, "can_incidents", true) // as before the previous case
			}
			before := len(srv.Received())
			err := a.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				rs, err := a.Notifier.Recipients(ctx, tx, []string{"leads@example.org"}, "fr", notify.Audience{TenantID: t1.ID,
					Right: c.right, Actor: tenancy.System.Actor, RequesterID: c.to.ID, AssigneeID: alice.ID,
					Roles: []notify.Role{notify.Requester, notify.Assignee, notify.SupportLeads}})
				if err != nil {
					return err
				}
				if len(rs) != 3 {
					t.Fatalf("recipients %v, want %s, Alice and the leads", describe(rs), c.to.Login)
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
