package report

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/cloud"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/sla"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/uptrace/bun"
)

// Service holds the reports' use cases: each authorizes its actor and counts only what the
// actor may see.
type Service struct {
	DB       *bun.DB
	Cache    *Cache
	Policy   *sla.Policy
	Notifier *notify.Notifier
	// Audience says who is told: the monthly report goes to each tenant's referent.
	Audience *audience.Roster
	Now      func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Today is the Paris day of now.
func (s *Service) Today() calendar.Date { return calendar.ParisDate(s.now()) }

// Query is what a staff dashboard asks for.
type Query struct {
	Period Period
	// Tenant is a tenant's code ("": every tenant the actor may see); Level and Service filter
	// the incidents ("": all).
	Tenant  string
	Level   string
	Service string
}

// Check refuses a filter the dashboard does not know, beside its field.
func (q Query) Check() error {
	var es i18n.Errors
	if q.Level != "" && !slices.Contains(Levels, sla.Level(q.Level)) {
		es.Add(i18n.FieldError("level", "report.error.level"))
	}
	if q.Service != "" && !cloud.IsService(q.Service) {
		es.Add(i18n.FieldError("service", "report.error.service"))
	}
	return es.Err()
}

// Dashboard is a staff dashboard: incidents, change requests and sales desk requests.
type Dashboard struct {
	Query     Query
	AsOf      time.Time
	Incidents Incidents
	// Tenants are the tenants the actor may filter on; Names their codes by id.
	Tenants []tenancy.Tenant
	Codes   map[int64]string
	// Titles are the titles of the incidents of Breaches.
	Titles  map[int64]string
	Changes Changes
	Sales   Sales
	// filter is what the incident figures counted.
	filter Filter
}

// Changes counts the change requests made in the period, by state, and the time from the
// request to its approval of those approved.
type Changes struct {
	ByState  []Count // Key: a change state
	Total    int
	Approval Duration
}

// Sales counts the sales desk requests made in the period, by kind and state, and the time to
// the sales rep's decision of those decided.
type Sales struct {
	ByKind   []KindCount
	Total    int
	Decision Duration
}

// KindCount is the requests of one kind, by state.
type KindCount struct {
	Kind                        contract.Kind
	Pending, Accepted, Rejected int
	N                           int
}

// StaffTenants returns the tenants whose figures actor may see on the dashboard: agents and
// admins every tenant (all is true), a sales rep their own; customers get apperr.ErrNotFound.
func (s *Service) StaffTenants(ctx context.Context, actor tenancy.Actor) (ts []tenancy.Tenant, all bool, err error) {
	// Their ids, codes and names only: the filter and the figures need no more.
	q := s.DB.NewSelect().Model(&ts).Column("tenant.id", "tenant.code", "tenant.name").Order("tenant.code")
	switch actor.Kind {
	case identity.Agent, identity.Admin:
		all = true
	case identity.Sales:
		q = q.Where("tenant.sales_rep_id = ?", actor.UserID)
	default:
		return nil, false, apperr.ErrNotFound
	}
	if err := q.Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("report: tenants of the dashboard: %w", err)
	}
	return ts, all, nil
}

// Dashboard computes the staff dashboard for actor: agents and admins see every tenant, a sales
// rep the tenants they are the rep of. A tenant outside the actor's remit is
// apperr.ErrNotFound, as one that does not exist.
func (s *Service) Dashboard(ctx context.Context, actor tenancy.Actor, q Query) (*Dashboard, error) {
	ts, all, err := s.StaffTenants(ctx, actor)
	if err != nil {
		return nil, err
	}
	if err := q.Check(); err != nil {
		return nil, err
	}
	d := &Dashboard{Query: q, Tenants: ts, Codes: make(map[int64]string, len(ts))}
	ids := []int64{} // not nil: nil counts every tenant, and a sales rep may have none
	for _, t := range ts {
		d.Codes[t.ID] = t.Code
		if q.Tenant == "" || strings.EqualFold(t.Code, q.Tenant) {
			ids = append(ids, t.ID)
		}
	}
	if q.Tenant != "" && len(ids) == 0 {
		return nil, apperr.ErrNotFound
	}
	if all && q.Tenant == "" {
		ids = nil // every tenant, those made since included
	}
	from, to := q.Period.span()
	f := Filter{From: from, To: to, Tenants: ids, Level: sla.Level(q.Level), Service: q.Service, Now: s.now()}
	d.filter = f
	v, err := s.Cache.view(ctx)
	if err != nil {
		return nil, err
	}
	d.Incidents = v.incidents(f)
	d.AsOf = v.asOf
	v.release()
	if ids == nil {
		for _, c := range d.Incidents.ByTenant {
			if _, ok := d.Codes[c.TenantID]; !ok {
				d.Codes[c.TenantID] = "" // a tenant made since the list was read: named below
			}
		}
	}
	if err := s.names(ctx, d, actor); err != nil {
		return nil, err
	}
	if d.Changes, err = s.changes(ctx, ids, q.Period); err != nil {
		return nil, err
	}
	if d.Sales, err = s.sales(ctx, ids, q.Period); err != nil {
		return nil, err
	}
	return d, nil
}

// mayReadIncidents says whether actor reads incidents (agents and admins): their titles, their
// pages.
func mayReadIncidents(actor tenancy.Actor) bool {
	return actor.Kind == identity.Agent || actor.Kind == identity.Admin
}

