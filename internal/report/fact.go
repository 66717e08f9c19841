// Package report computes the dashboards and reports of the desk: the staff dashboard (backlog,
// volumes, SLA compliance, times to resolve, changes and sales desk requests) and the customer
// report of a tenant's referent, over a period cut on Europe/Paris days.
//
// Incidents are counted from derived data, one row per incident (Fact, table report_incidents):
// its dimensions, when it was first answered and resolved, and where each SLA target stands.
// Every change of an incident marks it (incident.MarkReport) in its own transaction; the job
// Refresh computes the marked rows again from the incident and its timeline. `guichet reports
// rebuild` computes every row anew, and a test checks the rows equal a recomputation. Each
// instance keeps the rows in memory (Cache), refreshed from the rows the job numbered since it
// last read, and computes a dashboard in one pass over them.
package report

import (
	"time"

	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/sla"
	"github.com/uptrace/bun"
)

// Where an SLA target stands in a Fact. A target still running is Open with its due instant:
// whoever reads it after that instant counts it breached there, without waiting for a job.
const (
	TargetNone     = "none"     // no target applies (Basic), or a cancellation dropped it
	TargetMet      = "met"      // answered or resolved in time
	TargetBreached = "breached" // breached at Due
	TargetOpen     = "open"     // running: breached at Due unless met before
	TargetPaused   = "paused"   // waiting on the customer: no due instant yet
)

// Fact is the derived row of one incident.
type Fact struct {
	bun.BaseModel `bun:"table:report_incidents,alias:f"`

	IncidentID int64        `bun:"incident_id,pk"`
	TenantID   int64        `bun:"tenant_id"`
	Level      sla.Level    `bun:"level"`
	Priority   sla.Priority `bun:"priority"`
	Service    string       `bun:"service"`
	Region     string       `bun:"region"`
	Status     sla.Status   `bun:"status"`
	CreatedAt  time.Time    `bun:"created_at"`
	// AnsweredAt is the first answer to the customer (a public staff reply or a resolution).
	AnsweredAt *time.Time `bun:"answered_at"`
	// ResolvedAt is the last resolution of an incident that stands resolved or closed.
	ResolvedAt *time.Time `bun:"resolved_at"`
	FRState    string     `bun:"fr_state"`
	FRDue      *time.Time `bun:"fr_due"`
	ResState   string     `bun:"res_state"`
	ResDue     *time.Time `bun:"res_due"`
	// Seq is the number of the job's transaction that wrote the row (see Refresh).
	Seq int64 `bun:"seq"`
}

// FactOf derives an incident's row from its SLA evaluated at the time of computing.
func FactOf(inc *incident.Incident, ev sla.Evaluation) Fact {
	f := Fact{IncidentID: inc.ID, TenantID: inc.TenantID, Level: inc.Level, Priority: inc.Priority, Service: inc.Service,
		Region: inc.Region, Status: inc.Status, CreatedAt: *utc(inc.CreatedAt)}
	if !ev.Answered.IsZero() {
		f.AnsweredAt = utc(ev.Answered)
	}
	if inc.Status == incident.Resolved || inc.Status == incident.Closed {
		switch {
		case !ev.Stopped.IsZero():
			f.ResolvedAt = utc(ev.Stopped)
		case inc.ResolvedAt != nil:
			f.ResolvedAt = utc(*inc.ResolvedAt)
		}
	}
	f.FRState, f.FRDue = target(ev.FirstResponse)
	f.ResState, f.ResDue = target(ev.Resolution)
	return f
}

func target(m sla.Measure) (string, *time.Time) {
	switch m.State {
	case sla.Met:
		return TargetMet, nil
	case sla.Breached:
		return TargetBreached, utc(m.Due)
	case sla.Running, sla.AtRisk:
		return TargetOpen, utc(m.Due)
	case sla.Paused:
		return TargetPaused, nil
	}
	return TargetNone, nil
}

func utc(t time.Time) *time.Time {
	u := t.UTC().Truncate(time.Microsecond) // what both databases keep of an instant
	return &u
}

// Same reports whether two rows say the same of their incident (Seq aside).
func (f Fact) Same(g Fact) bool {
	f.Seq, g.Seq = 0, 0
	return f.IncidentID == g.IncidentID && f.TenantID == g.TenantID && f.Level == g.Level && f.Priority == g.Priority &&
		f.Service == g.Service && f.Region == g.Region && f.Status == g.Status && f.CreatedAt.Equal(g.CreatedAt) &&
		sameTime(f.AnsweredAt, g.AnsweredAt) && sameTime(f.ResolvedAt, g.ResolvedAt) &&
		f.FRState == g.FRState && sameTime(f.FRDue, g.FRDue) && f.ResState == g.ResState && sameTime(f.ResDue, g.ResDue)
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}
