// Package major owns major incidents: an outage announced in French and in English to the
// customers of the tenants it concerns, its public updates, the incidents linked to it, and
// what its updates and its resolution do to them (mail once per person, timeline entries,
// resolution of the linked incidents), in bounded transactions that a restart carries on.
package major

import (
	"github.com/guichet/guichet/internal/cloud"
	"slices"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/ticketno"
	"github.com/uptrace/bun"
)

// State is a major incident's public state.
type State string

// The public states, in the order of an outage's life.
const (
	Investigating State = "investigating"
	Identified    State = "identified"
	Monitoring    State = "monitoring"
	Resolved      State = "resolved"
)

// States lists the public states in order.
var States = []State{Investigating, Identified, Monitoring, Resolved}

// Key is the translation key of the state.
func (s State) Key() string { return "major.state." + string(s) }

// Valid reports whether s is a known state.
func (s State) Valid() bool { return slices.Contains(States, s) }

// Major is one major incident.
type Major struct {
	bun.BaseModel `bun:"table:major_incidents,alias:m"`

	ID              int64      `bun:"id,pk,autoincrement"`
	TitleFR         string     `bun:"title_fr"`
	TitleEN         string     `bun:"title_en"`
	DescriptionFR   string     `bun:"description_fr"`
	DescriptionEN   string     `bun:"description_en"`
	Services        string     `bun:"services"` // codes separated by spaces
	Regions         string     `bun:"regions"`  // codes separated by spaces
	AllTenants      bool       `bun:"all_tenants"`
	State           State      `bun:"state"`
	StartedAt       time.Time  `bun:"started_at"`
	ResolvedAt      *time.Time `bun:"resolved_at"`
	BreachAlertedAt *time.Time `bun:"breach_alerted_at"`
	CreatedBy       int64      `bun:"created_by"`
	Version         int        `bun:"version"`
	CreatedAt       time.Time  `bun:"created_at"`
	UpdatedAt       time.Time  `bun:"updated_at"`

	// TenantIDs are the tenants concerned when not AllTenants (read with the major incident).
	TenantIDs []int64 `bun:"-"`
	// TenantCodes are their codes, for staff's pages.
	TenantCodes []string `bun:"-"`
	// Linked is how many incidents are linked (read for staff's pages).
	Linked int `bun:"-"`
}

// Number is the major incident's number as people say it: MAJ0000007.
func (m *Major) Number() string { return Number(m.ID) }

// Number formats a major incident's id.
func Number(id int64) string { return ticketno.Format("MAJ", id) }

// ParseNumber reads MAJ0000007 (or maj7) back into an id; ok is false for anything else.
func ParseNumber(s string) (int64, bool) { return ticketno.Parse("MAJ", s) }

// Active reports whether the major incident is not resolved.
func (m *Major) Active() bool { return m.State != Resolved }

// Title is the title in lang (fr or en).
func (m *Major) Title(lang string) string {
	if lang == "fr" {
		return m.TitleFR
	}
	return m.TitleEN
}

// Description is the public description in lang.
func (m *Major) Description(lang string) string {
	if lang == "fr" {
		return m.DescriptionFR
	}
	return m.DescriptionEN
}

// ServiceList and RegionList are the affected services' and regions' codes.
func (m *Major) ServiceList() []string { return strings.Fields(m.Services) }
func (m *Major) RegionList() []string  { return strings.Fields(m.Regions) }

// Concerns reports whether the major incident concerns tenantID.
func (m *Major) Concerns(tenantID int64) bool {
	return m.AllTenants || slices.Contains(m.TenantIDs, tenantID)
}

// Matches reports whether an incident on service in region is the same problem: the service
// and the region are among those affected (a Cloud Alliance region granted to the tenant is the
// Cloud Alliance).
func (m *Major) Matches(service, region string) bool {
	if cloud.IsAllianceRegion(region) {
		region = RegionAlliance
	}
	return slices.Contains(m.ServiceList(), service) && slices.Contains(m.RegionList(), region)
}

// Update is one public update of a major incident, in both languages.
type Update struct {
	bun.BaseModel `bun:"table:major_incident_updates,alias:u"`

	ID           int64     `bun:"id,pk,autoincrement"`
	MajorID      int64     `bun:"major_id"`
	State        State     `bun:"state"`
	BodyFR       string    `bun:"body_fr"`
	BodyEN       string    `bun:"body_en"`
	AuthorID     *int64    `bun:"author_id"`
	CreatedAt    time.Time `bun:"created_at"`
	FanoutCursor int64     `bun:"fanout_cursor"`
	FanoutDone   bool      `bun:"fanout_done"`

	AuthorName string `bun:"author_name,scanonly"`
}

// Body is the update's text in lang.
func (u *Update) Body(lang string) string {
	if lang == "fr" {
		return u.BodyFR
	}
	return u.BodyEN
}

// SubjectKind names major incidents in the shared timeline (staff's events and internal notes).
const SubjectKind = "major"
