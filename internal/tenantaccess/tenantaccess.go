// Package tenantaccess answers what a customer may do on a tenant once per request: the edge
// remembers the access it resolved for the request (the tenant chosen with the scope selector)
// in the request's context, and a service that authorizes the same request asks Of, which reads
// the database only for a tenant not resolved yet.
package tenantaccess

import (
	"context"
	"sync"

	"github.com/guichet/guichet/internal/account"
	"github.com/uptrace/bun"
)

type ctxKey struct{}

type key struct{ user, tenant int64 }

// memo is one request's resolved accesses.
type memo struct {
	mu sync.Mutex
	m  map[key]*account.Access
}

// Remember returns ctx remembering that a is actor's access to a's tenant.
func Remember(ctx context.Context, actor account.Actor, a *account.Access) context.Context {
	if a == nil || a.Tenant == nil {
		return ctx
	}
	m, ok := ctx.Value(ctxKey{}).(*memo)
	if !ok {
		m = &memo{m: map[key]*account.Access{}}
		ctx = context.WithValue(ctx, ctxKey{}, m)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[key{actor.UserID, a.Tenant.ID}] = a
	return ctx
}

// Of returns what actor may do on tenantID: the access remembered for this request, or
// account.AccessTo's answer (apperr.ErrNotFound for a tenant that is not theirs).
func Of(ctx context.Context, idb bun.IDB, actor account.Actor, tenantID int64) (*account.Access, error) {
	if m, ok := ctx.Value(ctxKey{}).(*memo); ok && actor.Kind == account.Customer {
		m.mu.Lock()
		a, ok := m.m[key{actor.UserID, tenantID}]
		m.mu.Unlock()
		if ok {
			return a, nil
		}
	}
	return account.AccessTo(ctx, idb, actor, tenantID)
}
