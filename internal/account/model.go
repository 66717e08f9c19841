// Package account owns users, tenants, memberships, sessions, passwords and lockout, and the
// Actor every service authorizes.
package account

import (
	"time"

	"github.com/uptrace/bun"
)

// Kind says which space a user works in.
type Kind string

const (
	Customer Kind = "customer"
	Agent    Kind = "agent"
	Sales    Kind = "sales"
	Admin    Kind = "admin"
)

// Kinds lists every kind, for forms and validation.
var Kinds = []Kind{Customer, Agent, Sales, Admin}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// Staff reports whether k works for the provider rather than a customer.
func (k Kind) Staff() bool { return k == Agent || k == Sales || k == Admin }

// Languages the desk speaks.
var Languages = []string{"fr", "en"}

// ValidLang reports whether l is one of Languages.
func ValidLang(l string) bool { return l == "fr" || l == "en" }

// User is a person who can log in.
type User struct {
	bun.BaseModel `bun:"table:users"`

	ID           int64 `bun:",pk,autoincrement"`
	Login        string
	LoginKey     string
	Email        string
	DisplayName  string
	Lang         string
	Kind         Kind
	Active       bool
	PasswordHash string
	FailedLogins int
	LockedAt     *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// TOTPSecret is the base32 secret of two-factor authentication, set when enrolment starts;
	// it counts from TOTPEnabledAt on. TOTPLastStep is the time step of the last code accepted.
	TOTPSecret    string     `bun:"totp_secret"`
	TOTPEnabledAt *time.Time `bun:"totp_enabled_at"`
	TOTPLastStep  int64      `bun:"totp_last_step"`
}

// Locked reports whether too many failed logins have locked the account.
func (u *User) Locked() bool { return u.LockedAt != nil }

// TwoFactor reports whether logging in asks u for a code after the password.
func (u *User) TwoFactor() bool { return u.TOTPEnabledAt != nil }

// Tenant statuses.
const (
	TenantActive                = "active"
	TenantCancellationRequested = "cancellation_requested"
	TenantCancelled             = "cancelled"
)

// TenantStatuses lists every status, for forms and validation.
var TenantStatuses = []string{TenantActive, TenantCancellationRequested, TenantCancelled}

// Tenant is a customer's OpenStack domain, the scope of incidents, changes and contracts.
type Tenant struct {
	bun.BaseModel `bun:"table:tenants"`

	ID         int64 `bun:",pk,autoincrement"`
	Code       string
	Name       string
	Status     string
	ReferentID int64
	OwnerID    int64
	SalesRepID *int64
	CreatedAt  time.Time
	UpdatedAt  time.Time

	Referent *User `bun:"rel:belongs-to,join:referent_id=id"`
	Owner    *User `bun:"rel:belongs-to,join:owner_id=id"`
	SalesRep *User `bun:"rel:belongs-to,join:sales_rep_id=id"`
}

// Rights a membership grants on its tenant.
type Rights struct {
	Incidents bool `bun:"can_incidents"`
	Changes   bool `bun:"can_changes"`
	Contract  bool `bun:"can_contract"`
	Users     bool `bun:"can_users"`
}

// AllRights is what a referent holds.
var AllRights = Rights{true, true, true, true}

// Any reports whether r grants anything.
func (r Rights) Any() bool { return r.Incidents || r.Changes || r.Contract || r.Users }

// Membership links a customer user to a tenant with rights.
type Membership struct {
	bun.BaseModel `bun:"table:memberships"`

	TenantID int64 `bun:",pk"`
	UserID   int64 `bun:",pk"`
	Rights
	CreatedAt time.Time

	User   *User   `bun:"rel:belongs-to,join:user_id=id"`
	Tenant *Tenant `bun:"rel:belongs-to,join:tenant_id=id"`
}

// Session is a logged-in browser. Only a hash of its token is stored, so a copy of the
// database does not let anyone into the desk.
type Session struct {
	bun.BaseModel `bun:"table:sessions"`

	IDHash        string `bun:",pk"`
	UserID        int64
	ScopeTenantID *int64
	CreatedAt     time.Time
	LastSeenAt    time.Time
	// Pending marks a login that passed the password and waits for its second factor: it opens
	// nothing, and only the second step reads it.
	Pending bool
}
