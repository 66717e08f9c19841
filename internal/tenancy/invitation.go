package tenancy

import (
	"context"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/uptrace/bun"
)

// Members join a tenant by invitation: a user with the Users right invites an email address,
// and the person who reads the mail at that address accepts before becoming a member. Until then
// the inviter sees only the address they typed, and every answer of the form is the same whether
// the address is unknown, a staff member's or an existing customer's: adding someone to a tenant
// needs their consent, and the form tells nothing about other companies' accounts.

// Invitation statuses. An expired invitation is a pending one past its expiry.
const (
	InvitationPending   = "pending"
	InvitationAccepted  = "accepted"
	InvitationDeclined  = "declined"
	InvitationCancelled = "cancelled"
	InvitationRenewed   = "renewed"
)

const (
	// InvitationLifetime is how long an invitation link works.
	InvitationLifetime = 7 * 24 * time.Hour
	// InvitationsPerDay bounds the invitations a tenant sends in 24 hours, renewals included: each
	// sends a mail to an address the customer typed.
	InvitationsPerDay = 20
	// InvitationWindow is the day InvitationsPerDay counts over.
	InvitationWindow = 24 * time.Hour
)

// Invitation is an email address invited to join a tenant with rights.
type Invitation struct {
	bun.BaseModel `bun:"table:invitations"`

	ID       int64 `bun:",pk,autoincrement"`
	TenantID int64
	Email    string // as the inviter typed it
	EmailKey string
	Lang     string // the mail's language when the address has no account
	Rights
	InvitedBy int64
	TokenHash string
	Status    string
	CreatedAt time.Time
	ExpiresAt time.Time
	ClosedAt  *time.Time
	UserID    *int64 // who accepted

	Tenant  *Tenant        `bun:"rel:belongs-to,join:tenant_id=id"`
	Inviter *identity.User `bun:"rel:belongs-to,join:invited_by=id"`
}

// Expired reports whether the invitation's link no longer works at now.
func (inv *Invitation) Expired(now time.Time) bool { return !now.Before(inv.ExpiresAt) }

// Open reports whether the invitation can still be accepted or declined at now.
func (inv *Invitation) Open(now time.Time) bool {
	return inv.Status == InvitationPending && !inv.Expired(now)
}

// emailKey is the case-insensitive form of an address: one person, one key.
func emailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// InvitationHooks write the invitation mail in the caller's transaction (notify.AccountHooks
// does); a Service without hooks (command-line tools) sends no invitation mail.
type InvitationHooks interface {
	// InvitationSent mails the link with token to the invited address: to invitee, in their
	// language, when the address is a customer's, else to the address in inv.Lang. inv carries
	// its Tenant and Inviter.
	InvitationSent(ctx context.Context, tx bun.IDB, inv *Invitation, invitee *identity.User, token string) error
}

var (
	// ErrBadInvitation is the one answer for an unknown, expired, cancelled, declined or accepted
	// invitation link.
	ErrBadInvitation = i18n.NewError("error.invitation.bad_link")
	// ErrInvitationOtherAddress refuses an invitation to an account whose address is not the
	// invited one: the invitation is for the address.
	ErrInvitationOtherAddress = i18n.NewError("error.invitation.other_address")
	// ErrInvitationHasAccount refuses to create a second account for an address that has one:
	// its owner logs in and accepts.
	ErrInvitationHasAccount = i18n.NewError("error.invitation.has_account")
)