// Titles reads the titles of the breached incidents the dashboard lists, a thousand at a time.
func (s *Service) Titles(ctx context.Context, d *Dashboard) error {
	d.Titles = map[int64]string{}
	var ids []int64
	for _, b := range d.Incidents.Breaches {
		if _, ok := d.Titles[b.IncidentID]; !ok {
			d.Titles[b.IncidentID] = ""
			ids = append(ids, b.IncidentID)
		}
	}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 1000)]
		ids = ids[len(chunk):]
		var rows []struct {
			ID    int64  `bun:"id"`
			Title string `bun:"title"`
		}
		if err := s.DB.NewSelect().Table("incidents").Column("id", "title").Where("id IN (?)", bun.In(chunk)).Scan(ctx, &rows); err != nil {
			return fmt.Errorf("report: titles of breached incidents: %w", err)
		}
		for _, r := range rows {
			d.Titles[r.ID] = r.Title
		}
	}
	return nil
}

// names reads the titles of the breached incidents listed, for those who may read incidents
// (a sales rep may not: Titles stays nil), and the codes of tenants unnamed.
func (s *Service) names(ctx context.Context, d *Dashboard, actor tenancy.Actor) error {
	if mayReadIncidents(actor) {
		if err := s.Titles(ctx, d); err != nil {
			return err
		}
	}
	var unnamed []int64
	for id, code := range d.Codes {
		if code == "" {
			unnamed = append(unnamed, id)
		}
	}
	if len(unnamed) > 0 {
		var ts []tenancy.Tenant
		if err := s.DB.NewSelect().Model(&ts).Where("id IN (?)", bun.In(unnamed)).Scan(ctx); err != nil {
			return fmt.Errorf("report: codes of tenants: %w", err)
		}
		for _, t := range ts {
			d.Codes[t.ID] = t.Code
		}
	}
	return nil
}

// bounds are the instants a period's days begin and end at, in Paris.
func bounds(p Period) (time.Time, time.Time) {
	return p.From.In(calendar.Paris).UTC(), p.To.AddDays(1).In(calendar.Paris).UTC()
}

// madeIn selects the rows of table made in period p by tenants (nil: every tenant; none: no row).
func (s *Service) madeIn(table string, tenants []int64, p Period, columns ...string) *bun.SelectQuery {
	start, end := bounds(p)
	q := s.DB.NewSelect().Table(table).Column(columns...).Where("created_at >= ? AND created_at < ?", start, end)
	switch {
	case tenants == nil:
	case len(tenants) == 0:
		q = q.Where("1 = 0")
	default:
		q = q.Where("tenant_id IN (?)", bun.In(tenants))
	}
	return q
}

func (s *Service) changes(ctx context.Context, tenants []int64, p Period) (Changes, error) {
	var rows []struct {
		State      change.State `bun:"state"`
		CreatedAt  time.Time    `bun:"created_at"`
		ApprovedAt *time.Time   `bun:"approved_at"`
	}
	if err := s.madeIn("change_requests", tenants, p, "state", "created_at", "approved_at").Scan(ctx, &rows); err != nil {
		return Changes{}, fmt.Errorf("report: change requests: %w", err)
	}
	var out Changes
	counts := map[change.State]int{}
	var approval durations
	for _, r := range rows {
		counts[r.State]++
		out.Total++
		if r.ApprovedAt != nil && !r.ApprovedAt.Before(r.CreatedAt) {
			approval.add(uint32(min(r.ApprovedAt.Sub(r.CreatedAt)/time.Second, 1<<32-1)))
		}
	}
	for _, st := range change.States {
		if counts[st] > 0 {
			out.ByState = append(out.ByState, Count{Key: string(st), N: counts[st]})
		}
	}
	out.Approval = approval.result()
	return out, nil
}

func (s *Service) sales(ctx context.Context, tenants []int64, p Period) (Sales, error) {
	var rows []struct {
		Kind      contract.Kind  `bun:"kind"`
		State     contract.State `bun:"state"`
		CreatedAt time.Time      `bun:"created_at"`
		DecidedAt *time.Time     `bun:"decided_at"`
	}
	if err := s.madeIn("contract_requests", tenants, p, "kind", "state", "created_at", "decided_at").Scan(ctx, &rows); err != nil {
		return Sales{}, fmt.Errorf("report: sales desk requests: %w", err)
	}
	var out Sales
	byKind := map[contract.Kind]*KindCount{}
	var decision durations
	for _, r := range rows {
		k := byKind[r.Kind]
		if k == nil {
			k = &KindCount{Kind: r.Kind}
			byKind[r.Kind] = k
		}
		k.N++
		out.Total++
		switch r.State {
		case contract.Pending:
			k.Pending++
		case contract.Accepted:
			k.Accepted++
		case contract.Rejected:
			k.Rejected++
		}
		if r.DecidedAt != nil && !r.DecidedAt.Before(r.CreatedAt) {
			decision.add(uint32(min(r.DecidedAt.Sub(r.CreatedAt)/time.Second, 1<<32-1)))
		}
	}
	for _, kind := range contract.Kinds() {
		if k := byKind[kind]; k != nil {
			out.ByKind = append(out.ByKind, *k)
		}
	}
	out.Decision = decision.result()
	return out, nil
}

// AllBreaches lists every breach of the dashboard's query, the newest first, for its CSV.
func (s *Service) AllBreaches(ctx context.Context, actor tenancy.Actor, q Query) ([]Breach, *Dashboard, error) {
	d, err := s.Dashboard(ctx, actor, q)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.Cache.view(ctx)
	if err != nil {
		return nil, nil, err
	}
	d.Incidents.Breaches = v.breaches(d.filter)
	v.release()
	if mayReadIncidents(actor) {
		if err := s.Titles(ctx, d); err != nil {
			return nil, nil, err
		}
	}
	return d.Incidents.Breaches, d, nil
}

// TenantIDs are the tenants the dashboard counted: nil for every tenant.
func (d *Dashboard) TenantIDs() []int64 { return d.filter.Tenants }
