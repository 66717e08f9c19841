package tenancy

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/uptrace/bun"
)

// What the reader of an invitation link can do.
const (
	LinkAccept       = "accept"        // logged in as a customer with the invited address
	LinkOtherAddress = "other_address" // logged in with another address: refused
	LinkStaff        = "staff"         // logged in as staff: staff never become members
	LinkLogIn        = "login"         // not logged in, and an account has the address
	LinkCreate       = "create"        // not logged in, and no account has the address
)

// InvitationLink is what an invitation link's page shows its reader.
type InvitationLink struct {
	Invitation *Invitation
	Mode       string
}

// openByToken returns the invitation of a link that still works, or ErrBadInvitation.
func (s *Service) openByToken(ctx context.Context, idb bun.IDB, token string) (*Invitation, error) {
	if token == "" || len(token) > 200 {
		return nil, ErrBadInvitation
	}
	inv, err := InvitationByToken(ctx, idb, token)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		return nil, ErrBadInvitation
	case err != nil:
		return nil, err
	case !inv.Open(s.Now()):
		return nil, ErrBadInvitation
	}
	return inv, nil
}

// OpenInvitation reads an invitation link for actor (the zero Actor for a visitor) and says
// what they can do with it. The holder of the link read the mail sent to the address, so the
// page may show what the mail said.
func (s *Service) OpenInvitation(ctx context.Context, actor Actor, token string) (*InvitationLink, error) {
	inv, err := s.openByToken(ctx, s.DB, token)
	if err != nil {
		return nil, err
	}
	l := &InvitationLink{Invitation: inv}
	switch {
	case actor.UserID != 0 && actor.Staff():
		l.Mode = LinkStaff
	case actor.UserID != 0 && emailKey(actor.Email) != inv.EmailKey:
		l.Mode = LinkOtherAddress
	case actor.UserID != 0:
		l.Mode = LinkAccept
	default:
		us, err := usersWithEmail(ctx, s.DB, inv.Email)
		if err != nil {
			return nil, err
		}
		l.Mode = LinkCreate
		if len(us) > 0 {
			l.Mode = LinkLogIn
		}
	}
	return l, nil
}

// AcceptInvitation makes actor a member with the invited rights, through the mailed link. The
// invitation is for its address: an account with another address is refused, and so is staff.
func (s *Service) AcceptInvitation(ctx context.Context, actor Actor, token string) (*Invitation, error) {
	inv, err := s.openByToken(ctx, s.DB, token)
	if err != nil {
		return nil, err
	}
	if actor.Kind != identity.Customer {
		return nil, apperr.ErrForbidden
	}
	if emailKey(actor.Email) != inv.EmailKey {
		return nil, ErrInvitationOtherAddress
	}
	return inv, s.join(ctx, actor.UserID, inv)
}

// AcceptInvitationByID is the home page's "Accept" button. Only invitations to the actor's own
// address exist for them.
func (s *Service) AcceptInvitationByID(ctx context.Context, actor Actor, id int64) (*Invitation, error) {
	inv, err := s.mine(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return inv, s.join(ctx, actor.UserID, inv)
}

// DeclineInvitation refuses an invitation through the mailed link; whoever holds the link read
// the mail, so no login is needed.
func (s *Service) DeclineInvitation(ctx context.Context, token string) error {
	inv, err := s.openByToken(ctx, s.DB, token)
	if err != nil {
		return err
	}
	return s.decline(ctx, inv)
}

// DeclineInvitationByID is the home page's "Decline" button.
func (s *Service) DeclineInvitationByID(ctx context.Context, actor Actor, id int64) error {
	inv, err := s.mine(ctx, actor, id)
	if err != nil {
		return err
	}
	return s.decline(ctx, inv)
}

func (s *Service) decline(ctx context.Context, inv *Invitation) error {
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		ok, err := CloseInvitation(ctx, tx, inv.ID, InvitationDeclined, 0, s.Now())
		if err == nil && !ok {
			err = ErrBadInvitation
		}
		if err != nil {
			return err
		}
		// Declined through the mailed link, maybe by someone without an account: no actor id.
		return audit.Write(ctx, tx, audit.Change{Action: audit.InvitationDeclined, ActorLabel: inv.Email, TenantID: inv.TenantID,
			Object: fmt.Sprintf("invitation %d", inv.ID), Before: map[string]any{"email": inv.Email, "status": InvitationPending},
			After: map[string]any{"status": InvitationDeclined}})
	})
}

