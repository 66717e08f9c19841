package tenantaccess_test

import (
	"context"
	"errors"
	"testing"

	"github.com/guichet/guichet/internal/account"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/tenantaccess"
	"github.com/guichet/guichet/internal/testutil"
)

// Of answers from what the request remembered, for that user and tenant only; anything else is
// read, with account.AccessTo's answer.
func TestOfReadsWhatTheRequestDidNotResolve(t *testing.T) {
	a := testutil.NewApp(t)
	ctx := context.Background()
	actor := func(login string) account.Actor {
		u, err := account.UserByLogin(ctx, a.DB, login)
		if err != nil {
			t.Fatal(err)
		}
		return account.ActorOf(u)
	}
	marie, paul := actor("Marie.Dupont"), actor("Paul.Martin")
	t1, err := account.TenantByCode(ctx, a.DB, "OCB0000001")
	if err != nil {
		t.Fatal(err)
	}

	read, err := tenantaccess.Of(ctx, a.DB, marie, t1.ID)
	if err != nil || !read.Referent || read.Tenant.ID != t1.ID {
		t.Fatalf("without a memo: %+v, %v", read, err)
	}
	// What the edge resolved is answered as it is, without reading.
	resolved := &account.Access{Tenant: t1, Rights: account.Rights{Changes: true}}
	rctx := tenantaccess.Remember(ctx, marie, resolved)
	if got, err := tenantaccess.Of(rctx, a.DB, marie, t1.ID); err != nil || got != resolved {
		t.Errorf("remembered: %+v, %v; want the resolved access", got, err)
	}
	// Another user, or another tenant, is read.
	if _, err := tenantaccess.Of(rctx, a.DB, paul, t1.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("another user: %v, want not found", err)
	}
	t2, err := account.TenantByCode(ctx, a.DB, "OCB0000002")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := tenantaccess.Of(rctx, a.DB, marie, t2.ID); err != nil || got.Tenant.ID != t2.ID || !got.Referent {
		t.Errorf("another tenant: %+v, %v", got, err)
	}
	// Nothing is remembered of a failed resolution, and the memo goes no further than its request.
	if tenantaccess.Remember(ctx, marie, nil) != ctx {
		t.Error("remembering nothing changed the context")
	}
	if got, err := tenantaccess.Of(ctx, a.DB, marie, t1.ID); err != nil || got == resolved {
		t.Errorf("another request: %+v, %v; want a fresh read", got, err)
	}
}
