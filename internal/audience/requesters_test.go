package audience_test

import (
	"context"
	"testing"

	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
)

// Requesters answers for many people at once what To(Requester) answers for each: for every
// demo user on every demo tenant, every right, with a member without rights, a deactivated
// customer and a tenant that does not exist.
func TestRequestersAgreeWithTo(t *testing.T) {
	a := newDesk(t)
	ctx := context.Background()
	john := user(t, a, "John.Doe")
	// John loses every right on OCB0000002, where he becomes a member without any.
	t2 := tenant(t, a.DB, "OCB0000002")
	if _, err := a.DB.NewInsert().Model(&tenancy.Membership{TenantID: t2.ID, UserID: john.ID}).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	paul := user(t, a, "Paul.Martin")
	if _, err := a.DB.NewUpdate().Model((*identity.User)(nil)).Set("active = ?", false).Where("id = ?", paul.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	var users []identity.User
	var tenants []tenancy.Tenant
	if err := a.DB.NewSelect().Model(&users).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.DB.NewSelect().Model(&tenants).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	ro := &audience.Roster{DefaultLang: "fr"}
	for _, right := range []tenancy.Right{tenancy.RightIncidents, tenancy.RightChanges, tenancy.RightContract} {
		var pairs []tenancy.UserTenant
		for _, u := range users {
			for _, tn := range tenants {
				pairs = append(pairs, tenancy.UserTenant{UserID: u.ID, TenantID: tn.ID})
			}
			pairs = append(pairs, tenancy.UserTenant{UserID: u.ID, TenantID: 999999})
		}
		got, err := ro.Requesters(ctx, a.DB, right, pairs)
		if err != nil {
			t.Fatal(err)
		}
		reached := 0
		for _, p := range pairs {
			want := 0
			if p.TenantID != 999999 {
				rs, err := ro.To(ctx, a.DB, audience.Event{TenantID: p.TenantID, Right: right, Confirm: true, RequesterID: p.UserID}, audience.Requester)
				if err != nil {
					t.Fatal(err)
				}
				want = len(rs)
			}
			rc, ok := got[p]
			if ok != (want == 1) {
				t.Errorf("%s: user %d on tenant %d: Requesters says %v, To says %d recipients", right, p.UserID, p.TenantID, ok, want)
			}
			if ok {
				reached++
				if rc.TenantID != p.TenantID || rc.Right != string(right) || rc.UserID != p.UserID || rc.Lang == "" {
					t.Errorf("%s: recipient %+v not stamped with its pair %+v", right, rc, p)
				}
			}
		}
		if reached == 0 || reached == len(pairs) {
			t.Errorf("%s: %d of %d pairs reached: the table tells nothing apart", right, reached, len(pairs))
		}
	}
}
