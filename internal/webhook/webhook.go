// Package webhook tells HTTPS endpoints of what happens to tickets: admins register endpoints
// for any tenant or for all of them, a tenant's referent for their own tenant. Each event that
// an active endpoint subscribes to becomes a delivery, written in the transaction of the change
// that caused it (the outbox pattern), and a worker posts it, signed with the endpoint's secret,
// at least once: retried with backoff, dead 24 hours after the event.
package webhook

import (
	"slices"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/events"
	"github.com/uptrace/bun"
)

// Statuses of a delivery.
const (
	StatusPending   = "pending"
	StatusDelivered = "delivered"
	StatusDead      = "dead"
)

// Statuses lists the statuses of a delivery.
var Statuses = []string{StatusPending, StatusDelivered, StatusDead}

// Limits.
const (
	// RetryWindow is how long after its event a delivery is retried before it is dead.
	RetryWindow = 24 * time.Hour
	// Timeout is how long an endpoint has to answer.
	Timeout = 10 * time.Second
	// MaxPerTenant is how many endpoints one tenant may have (and admins for every tenant).
	MaxPerTenant   = 10
	MaxURL         = 2000
	MaxDescription = 200
	// Keep is how long a delivery is kept after its retry window, for the log.
	Keep = 30 * 24 * time.Hour
)

// Patterns are what an endpoint may subscribe to: an event type, or a family of them.
var Patterns = append([]string{"incident.*", "change.*", "contract.request.*", "major_incident.*"}, events.Types...)

// Webhook is an endpoint told of events. TenantID nil is an endpoint of every tenant.
type Webhook struct {
	bun.BaseModel `bun:"table:webhooks,alias:w"`

	ID       int64  `bun:"id,pk,autoincrement"`
	TenantID *int64 `bun:"tenant_id"`
	URL      string `bun:"url"`
	// Secret signs the deliveries; it is shown once, when made, and never again.
	Secret      string    `bun:"secret"`
	EventsRaw   string    `bun:"events"`
	Description string    `bun:"description"`
	Active      bool      `bun:"active"`
	Version     int       `bun:"version"`
	CreatedBy   int64     `bun:"created_by"`
	CreatedAt   time.Time `bun:"created_at"`
	UpdatedAt   time.Time `bun:"updated_at"`

	// Read with the endpoint.
	TenantCode    string `bun:"tenant_code,scanonly"`
	CreatedByName string `bun:"created_by_name,scanonly"`
}

// Events lists the patterns the endpoint subscribes to.
func (w *Webhook) Events() []string { return strings.Fields(w.EventsRaw) }

// Wants reports whether the endpoint subscribes to an event type.
func (w *Webhook) Wants(typ string) bool {
	return slices.ContainsFunc(w.Events(), func(p string) bool { return Matches(p, typ) })
}

// AllTenants reports whether the endpoint hears of every tenant.
func (w *Webhook) AllTenants() bool { return w.TenantID == nil }

// Matches reports whether pattern (a type, or a family ending in ".*") covers typ.
func Matches(pattern, typ string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(typ, prefix)
	}
	return pattern == typ
}

// Delivery is one event to post to one endpoint.
type Delivery struct {
	bun.BaseModel `bun:"table:webhook_deliveries,alias:d"`

	ID            int64      `bun:"id,pk,autoincrement"`
	WebhookID     int64      `bun:"webhook_id"`
	EventID       string     `bun:"event_id"`
	EventType     string     `bun:"event_type"`
	Payload       string     `bun:"payload"`
	Status        string     `bun:"status"`
	Attempts      int        `bun:"attempts"`
	NextAttemptAt time.Time  `bun:"next_attempt_at"`
	ClaimedUntil  *time.Time `bun:"claimed_until"`
	ClaimedBy     string     `bun:"claimed_by"`
	DeadlineAt    time.Time  `bun:"deadline_at"`
	// LastStatus is the HTTP status of the last answer (0: none, the endpoint could not be
	// reached or did not answer in time); LastError says what went wrong.
	LastStatus  int        `bun:"last_status"`
	LastError   string     `bun:"last_error"`
	CreatedAt   time.Time  `bun:"created_at"`
	UpdatedAt   time.Time  `bun:"updated_at"`
	DeliveredAt *time.Time `bun:"delivered_at"`
}
