package audience_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

// 9. Roles become people once each, in their languages, never outside the tenant.
func TestRecipients(t *testing.T) {
	a := newDesk(t)
	ctx := context.Background()
	marie, john, paul := user(t, a, "Marie.Dupont"), user(t, a, "John.Doe"), user(t, a, "Paul.Martin")
	alice, sophie := user(t, a, "Alice.Agent"), user(t, a, "Sophie.Commerciale")
	t1, err := tenancy.TenantByCode(ctx, a.DB, "OCB0000001")
	if err != nil {
		t.Fatal(err)
	}
	t4, err := tenancy.TenantByCode(ctx, a.DB, "OCB0000004")
	if err != nil {
		t.Fatal(err)
	}
	rc := func(u *identity.User) string { return fmt.Sprintf("%s/%s/%d", u.Email, u.Lang, u.ID) }
	lead := func(addr, lang string) string { return addr + "/" + lang + "/0" }
	leads := []string{"Leads@Example.org", "ALICE.AGENT@example.com", "marie.dupont@example.fr"}
	all := []audience.Role{audience.Requester, audience.Referent, audience.SalesRep, audience.Assignee}

	for _, c := range []struct {
		name  string
		leads []string
		def   string
		aud   aud
		want  []string
	}{
		{"referent who is the requester gets one message", nil, "fr",
			aud{TenantID: t1.ID, Actor: tenancy.ActorOf(alice), RequesterID: marie.ID, Roles: all},
			[]string{rc(marie), rc(sophie)}},
		{"the actor is not told of their own action", nil, "fr",
			aud{TenantID: t1.ID, Actor: tenancy.ActorOf(marie), RequesterID: marie.ID, AssigneeID: alice.ID, Roles: all},
			[]string{rc(sophie), rc(alice)}},
		{"unless the message confirms it", nil, "fr",
			aud{TenantID: t1.ID, Actor: tenancy.ActorOf(marie), Confirm: true, RequesterID: marie.ID, Roles: all},
			[]string{rc(marie), rc(sophie)}},
		{"a member requester, in English", nil, "fr",
			aud{TenantID: t1.ID, Actor: tenancy.ActorOf(alice), RequesterID: john.ID, Roles: []audience.Role{audience.Requester}},
			[]string{rc(john)}},
		{"a customer outside the tenant is never addressed", nil, "fr",
			aud{TenantID: t1.ID, Actor: tenancy.ActorOf(alice), RequesterID: paul.ID, Roles: []audience.Role{audience.Requester}},
			[]string{}},
		{"nor as assignee", nil, "fr",
			aud{TenantID: t1.ID, Actor: tenancy.ActorOf(alice), AssigneeID: paul.ID, Roles: []audience.Role{audience.Assignee}},
			[]string{}},
		{"staff are addressed", nil, "fr",
			aud{TenantID: t4.ID, Actor: tenancy.ActorOf(paul), AssigneeID: alice.ID, Roles: []audience.Role{audience.Assignee, audience.SalesRep}},
			[]string{rc(alice), rc(sophie)}},
		{"unknown user ids are skipped", nil, "fr",
			aud{TenantID: t1.ID, Actor: tenancy.ActorOf(alice), RequesterID: 999999, AssigneeID: 999998, Roles: all},
			[]string{rc(marie), rc(sophie)}},
		{"support leads: the referent's language, staff as themselves, once each", leads, "en",
			aud{TenantID: t1.ID, Actor: tenancy.ActorOf(sophie), Roles: []audience.Role{audience.Referent, audience.SupportLeads}},
			[]string{rc(marie), lead("Leads@Example.org", "fr"), rc(alice)}},
		{"a support lead who acted is not told; a customer's address is checked as theirs", leads, "en",
			aud{TenantID: t1.ID, Actor: tenancy.ActorOf(alice), Roles: []audience.Role{audience.SupportLeads}},
			[]string{lead("Leads@Example.org", "fr"), fmt.Sprintf("marie.dupont@example.fr/fr/%d", marie.ID)}},
		{"a support lead address of a customer outside the tenant is not addressed", []string{"paul.martin@example.fr"}, "fr",
			aud{TenantID: t1.ID, Actor: tenancy.ActorOf(alice), Roles: []audience.Role{audience.SupportLeads}},
			[]string{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.aud.Right = tenancy.RightIncidents
			got, err := recipients(ctx, a.DB, c.leads, c.def, c.aud)
			if err != nil {
				t.Fatal(err)
			}
			if d := describe(got); !slices.Equal(d, c.want) && !(len(d) == 0 && len(c.want) == 0) {
				t.Errorf("Recipients = %v, want %v", d, c.want)
			}
		})
	}

	// The leads' language follows the referent's, not the default.
	if _, err := a.DB.NewUpdate().Model((*identity.User)(nil)).Set("lang = 'en'").Where("id = ?", paul.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := recipients(ctx, a.DB, []string{"leads@example.org"}, "fr",
		aud{TenantID: t4.ID, Right: tenancy.RightIncidents, Actor: tenancy.ActorOf(alice), Roles: []audience.Role{audience.SupportLeads}})
	if err != nil || !slices.Equal(describe(got), []string{lead("leads@example.org", "en")}) {
		t.Errorf("leads of a tenant whose referent reads English: %v, %v", describe(got), err)
	}

	// An inactive user is not addressed.
	if _, err := a.DB.NewUpdate().Model((*identity.User)(nil)).Set("active = ?", false).Where("id = ?", sophie.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	got, err = recipients(ctx, a.DB, nil, "fr",
		aud{TenantID: t1.ID, Right: tenancy.RightIncidents, Actor: tenancy.ActorOf(alice), Roles: []audience.Role{audience.SalesRep}})
	if err != nil || len(got) != 0 {
		t.Errorf("inactive sales rep: %v, %v; want nobody", describe(got), err)
	}
}

// A customer is addressed only with the right of the ticket's kind on the tenant; staff and
// lead addresses whatever the right; an audience without a right is a programming error.
func TestRecipientsNeedTheRight(t *testing.T) {
	a := newDesk(t)
	ctx := context.Background()
	john, alice := user(t, a, "John.Doe"), user(t, a, "Alice.Agent")
	t1 := tenant(t, a.DB, "OCB0000001")
	event := func(r tenancy.Right) aud {
		return aud{TenantID: t1.ID, Right: r, Actor: tenancy.System, RequesterID: john.ID, AssigneeID: alice.ID,
			Roles: []audience.Role{audience.Requester, audience.Assignee, audience.SupportLeads}}
	}
	leads := []string{"leads@example.org"}
	// John holds the incidents right only on OCB0000001.
	testutil.SetRight(t, a.DB, t1.ID, john.ID, "can_changes", false)
	testutil.SetRight(t, a.DB, t1.ID, john.ID, "can_contract", false)
	for _, c := range []struct {
		right tenancy.Right
		want  []string
	}{
		{tenancy.RightIncidents, []string{john.Email, alice.Email, "leads@example.org"}},
		{tenancy.RightChanges, []string{alice.Email, "leads@example.org"}},
		{tenancy.RightContract, []string{alice.Email, "leads@example.org"}},
	} {
		got, err := recipients(ctx, a.DB, leads, "fr", event(c.right))
		if err != nil {
			t.Fatal(err)
		}
		var emails []string
		for _, rc := range got {
			emails = append(emails, rc.Email)
			if rc.TenantID != t1.ID || rc.Right != string(c.right) {
				t.Errorf("%s: recipient %s stamped with tenant %d, right %q", c.right, rc.Email, rc.TenantID, rc.Right)
			}
		}
		if !slices.Equal(emails, c.want) {
			t.Errorf("right %s: recipients %v, want %v", c.right, emails, c.want)
		}
	}
	// Once John's incidents right is removed, incident mail does not reach him either.
	testutil.SetRight(t, a.DB, t1.ID, john.ID, "can_incidents", false)
	got, err := recipients(ctx, a.DB, nil, "fr", event(tenancy.RightIncidents))
	if err != nil || len(got) != 1 || got[0].Email != alice.Email {
		t.Errorf("John without the incidents right: %v, %v; want Alice only", describe(got), err)
	}
	if _, err := recipients(ctx, a.DB, nil, "fr", event("")); err == nil {
		t.Error("an audience without a right was accepted")
	}
}

// The tenant the caller holds is used as it is, with its people as the caller left them (a
// referent just changed in the transaction is the one told), without reading it again.
func TestCallersTenantIsUsed(t *testing.T) {
	a := newDesk(t)
	ctx := context.Background()
	john, alice := user(t, a, "John.Doe"), user(t, a, "Alice.Agent")
	t1 := tenant(t, a.DB, "OCB0000001")
	t1.ReferentID, t1.Referent = john.ID, john
	ro := &audience.Roster{DefaultLang: "fr"}
	got, err := ro.To(ctx, a.DB, audience.Event{Tenant: t1, TenantID: t1.ID, Right: tenancy.RightIncidents, Actor: tenancy.ActorOf(alice)},
		audience.Referent)
	if err != nil || !slices.Equal(describe(got), []string{fmt.Sprintf("%s/%s/%d", john.Email, john.Lang, john.ID)}) {
		t.Errorf("referent of the caller's tenant: %v, %v; want John", describe(got), err)
	}
}
