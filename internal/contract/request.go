package contract

import (
	"fmt"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/ticketno"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// Kind is what a contract request asks for: a support-level change or one of the sales forms.
type Kind string

// The kinds of request; the value is what is stored.
const (
	SupportLevel    Kind = "support_level"
	Cancellation    Kind = "cancellation"
	ReferentChange  Kind = "referent_change"
	OwnerChange     Kind = "owner_change"
	TenantOrder     Kind = "tenant_order"
	MultiTenantBill Kind = "multi_tenant_bill"
)

// Kinds lists every kind of request, the support-level change first.
func Kinds() []Kind {
	return []Kind{SupportLevel, Cancellation, ReferentChange, OwnerChange, TenantOrder, MultiTenantBill}
}

// SalesForms lists the kinds filed with a sales form, in the order the Contract tab offers them.
func SalesForms() []Kind { return Kinds()[1:] }

// ParseKind reads a stored kind.
func ParseKind(s string) (Kind, bool) {
	for _, k := range Kinds() {
		if string(k) == s {
			return k, true
		}
	}
	return "", false
}

// Key is the translation key of the kind's name.
func (k Kind) Key() string { return "contract.kind." + string(k) }

// Slug is the kind's path in the Contract tab: /contract/<slug>.
func (k Kind) Slug() string {
	switch k {
	case SupportLevel:
		return "level"
	case Cancellation:
		return "cancel"
	case ReferentChange:
		return "referent"
	case OwnerChange:
		return "owner"
	case TenantOrder:
		return "order"
	case MultiTenantBill:
		return "bill"
	}
	return ""
}

// State is where a request stands.
type State string

// The states of a request: pending until the sales rep accepts or rejects it.
const (
	Pending  State = "pending"
	Accepted State = "accepted"
	Rejected State = "rejected"
)

// States lists every state.
func States() []State { return []State{Pending, Accepted, Rejected} }

// Key is the translation key of the state's name.
func (s State) Key() string { return "contract.state." + string(s) }

// TimelineKind is the timeline subject kind of contract requests.
const TimelineKind = "request"

// OrderTarget is how soon the sales rep gives the code of an additional tenant.
const OrderTarget = 24 * time.Hour

// Request is a support-level change request or a sales form, with its decision.
type Request struct {
	bun.BaseModel `bun:"table:contract_requests,alias:r"`

	ID          int64 `bun:",pk,autoincrement"`
	TenantID    int64
	Kind        Kind
	State       State
	RequesterID int64
	// FromLevel and Level: a support-level change, from the level in force to the one asked for;
	// an additional tenant order keeps the level wanted for the new tenant in Level.
	FromLevel Level
	Level     Level
	// HolderName, HolderEmail, HolderLang: the new referent or domain owner.
	HolderName  string
	HolderEmail string
	HolderLang  string
	// ContractName is the contract name of an additional tenant; NewTenantCode its code, given
	// by the sales rep at acceptance.
	ContractName  string
	NewTenantCode string
	Details       string
	// DecisionReason is the sales rep's reason, required for a rejection.
	DecisionReason string
	DecidedBy      *int64
	DecidedAt      *time.Time
	// EffectiveOn is the first day of an accepted level, or the day of an accepted cancellation;
	// CommittedUntil the end of the commitment an accepted level starts.
	EffectiveOn    calendar.Date `bun:",nullzero"`
	CommittedUntil calendar.Date `bun:",nullzero"`
	// AppliedAt is when the effect due on EffectiveOn was carried out (mail sent, tenant cancelled).
	AppliedAt *time.Time
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time

	Tenant    *tenancy.Tenant `bun:"rel:belongs-to,join:tenant_id=id"`
	Requester *identity.User  `bun:"rel:belongs-to,join:requester_id=id"`
	Decider   *identity.User  `bun:"rel:belongs-to,join:decided_by=id"`
}

// Number is the request's reference as people quote it: REQ and the id on seven digits.
func (r *Request) Number() string { return FormatNumber(r.ID) }

// FormatNumber writes a request id as its number, REQ0000001.
func FormatNumber(id int64) string { return ticketno.Format("REQ", id) }

// Subject is the request's timeline subject.
func (r *Request) Subject() timeline.Subject { return timeline.Subject{Kind: TimelineKind, ID: r.ID} }

// Thread is the mail thread of every message about the request.
func (r *Request) Thread() string { return fmt.Sprintf("request-%d", r.ID) }

// IsPending reports whether the request waits for the sales rep.
func (r *Request) IsPending() bool { return r.State == Pending }

// Age is how long the request has been waiting at now.
func (r *Request) Age(now time.Time) time.Duration { return now.Sub(r.CreatedAt) }

// DueAt is when an additional tenant order should have its code (zero for other kinds).
func (r *Request) DueAt() time.Time {
	if r.Kind != TenantOrder {
		return time.Time{}
	}
	return r.CreatedAt.Add(OrderTarget)
}

// Overdue reports whether an order is still pending past its 24-hour target at now.
func (r *Request) Overdue(now time.Time) bool {
	return r.Kind == TenantOrder && r.State == Pending && now.After(r.DueAt())
}