// MyInvitations lists the invitations to the actor's address that can still be accepted, for
// their home page.
func (s *Service) MyInvitations(ctx context.Context, actor Actor) ([]Invitation, error) {
	if actor.Kind != identity.Customer || strings.TrimSpace(actor.Email) == "" {
		return nil, nil
	}
	return OpenInvitationsTo(ctx, s.DB, actor.Email, s.Now())
}

// mine returns an open invitation to the actor's address, or apperr.ErrNotFound.
func (s *Service) mine(ctx context.Context, actor Actor, id int64) (*Invitation, error) {
	if actor.Kind != identity.Customer {
		return nil, apperr.ErrNotFound
	}
	inv, err := InvitationByID(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if inv.EmailKey != emailKey(actor.Email) || !inv.Open(s.Now()) {
		return nil, apperr.ErrNotFound
	}
	return inv, nil
}

// join claims the invitation and writes the membership in one transaction. Someone who is
// already a member keeps the rights they have.
func (s *Service) join(ctx context.Context, userID int64, inv *Invitation) error {
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return s.claimAndJoin(ctx, tx, userID, inv)
	})
}

func (s *Service) claimAndJoin(ctx context.Context, tx bun.IDB, userID int64, inv *Invitation) error {
	ok, err := CloseInvitation(ctx, tx, inv.ID, InvitationAccepted, userID, s.Now())
	if err != nil {
		return err
	}
	if !ok {
		return ErrBadInvitation
	}
	_, err = MembershipOf(ctx, tx, inv.TenantID, userID)
	if !errors.Is(err, apperr.ErrNotFound) {
		return err
	}
	if err := InsertMembership(ctx, tx, &Membership{TenantID: inv.TenantID, UserID: userID, Rights: inv.Rights}); err != nil {
		return err
	}
	return audit.Write(ctx, tx, audit.Change{Action: audit.MembershipJoined, ActorID: userID, TenantID: inv.TenantID,
		SubjectID: userID, Object: fmt.Sprintf("invitation %d", inv.ID), After: inv.Rights.Facts()})
}

// InvitedAccount is the form an invitation link shows when no account has the address.
type InvitedAccount struct {
	Login       string
	DisplayName string
	Lang        string
	Password    string
	Confirm     string
}

func (in *InvitedAccount) check() error {
	in.Login, in.DisplayName = strings.TrimSpace(in.Login), strings.TrimSpace(in.DisplayName)
	var es i18n.Errors
	identity.CheckLogin(&es, in.Login)
	identity.CheckDisplayName(&es, "display_name", in.DisplayName)
	if !identity.ValidLang(in.Lang) {
		es.Add(i18n.FieldError("lang", "error.field.choice"))
	}
	identity.CheckNewPassword(&es, "password", in.Password)
	if in.Password != in.Confirm {
		es.Add(i18n.FieldError("confirm", "error.password.mismatch"))
	}
	return es.Err()
}

// CreateInvitedAccount creates a customer account with the invited address, through the link
// mailed to it, and makes it a member with the invited rights. The person chose their password
// here, so no welcome mail is sent.
func (s *Service) CreateInvitedAccount(ctx context.Context, token string, in InvitedAccount) (*identity.User, error) {
	inv, err := s.openByToken(ctx, s.DB, token)
	if err != nil {
		return nil, err
	}
	us, err := usersWithEmail(ctx, s.DB, inv.Email)
	if err != nil {
		return nil, err
	}
	if len(us) > 0 {
		return nil, ErrInvitationHasAccount
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	// Hashing takes tens of milliseconds: outside the transaction, which holds SQLite's write lock.
	hash, err := identity.HashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	u := &identity.User{Login: in.Login, Email: inv.Email, DisplayName: in.DisplayName, Lang: in.Lang, Kind: identity.Customer,
		Active: true, PasswordHash: hash}
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := identity.InsertUser(ctx, tx, u); err != nil {
			return err
		}
		if err := audit.Write(ctx, tx, audit.Change{Action: audit.UserCreated, ActorID: u.ID, SubjectID: u.ID, Object: u.Login,
			After: map[string]any{"login": u.Login, "email": u.Email, "name": u.DisplayName, "lang": u.Lang,
				"kind": string(u.Kind), "active": true, "invitation": inv.ID}}); err != nil {
			return err
		}
		return s.claimAndJoin(ctx, tx, u.ID, inv)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}
