package incident_test

import (
	"errors"
	"testing"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/timeline"
)

// Lists are authorized by the service: a customer lists one tenant where they hold the
// `incidents` right, agents and admins every tenant, anyone else nothing.
func TestListIsAuthorizedByTheService(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	john, paul, alice, admin := f.actor("John.Doe"), f.actor("Paul.Martin"), f.actor("Alice.Agent"), f.actor("admin")
	t1, t4 := f.tenant("OCB0000001"), f.tenant("OCB0000004")
	first, err := f.svc.Declare(ctx, john, t1, draft())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Declare(ctx, paul, t4, draft()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Do(ctx, alice, first.ID, incident.Act{Action: incident.Reply, Body: "hyperviseur nova-17 suspect", Internal: true}); err != nil {
		t.Fatal(err)
	}
	page := paging.Number(1)

	for _, c := range []struct {
		name   string
		login  string
		filter incident.Filter
		want   int   // incidents listed
		err    error // or the refusal
	}{
		{"a member with the right", "John.Doe", incident.Filter{TenantID: t1}, 1, nil},
		{"the referent", "Marie.Dupont", incident.Filter{TenantID: t1}, 1, nil},
		{"a customer of another tenant", "Paul.Martin", incident.Filter{TenantID: t1}, 0, apperr.ErrNotFound},
		{"a customer without a tenant chosen", "Marie.Dupont", incident.Filter{}, 0, apperr.ErrNotFound},
		{"a tenant that does not exist", "Marie.Dupont", incident.Filter{TenantID: 999999}, 0, apperr.ErrNotFound},
		{"an agent, every tenant", "Alice.Agent", incident.Filter{}, 2, nil},
		{"an agent, one tenant", "Alice.Agent", incident.Filter{TenantID: t4}, 1, nil},
		{"an admin, by tenant code", "admin", incident.Filter{TenantCode: "OCB0000004"}, 1, nil},
		{"a sales rep", "Sophie.Commerciale", incident.Filter{}, 0, apperr.ErrForbidden},
		{"a sales rep, one tenant", "Sophie.Commerciale", incident.Filter{TenantID: t1}, 0, apperr.ErrForbidden},
		// Only staff search internal notes, whatever the filter says.
		{"a customer searching notes", "Marie.Dupont", incident.Filter{TenantID: t1, Text: "nova", Staff: true}, 0, nil},
		{"an agent searching notes", "Alice.Agent", incident.Filter{Text: "nova"}, 1, nil},
	} {
		list, more, err := f.svc.List(ctx, f.actor(c.login), c.filter, page)
		if c.err != nil {
			if !errors.Is(err, c.err) || list != nil {
				t.Errorf("%s: %d incidents, %v; want %v", c.name, len(list), err, c.err)
			}
			continue
		}
		if err != nil || len(list) != c.want || more {
			t.Errorf("%s: %d incidents (more %v), %v; want %d", c.name, len(list), more, err, c.want)
		}
	}

	// A member whose `incidents` right was taken away is refused, not shown an empty list.
	if _, err := f.svc.DB.NewUpdate().Table("memberships").Set("can_incidents = ?", false).
		Where("tenant_id = ? AND user_id = ?", t1, john.UserID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.List(ctx, john, incident.Filter{TenantID: t1}, page); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("member without the right: %v, want forbidden", err)
	}
	// A tenant code nobody has is a refusal beside the tenant field.
	_, _, err = f.svc.List(ctx, admin, incident.Filter{TenantCode: "OCB9999999"}, page)
	if es, ok := i18n.AsErrors(err); !ok || es[0].Field != "tenant" || es[0].Key != "incident.error.tenant_filter" {
		t.Errorf("unknown tenant code: %v", err)
	}
}

// The assignee choices are for the staff who assign: agents and admins.
func TestAgentsAreForAgentsAndAdmins(t *testing.T) {
	f := newFixture(t)
	for login, want := range map[string]error{"Alice.Agent": nil, "admin": nil, "Sophie.Commerciale": apperr.ErrForbidden,
		"Marie.Dupont": apperr.ErrForbidden} {
		us, err := f.svc.Agents(t.Context(), f.actor(login))
		if !errors.Is(err, want) || (want == nil && len(us) == 0) {
			t.Errorf("%s: %d agents, %v; want %v", login, len(us), err, want)
		}
	}
}

// A page is read as asked, with whether another follows, and a page number beyond the bound is
// read as the last page allowed.
func TestListReadsOnePageAndSaysWhetherMoreFollow(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	john, alice := f.actor("John.Doe"), f.actor("Alice.Agent")
	t1 := f.tenant("OCB0000001")
	for range 3 {
		if _, err := f.svc.Declare(ctx, john, t1, draft()); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		page paging.Page
		want int
		more bool
	}{
		{paging.Page{Number: 1, Size: 2}, 2, true},
		{paging.Page{Number: 2, Size: 2}, 1, false},
		{paging.Page{Number: 3, Size: 2}, 0, false},
		{paging.Page{Number: 1, Size: 0}, 3, false},
		{paging.Page{Number: paging.MaxPage * 1000, Size: 2}, 0, false},
	} {
		for _, text := range []string{"", "ecs-prod-01"} {
			list, more, err := f.svc.List(ctx, alice, incident.Filter{Text: text}, c.page)
			if err != nil || len(list) != c.want || more != c.more {
				t.Errorf("page %+v, search %q: %d incidents, more %v, %v; want %d, more %v", c.page, text, len(list), more, err, c.want, c.more)
			}
		}
	}
}

// A search is scoped by tenant inside the index: a tenant's one matching incident is found
// behind 100,000 newer matches of another tenant (a global match list read newest first and
// filtered afterwards stopped before it).
func TestSearchFindsATenantsMatchBehindOtherTenantsNewerOnes(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	john, alice := f.actor("John.Doe"), f.actor("Alice.Agent")
	t1, t4 := f.tenant("OCB0000001"), f.tenant("OCB0000004")
	d := draft()
	d.Description = "Le pangolin du volume vol-7 ne répond plus."
	mine, err := f.svc.Declare(ctx, john, t1, d)
	if err != nil {
		t.Fatal(err)
	}
	docs := make([]timeline.Doc, 100_000)
	for i := range docs {
		docs[i] = timeline.Doc{RowID: int64(10_000_000 + i), Text: "pangolin", TenantID: t4}
	}
	if err := timeline.Index(ctx, f.svc.DB, docs...); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		who    string
		filter incident.Filter
	}{
		{"the customer", incident.Filter{TenantID: t1, Text: "pangolin"}},
		{"an agent on the tenant", incident.Filter{TenantID: t1, Text: "pangolin"}},
	} {
		actor := john
		if c.who != "the customer" {
			actor = alice
		}
		list, _, err := f.svc.List(ctx, actor, c.filter, paging.Number(1))
		if err != nil || len(list) != 1 || list[0].ID != mine.ID {
			t.Errorf("%s: %d incidents, %v; want %s", c.who, len(list), err, mine.Number())
		}
	}
}
