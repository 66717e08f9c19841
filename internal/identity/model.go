// Package identity owns who people are and how they prove it: users, passwords, lockout and
// login limits, sessions, one-time links and tokens, two-factor authentication; and the Actor,
// who asks.
package identity

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

// StaffKinds are the kinds Staff is true of, for queries.
var StaffKinds = []Kind{Agent, Sales, Admin}

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
	// ErasedAt is when the person was erased (GDPR): the account stays, pseudonymized and
	// inactive for ever, so that the tickets it took part in still name someone.
	ErasedAt *time.Time `bun:"erased_at"`
}

// Locked reports whether too many failed logins have locked the account.
func (u *User) Locked() bool { return u.LockedAt != nil }

// TwoFactor reports whether logging in asks u for a code after the password.
func (u *User) TwoFactor() bool { return u.TOTPEnabledAt != nil }

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
