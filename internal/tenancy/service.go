// Package tenancy owns who may reach what: tenants and their lifecycle, memberships and their
// rights, invitations, the scope a customer works in, and the access decision every capability
// asks for.
package tenancy

import (
	"github.com/guichet/guichet/internal/access"
	"time"

	"github.com/guichet/guichet/internal/identity"
	"github.com/uptrace/bun"
)

// Service holds the tenancy use cases.
type Service struct {
	DB *bun.DB
	// Identity creates the account of an invited person.
	Identity *identity.Service
	// Hooks mail invitations; nil sends none.
	Hooks InvitationHooks
	// Now is the clock; tests replace it.
	Now func() time.Time

	// actors keeps what Resolve read, by user, under the request's access version.
	actors access.Cache[Actor]
}

// NewService returns a Service on db with the real clock.
func NewService(db *bun.DB, ids *identity.Service) *Service {
	return &Service{DB: db, Identity: ids, Now: func() time.Time { return time.Now().UTC() }}
}
