// Package audit is the desk's audit log: who changed rights, roles, memberships, invitations,
// accounts, two-factor authentication, API tokens and tenants, who exported what, and the GDPR
// actions, from which address, what before and what after. Each entry is written by Write in
// the transaction of the change it records, so a change rolled back leaves no entry; the desk
// never updates an entry (GDPR erasure alone replaces an erased person's address in them).
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Actions recorded. Each has its label under "audit.action.<action>" in the locales.
const (
	MembershipRights    = "membership.rights"    // a member's rights changed
	MembershipRemoved   = "membership.removed"   // a member removed from a tenant
	MembershipWithdrawn = "membership.withdrawn" // a member left a tenant
	MembershipJoined    = "membership.joined"    // a person joined a tenant (invitation accepted)
	BackupConsole       = "membership.backup_console"
	RoleReferent        = "role.referent" // the tenant's referent handed over
	RoleOwner           = "role.owner"    // the tenant's domain owner handed over
	InvitationSent      = "invitation.sent"
	InvitationCancelled = "invitation.cancelled"
	InvitationDeclined  = "invitation.declined"
	UserCreated         = "user.created"
	UserUpdated         = "user.updated"   // name, email, kind, language or activation changed by an admin
	UserActivated       = "user.activated" // the account's first password set from the welcome link
	UserLockoutReset    = "user.lockout_reset"
	TwoFactorEnabled    = "2fa.enabled"
	TwoFactorDisabled   = "2fa.disabled"
	TwoFactorReset      = "2fa.reset"
	RecoveryCodes       = "2fa.recovery_codes"
	TokenCreated        = "token.created"
	TokenRevoked        = "token.revoked"
	TenantOnboarded     = "tenant.onboarded"
	TenantUpdated       = "tenant.updated"
	TenantState         = "tenant.state"  // active, cancelled…
	ConfigLoaded        = "config.loaded" // a catalogue or the SLA policy loaded anew (it changed)
	Exported            = "export"        // a CSV export (object names which)
	AuditExported       = "audit.exported"
	GDPRExported        = "gdpr.exported"
	GDPRErased          = "gdpr.erased"
	BackupTaken         = "backup.taken"
	AttachmentsPurged   = "retention.purged"
)

// Entry is one line of the log.
type Entry struct {
	bun.BaseModel `bun:"table:audit_log"`

	ID int64     `bun:"id,pk,autoincrement"`
	At time.Time `bun:"at,notnull"`
	// ActorID is the user who acted; nil for the program itself, ActorLabel then says what
	// ("job backup.daily", "command line", "start-up").
	ActorID    *int64 `bun:"actor_id"`
	ActorLabel string `bun:"actor_label,notnull"`
	IP         string `bun:"ip,notnull"`
	Action     string `bun:"action,notnull"`
	// TenantID is the tenant the change concerns, if any: referents read their tenants' part.
	TenantID *int64 `bun:"tenant_id"`
	// SubjectUserID is the person the change concerns, if any: their GDPR export holds it.
	SubjectUserID *int64 `bun:"subject_user_id"`
	// Object names what changed beyond the tenant and the person: "token 12", "catalogue".
	Object string `bun:"object,notnull"`
	// Before and After are JSON objects of the values that changed ("" when none).
	Before string `bun:"before_json,notnull"`
	After  string `bun:"after_json,notnull"`

	// Read with the entry by List, not columns of the table.
	ActorName   string `bun:"actor_name,scanonly"`
	SubjectName string `bun:"subject_name,scanonly"`
	TenantCode  string `bun:"tenant_code,scanonly"`
}

type ipKey struct{}

type labelKey struct{}

type actorKey struct{}

// WithActor returns ctx naming the user whose request (page or API token) is under way: Write
// records them for a change that names no actor of its own (a tenant moved by a decision).
func WithActor(ctx context.Context, userID int64) context.Context {
	return context.WithValue(ctx, actorKey{}, userID)
}

// WithLabel returns ctx naming the program's part that acts without a user ("command line",
// "job backup.daily"): Write records it for changes made by the system actor.
func WithLabel(ctx context.Context, label string) context.Context {
	return context.WithValue(ctx, labelKey{}, label)
}

// WithIP returns ctx carrying the client address of the request acting; Write records it.
func WithIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, ipKey{}, ip)
}

// IP is the client address ctx carries ("" outside a request).
func IP(ctx context.Context) string {
	ip, _ := ctx.Value(ipKey{}).(string)
	return ip
}

// Change is what Record writes: the action, by whom, about what, before and after.
type Change struct {
	Action string
	// ActorID is the acting user (0: the program, ActorLabel saying what).
	ActorID    int64
	ActorLabel string
	TenantID   int64 // 0: none
	SubjectID  int64 // the person concerned, 0: none
	Object     string
	// Before and After are marshalled to JSON (nil: nothing); maps or structs of the values
	// that changed, never a password, token secret or TOTP key.
	Before, After any
}

// Write records c in idb, which must be the transaction of the change it describes.
func Write(ctx context.Context, idb bun.IDB, c Change) error {
	e := &Entry{At: time.Now().UTC(), ActorLabel: c.ActorLabel, IP: IP(ctx), Action: c.Action, Object: c.Object}
	if c.ActorID == 0 && c.ActorLabel == "" {
		c.ActorID, _ = ctx.Value(actorKey{}).(int64)
	}
	if c.ActorID != 0 {
		e.ActorID = &c.ActorID
	} else if e.ActorLabel == "" {
		e.ActorLabel, _ = ctx.Value(labelKey{}).(string)
		if e.ActorLabel == "" {
			e.ActorLabel = "system"
		}
	}
	if c.TenantID != 0 {
		e.TenantID = &c.TenantID
	}
	if c.SubjectID != 0 {
		e.SubjectUserID = &c.SubjectID
	}
	var err error
	if e.Before, err = encode(c.Before); err != nil {
		return err
	}
	if e.After, err = encode(c.After); err != nil {
		return err
	}
	if _, err := idb.NewInsert().Model(e).Exec(ctx); err != nil {
		return fmt.Errorf("audit %s: %w", c.Action, err)
	}
	return nil
}

func encode(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("audit: %w", err)
	}
	if string(b) == "null" || string(b) == "{}" {
		return "", nil
	}
	return string(b), nil
}

// Diff keeps of before and after the keys of after whose values differ: what a change records.
func Diff(before, after map[string]any) (map[string]any, map[string]any) {
	b, a := map[string]any{}, map[string]any{}
	for k, v := range after {
		if before[k] != v {
			b[k], a[k] = before[k], v
		}
	}
	return b, a
}
