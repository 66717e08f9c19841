// Package incident owns incidents: what a customer declares on a tenant and support works to a
// resolution, with its states, ITIL priority, SLA and timeline.
package incident

import (
	"time"

	"github.com/guichet/guichet/internal/sla"
	"github.com/guichet/guichet/internal/ticketno"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// Status is where an incident stands; its values are the SLA package's.
type Status = sla.Status

// The states of an incident.
const (
	New             = sla.StatusNew
	InProgress      = sla.StatusInProgress
	PendingCustomer = sla.StatusPendingCustomer
	Resolved        = sla.StatusResolved
	Closed          = sla.StatusClosed
	Cancelled       = sla.StatusCancelled
)

// Statuses lists the states in the order of an incident's life.
var Statuses = []Status{New, InProgress, PendingCustomer, Resolved, Closed, Cancelled}

// Open are the states in which support owes work.
var Open = []Status{New, InProgress, PendingCustomer}

// StatusKey is the translation key of a state, in the customer's words.
func StatusKey(s Status) string { return "incident.status." + string(s) }

// StatusKeyFor is the translation key of a state for its reader: staff read their own words
// where the customer's would mislead them ("Waiting for customer", not "Waiting for you").
func StatusKeyFor(s Status, staff bool) string {
	if staff {
		return StaffKey(StatusKey(s))
	}
	return StatusKey(s)
}

// StaffKey turns a state's key, as the timeline records it, into the key staff read.
func StaffKey(key string) string {
	if key == StatusKey(PendingCustomer) {
		return "incident.staff_status." + string(PendingCustomer)
	}
	return key
}

// Priority is P1 (most urgent) to P4.
type Priority = sla.Priority

// Priorities lists P1 to P4.
var Priorities = []Priority{sla.P1, sla.P2, sla.P3, sla.P4}

// Level is high, medium or low: an impact or an urgency.
type Level string

// The impact and urgency levels.
const (
	High   Level = "high"
	Medium Level = "medium"
	Low    Level = "low"
)

// Levels lists the impact and urgency levels, highest first.
var Levels = []Level{High, Medium, Low}

// LevelKey is the translation key of an impact level (l'impact, masculine in French).
func LevelKey(l Level) string { return "incident.level." + string(l) }

// UrgencyKey is the translation key of an urgency level (l'urgence, feminine in French).
func UrgencyKey(l Level) string { return "incident.urgency_level." + string(l) }

// Limits of what a customer may write.
const (
	MaxTitle       = 200
	MaxDescription = 20000
	MaxPhone       = 40
	MaxRegionOther = 100
	// ReopenWindow is how long after its resolution a customer may reopen an incident; after it
	// the incident closes itself.
	ReopenWindow = 7 * 24 * time.Hour
)

// SubjectKind names incidents in the shared timeline.
const SubjectKind = "incident"

// Incident is one declared incident.
type Incident struct {
	bun.BaseModel `bun:"table:incidents,alias:i"`

	ID          int64    `bun:"id,pk,autoincrement"`
	TenantID    int64    `bun:"tenant_id"`
	ReporterID  int64    `bun:"reporter_id"`
	AssigneeID  *int64   `bun:"assignee_id"`
	Title       string   `bun:"title"`
	Description string   `bun:"description"`
	Service     string   `bun:"service"`
	Region      string   `bun:"region"`
	RegionOther string   `bun:"region_other"` // a Cloud Alliance region, named when Region is "alliance"
	Impact      Level    `bun:"impact"`
	Urgency     Level    `bun:"urgency"`
	Priority    Priority `bun:"priority"`
	Status      Status   `bun:"status"`
	Phone       string   `bun:"phone"`
	// Level is the tenant's support level when the incident was declared: its SLA's contract.
	Level   sla.Level `bun:"level"`
	Version int       `bun:"version"`
	// MajorID is the major incident the incident is linked to, if any (package major).
	MajorID *int64 `bun:"major_id"`
	// The SLA's next due time and risk time while support owes work (NoDue otherwise), and when
	// the breach job must look at the incident again (nil: never). Derived from the timeline at
	// every change, for sorting and filtering only: pages evaluate the timeline itself.
	SLADueAt          time.Time  `bun:"sla_due_at"`
	SLARiskAt         time.Time  `bun:"sla_risk_at"`
	SLAAlertAt        *time.Time `bun:"sla_alert_at"`
	FRBreachNotified  bool       `bun:"fr_breach_notified"`
	ResBreachNotified bool       `bun:"res_breach_notified"`
	CreatedAt         time.Time  `bun:"created_at"`
	UpdatedAt         time.Time  `bun:"updated_at"`
	ResolvedAt        *time.Time `bun:"resolved_at"`

	// Read with lists and pages.
	TenantCode   string `bun:"tenant_code,scanonly"`
	TenantName   string `bun:"tenant_name,scanonly"`
	ReporterName string `bun:"reporter_name,scanonly"`
	AssigneeName string `bun:"assignee_name,scanonly"`
}

// NoDue sorts incidents with no running SLA clock after every other in the agents' queue.
var NoDue = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// HasDue reports whether the incident has a running SLA clock.
func (i *Incident) HasDue() bool { return i.SLADueAt.Before(NoDue) }

// Number is the incident's number as people say it: INC0000042.
func (i *Incident) Number() string { return Number(i.ID) }

// Number formats an incident id.
func Number(id int64) string { return ticketno.Format("INC", id) }

// ParseNumber reads INC0000042 (or inc42) back into an id; ok is false for anything else.
func ParseNumber(s string) (int64, bool) { return ticketno.Parse("INC", s) }

// Subject is the incident in the shared timeline.
func (i *Incident) Subject() timeline.Subject {
	return timeline.Subject{Kind: SubjectKind, ID: i.ID, TenantID: i.TenantID}
}

// Assigned reports whether someone works on the incident.
func (i *Incident) Assigned() bool { return i.AssigneeID != nil }

// ReopenUntil is the last instant the customer may reopen a resolved incident.
func (i *Incident) ReopenUntil() time.Time {
	if i.ResolvedAt == nil {
		return time.Time{}
	}
	return i.ResolvedAt.Add(ReopenWindow)
}

// IsOpen reports whether support owes work on the incident.
func (i *Incident) IsOpen() bool {
	return i.Status == New || i.Status == InProgress || i.Status == PendingCustomer
}
