package tenancy

import (
	"time"

	"github.com/guichet/guichet/internal/identity"
	"github.com/uptrace/bun"
)

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
	// Ref1 is the customer's own reference on the bill (« Votre référence »), which the referent
	// changes from the Services tab; Ref2 and Ref3 are the provider's, shown read-only.
	Ref1 string `bun:"ref1"`
	Ref2 string `bun:"ref2"`
	Ref3 string `bun:"ref3"`
	// FABActivatedAt is when the File and Applicative Backup service was activated on the
	// tenant; nil while it is not.
	FABActivatedAt *time.Time `bun:"fab_activated_at"`
	CreatedAt      time.Time
	UpdatedAt      time.Time

	Referent *identity.User `bun:"rel:belongs-to,join:referent_id=id"`
	Owner    *identity.User `bun:"rel:belongs-to,join:owner_id=id"`
	SalesRep *identity.User `bun:"rel:belongs-to,join:sales_rep_id=id"`
}

// Rights a membership grants on its tenant.
type Rights struct {
	Incidents bool `bun:"can_incidents"`
	Changes   bool `bun:"can_changes"`
	Contract  bool `bun:"can_contract"`
	Users     bool `bun:"can_users"`
	Services  bool `bun:"can_services"`
}

// AllRights is what a referent holds.
var AllRights = Rights{Incidents: true, Changes: true, Contract: true, Users: true, Services: true}

// Facts are r as the audit log records it.
func (r Rights) Facts() map[string]any {
	return map[string]any{"incidents": r.Incidents, "changes": r.Changes, "contract": r.Contract, "users": r.Users,
		"services": r.Services}
}

// Any reports whether r grants anything.
func (r Rights) Any() bool { return r.Incidents || r.Changes || r.Contract || r.Users || r.Services }

// Membership links a customer user to a tenant with rights.
type Membership struct {
	bun.BaseModel `bun:"table:memberships"`

	TenantID int64 `bun:",pk"`
	UserID   int64 `bun:",pk"`
	Rights
	// BackupConsole is the « Backup console » right (role Cust_Admin) on the tenant's File and
	// Applicative Backup console: only the domain owner grants it, once FAB is active.
	BackupConsole bool `bun:"can_backup_console"`
	CreatedAt     time.Time

	User   *identity.User `bun:"rel:belongs-to,join:user_id=id"`
	Tenant *Tenant        `bun:"rel:belongs-to,join:tenant_id=id"`
}
