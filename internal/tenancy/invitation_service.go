package tenancy

import (
	"context"
	"fmt"
	"strings"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/uptrace/bun"
)

// NewInvitation is the Users tab's "invite a member" form.
type NewInvitation struct {
	Email  string
	Lang   string // of the mail, when the address has no account
	Rights Rights
}

func (in *NewInvitation) check() error {
	in.Email = strings.TrimSpace(in.Email)
	var es i18n.Errors
	identity.CheckEmail(&es, "email", in.Email)
	if !identity.ValidLang(in.Lang) {
		es.Add(i18n.FieldError("lang", "error.field.choice"))
	}
	if !in.Rights.Any() {
		es.Add(i18n.FieldError("rights", "error.member.no_rights"))
	}
	return es.Err()
}

// Invite invites an email address to join tenant with rights, and mails it a link; inviting an
// address again renews its pending invitation. The answer is the same whether the address is
// unknown, a staff member's or a customer's: staff addresses get no mail (they can never become
// members), but the invitation is written all the same.
func (s *Service) Invite(ctx context.Context, actor Actor, tenantID int64, in NewInvitation) error {
	a, err := s.usersManager(ctx, actor, tenantID)
	if err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	// Members' addresses are on the Users tab already: saying so tells the inviter nothing new.
	member, err := s.isMemberAddress(ctx, tenantID, in.Email)
	if err != nil {
		return err
	}
	if member {
		return i18n.FieldError("email", "error.invitation.already_member")
	}
	now := s.Now()
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// The count and the insert share the transaction, which holds SQLite's write lock from its
		// start, and on PostgreSQL the tenant's invitation lock: concurrent requests, in any
		// process, cannot both pass the limit.
		if err := db.Serialize(ctx, tx, fmt.Sprintf("invitations:%d", tenantID)); err != nil {
			return err
		}
		n, err := CountInvitationsSince(ctx, tx, tenantID, now.Add(-InvitationWindow))
		if err != nil {
			return err
		}
		if n >= InvitationsPerDay {
			return i18n.FieldError("email", "error.invitation.rate_limited", "Max", InvitationsPerDay)
		}
		if err := renewInvitations(ctx, tx, tenantID, in.Email, now); err != nil {
			return err
		}
		token := identity.NewToken()
		inv := &Invitation{TenantID: tenantID, Email: in.Email, EmailKey: emailKey(in.Email), Lang: in.Lang,
			Rights: in.Rights, InvitedBy: actor.UserID, TokenHash: identity.HashToken(token), Status: InvitationPending,
			CreatedAt: now.UTC(), ExpiresAt: now.UTC().Add(InvitationLifetime)}
		if err := InsertInvitation(ctx, tx, inv); err != nil {
			return err
		}
		after := inv.Rights.Facts()
		after["email"], after["lang"] = inv.Email, inv.Lang
		if err := audit.Write(ctx, tx, audit.Change{Action: audit.InvitationSent, ActorID: actor.UserID, TenantID: tenantID,
			Object: fmt.Sprintf("invitation %d", inv.ID), After: after}); err != nil {
			return err
		}
		inv.Tenant = a.Tenant
		if inv.Inviter, err = identity.UserByID(ctx, tx, actor.UserID); err != nil {
			return err
		}
		return s.mailInvitation(ctx, tx, inv, token)
	})
}

// isMemberAddress reports whether a member of tenant, as the Users tab lists them, has email.
func (s *Service) isMemberAddress(ctx context.Context, tenantID int64, email string) (bool, error) {
	ms, err := Members(ctx, s.DB, tenantID)
	if err != nil {
		return false, err
	}
	for _, m := range ms {
		if emailKey(m.User.Email) == emailKey(email) {
			return true, nil
		}
	}
	return false, nil
}

// mailInvitation mails the link to the invited address: to the customer account that has it,
// in their language, or to the bare address in the language chosen on the form. An address any
// staff account has gets nothing.
func (s *Service) mailInvitation(ctx context.Context, tx bun.IDB, inv *Invitation, token string) error {
	hooks := s.Hooks
	if hooks == nil {
		return nil
	}
	us, err := usersWithEmail(ctx, tx, inv.Email)
	if err != nil {
		return err
	}
	var invitee *identity.User
	for i := range us {
		switch {
		case us[i].Kind.Staff():
			return nil
		case invitee == nil:
			invitee = &us[i]
		}
	}
	return hooks.InvitationSent(ctx, tx, inv, invitee, token)
}

// Invitations lists the tenant's pending invitations for the Users tab: the address as typed,
// the rights, the date and the inviter; nothing of the account the address may belong to.
func (s *Service) Invitations(ctx context.Context, actor Actor, tenantID int64) ([]Invitation, error) {
	if _, err := s.usersManager(ctx, actor, tenantID); err != nil {
		return nil, err
	}
	return PendingInvitations(ctx, s.DB, tenantID)
}

// CancelInvitation withdraws a pending invitation of tenant: its link stops working. Another
// tenant's invitation, or one no longer pending, is not found.
func (s *Service) CancelInvitation(ctx context.Context, actor Actor, tenantID, invitationID int64) error {
	if _, err := AccessTo(ctx, s.DB, actor, tenantID); err != nil {
		return err
	}
	inv, err := InvitationByID(ctx, s.DB, invitationID)
	if err != nil {
		return err
	}
	if inv.TenantID != tenantID || inv.Status != InvitationPending {
		return apperr.ErrNotFound
	}
	if _, err := s.usersManager(ctx, actor, tenantID); err != nil {
		return err
	}
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		ok, err := CloseInvitation(ctx, tx, inv.ID, InvitationCancelled, 0, s.Now())
		if err == nil && !ok {
			err = apperr.ErrNotFound
		}
		if err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Change{Action: audit.InvitationCancelled, ActorID: actor.UserID, TenantID: tenantID,
			Object: fmt.Sprintf("invitation %d", inv.ID), Before: map[string]any{"email": inv.Email, "status": InvitationPending},
			After: map[string]any{"status": InvitationCancelled}})
	})
}
