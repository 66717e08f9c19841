package major

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/events"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// Service holds the major incident use cases.
type Service struct {
	DB       *bun.DB
	Notifier *notify.Notifier
	Audience *audience.Roster
	// Events hears of the linked incidents' changes (incident.updated, incident.resolved);
	// Majors of the major incidents' own (major_incident.*). nil tells nobody.
	Events events.Sink
	Majors events.MajorSink
	Log    *slog.Logger
	Now    func() time.Time
	// Batch is how many linked incidents one transaction of a fan-out or a link handles
	// (DefaultBatch when 0).
	Batch int

	cacheOnce sync.Once
	cache     *activeCache
}

// DefaultBatch bounds the transactions of a fan-out: a few hundred incidents, their timeline
// entries and mail, each a short write that other writers wait little behind.
const DefaultBatch = 500

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) batch() int {
	if s.Batch > 0 {
		return s.Batch
	}
	return DefaultBatch
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Timeline event keys of a major incident's own timeline (staff only).
const (
	EventOpened   = "timeline.major.opened"
	EventEdited   = "timeline.major.edited"
	EventState    = "timeline.major.state"  // From, To: state keys
	EventLinked   = "timeline.major.linked" // To: how many incidents
	EventUnlinked = "timeline.major.unlinked"
)

// Event keys major incidents write on the timelines of their linked incidents.
const (
	IncidentLinked   = "timeline.incident.major_linked"   // To: the major incident's number
	IncidentUnlinked = "timeline.incident.major_unlinked" // From: the major incident's number
	// IncidentUpdate + "." + state: From is the major incident's number, Body the update's text
	// in the reporter's language.
	IncidentUpdate = "timeline.incident.major_update"
)

// manager refuses anyone but agents and admins, as for a major incident that does not exist.
func manager(actor tenancy.Actor) error {
	if !MayManage(actor.Kind) {
		return apperr.ErrNotFound
	}
	return nil
}

// subject is the major incident in the shared timeline: no tenant, so never searched.
func subject(id int64) timeline.Subject { return timeline.Subject{Kind: SubjectKind, ID: id} }

// Open opens a major incident, as an agent or an admin, in the state investigating.
func (s *Service) Open(ctx context.Context, actor tenancy.Actor, d Draft) (*Major, error) {
	if err := manager(actor); err != nil {
		return nil, err
	}
	now := s.now()
	started, err := d.Check(now)
	if err != nil {
		return nil, err
	}
	m := &Major{TitleFR: d.TitleFR, TitleEN: d.TitleEN, DescriptionFR: d.DescriptionFR, DescriptionEN: d.DescriptionEN,
		Services: strings.Join(d.Services, " "), Regions: strings.Join(d.Regions, " "), AllTenants: d.AllTenants,
		State: Investigating, StartedAt: started, CreatedBy: actor.UserID, Version: 1, CreatedAt: now, UpdatedAt: now}
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		ids, codes, err := tenantIDs(ctx, tx, &d)
		if err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(m).Exec(ctx); err != nil {
			return fmt.Errorf("major: insert major incident: %w", err)
		}
		if err := setTenants(ctx, tx, m.ID, ids); err != nil {
			return err
		}
		m.TenantIDs, m.TenantCodes = ids, codes
		if err := timeline.Record(ctx, tx, timeline.NewEvent(subject(m.ID), actor, now, EventOpened, timeline.Key, "", m.State.Key())); err != nil {
			return err
		}
		return events.EmitMajor(ctx, tx, s.Majors, events.MajorEvent{Type: events.MajorOpened, Tenants: m.TenantIDs, AllTenants: m.AllTenants, Subject: m, Actor: actor})
	})
	if err != nil {
		return nil, err
	}
	s.forget()
	return m, nil
}

// tenantIDs reads the tenants a draft names by code; unknown codes are refused, named, beside
// the field "tenants".
func tenantIDs(ctx context.Context, idb bun.IDB, d *Draft) ([]int64, []string, error) {
	if d.AllTenants {
		return nil, nil, nil
	}
	codes := d.TenantCodes()
	var ts []tenancy.Tenant
	if err := idb.NewSelect().Model(&ts).Column("id", "code").Where("code IN (?)", bun.In(codes)).OrderExpr("code").Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("major: read tenants by code: %w", err)
	}
	var unknown []string
	for _, c := range codes {
		if !slices.ContainsFunc(ts, func(t tenancy.Tenant) bool { return t.Code == c }) {
			unknown = append(unknown, c)
		}
	}
	if len(unknown) > 0 {
		if len(unknown) > 10 {
			unknown = append(unknown[:10], "…")
		}
		return nil, nil, i18n.FieldError("tenants", "major.error.tenants_unknown", "Codes", strings.Join(unknown, ", "), "Count", len(unknown))
	}
	ids, out := make([]int64, 0, len(ts)), make([]string, 0, len(ts))
	for _, t := range ts {
		ids, out = append(ids, t.ID), append(out, t.Code)
	}
	return ids, out, nil
}

// Edit changes what a major incident says and whom it concerns, while it is active. Narrowing
// the tenants concerned may not leave a linked incident outside them.
func (s *Service) Edit(ctx context.Context, actor tenancy.Actor, id int64, version int, d Draft) (*Major, error) {
	if err := manager(actor); err != nil {
		return nil, err
	}
	now := s.now()
	var m *Major
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := lock(ctx, tx, id); err != nil {
			return err
		}
		var err error
		if m, err = byID(ctx, tx, id); err != nil {
			return err
		}
		if !m.Active() {
			return i18n.NewError("major.error.edit_resolved")
		}
		if version != m.Version {
			return apperr.ErrStale
		}
		// The start as it was is kept, however long ago the outage began.
		keep := d.StartedAt == m.StartedAt.In(calendar.Paris).Format("2006-01-02T15:04")
		if keep {
			d.StartedAt = ""
		}
		started, err := d.Check(now)
		if err != nil {
			return err
		}
		if keep {
			started = m.StartedAt
		}
		ids, codes, err := tenantIDs(ctx, tx, &d)
		if err != nil {
			return err
		}
		if !d.AllTenants {
			var outside []string
			err := tx.NewSelect().TableExpr("incidents AS i").ColumnExpr("DISTINCT t.code").
				Join("JOIN tenants AS t ON t.id = i.tenant_id").
				Where("i.major_id = ? AND i.tenant_id NOT IN (?)", id, bun.In(ids)).OrderExpr("t.code").Limit(10).Scan(ctx, &outside)
			if err != nil {
				return fmt.Errorf("major: tenants of linked incidents: %w", err)
			}
			if len(outside) > 0 {
				return i18n.FieldError("tenants", "major.error.tenants_linked", "Codes", strings.Join(outside, ", "), "Count", len(outside))
			}
		}
		m.TitleFR, m.TitleEN, m.DescriptionFR, m.DescriptionEN = d.TitleFR, d.TitleEN, d.DescriptionFR, d.DescriptionEN
		m.Services, m.Regions, m.AllTenants, m.StartedAt = strings.Join(d.Services, " "), strings.Join(d.Regions, " "), d.AllTenants, started
		m.Version++
		m.UpdatedAt = now
		if _, err := tx.NewUpdate().Model(m).Column("title_fr", "title_en", "description_fr", "description_en", "services", "regions",
			"all_tenants", "started_at", "version", "updated_at").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("major: update major incident %d: %w", id, err)
		}
		if err := setTenants(ctx, tx, id, ids); err != nil {
			return err
		}
		m.TenantIDs, m.TenantCodes = ids, codes
		return timeline.Record(ctx, tx, timeline.NewEvent(subject(id), actor, now, EventEdited, timeline.Text, "", ""))
	})
	if err != nil {
		return nil, err
	}
	s.forget()
	return m, nil
}

// Get returns a major incident its reader may see: staff see every one; a customer those that
// concern one of their tenants; anyone else gets apperr.ErrNotFound, as for one that does not
// exist.
func (s *Service) Get(ctx context.Context, actor tenancy.Actor, id int64) (*Major, error) {
	m, err := byID(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if actor.Kind.Staff() {
		return m, nil
	}
	if actor.Kind != identity.Customer {
		return nil, apperr.ErrNotFound
	}
	ts, err := customerTenants(ctx, s.DB, actor)
	if err != nil {
		return nil, err
	}
	if m.AllTenants || slices.ContainsFunc(ts, m.Concerns) {
		return m, nil
	}
	return nil, apperr.ErrNotFound
}

// GetPublic returns a major incident the public status page shows: one concerning every tenant.
func (s *Service) GetPublic(ctx context.Context, id int64) (*Major, error) {
	m, err := byID(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if !m.AllTenants {
		return nil, apperr.ErrNotFound
	}
	return m, nil
}

// customerTenants lists the tenants of a customer: those of their memberships, and those they
// are the referent or the domain owner of.
func customerTenants(ctx context.Context, idb bun.IDB, actor tenancy.Actor) ([]int64, error) {
	if actor.Kind != identity.Customer {
		return nil, nil
	}
	if actor.Resolved() {
		var ids []int64
		for _, t := range actor.Tenants() {
			ids = append(ids, t.ID)
		}
		return ids, nil
	}
	var ids []int64
	err := idb.NewSelect().TableExpr("tenants").Column("id").
		Where("id IN (SELECT tenant_id FROM memberships WHERE user_id = ?) OR referent_id = ? OR owner_id = ?", actor.UserID, actor.UserID, actor.UserID).
		Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("major: tenants of user %d: %w", actor.UserID, err)
	}
	return ids, nil
}

// Status lists the major incidents of the status page for its reader: active ones, then those
// resolved in the last RecentWindow. Staff read every one; a customer those concerning their
// tenants.
func (s *Service) Status(ctx context.Context, actor tenancy.Actor) ([]*Major, error) {
	since := s.now().Add(-RecentWindow)
	if actor.Kind.Staff() {
		return list(ctx, s.DB, true, nil, since)
	}
	if actor.Kind != identity.Customer {
		return nil, apperr.ErrNotFound
	}
	ts, err := customerTenants(ctx, s.DB, actor)
	if err != nil {
		return nil, err
	}
	return list(ctx, s.DB, false, ts, since)
}

// PublicStatus lists what the public status page shows: the major incidents concerning every
// tenant, active or recently resolved.
func (s *Service) PublicStatus(ctx context.Context) ([]*Major, error) {
	return list(ctx, s.DB, false, nil, s.now().Add(-RecentWindow))
}

// Active lists the active major incidents concerning one of tenantIDs, for a customer's banners
// and declaration form (tenantIDs must be the customer's: the caller's scope or their tenants).
// It reads the instance's list of active major incidents (see ActiveTTL).
func (s *Service) Active(ctx context.Context, actor tenancy.Actor, tenantIDs ...int64) ([]*Major, error) {
	if actor.Kind != identity.Customer {
		return nil, nil
	}
	mine, err := customerTenants(ctx, s.DB, actor)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, id := range tenantIDs {
		if slices.Contains(mine, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	all, err := s.allActive(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Major
	for _, m := range all {
		if m.concernsAny(ids) {
			out = append(out, m)
		}
	}
	return out, nil
}

// History lists page pg of every major incident, active first, for agents and admins.
func (s *Service) History(ctx context.Context, actor tenancy.Actor, pg paging.Page) ([]*Major, bool, error) {
	if err := manager(actor); err != nil {
		return nil, false, err
	}
	return history(ctx, s.DB, pg)
}

// Updates lists the public updates of a major incident its reader may see, newest first.
func (s *Service) Updates(ctx context.Context, m *Major) ([]Update, error) {
	return updates(ctx, s.DB, m.ID)
}

// Timeline is a major incident's own timeline, internal notes included: staff only.
func (s *Service) Timeline(ctx context.Context, actor tenancy.Actor, m *Major) ([]timeline.Entry, error) {
	if err := manager(actor); err != nil {
		return nil, err
	}
	return timeline.List(ctx, s.DB, subject(m.ID), true)
}

// Note writes an internal note on a major incident: agents and admins only, never shown to a
// customer.
func (s *Service) Note(ctx context.Context, actor tenancy.Actor, id int64, body string) error {
	if err := manager(actor); err != nil {
		return err
	}
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := byID(ctx, tx, id); err != nil {
			return err
		}
		_, err := timeline.Write(ctx, tx, subject(id), actor, body, true, nil, s.now())
		return err
	})
}

// Follow makes a referent of a concerned tenant a follower: they get the updates by mail.
// Anyone else is refused.
func (s *Service) Follow(ctx context.Context, actor tenancy.Actor, id int64) error {
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		m, t, err := s.followable(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if !m.Active() {
			return i18n.NewError("major.error.follow_resolved")
		}
		f := &follower{MajorID: id, UserID: actor.UserID, TenantID: t, CreatedAt: s.now()}
		if _, err := tx.NewInsert().Model(f).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
			return fmt.Errorf("major: follow major incident %d: %w", id, err)
		}
		return nil
	})
}

// follower is a referent told of a major incident's updates.
type follower struct {
	bun.BaseModel `bun:"table:major_incident_followers"`
	MajorID       int64     `bun:"major_id"`
	UserID        int64     `bun:"user_id"`
	TenantID      int64     `bun:"tenant_id"`
	CreatedAt     time.Time `bun:"created_at"`
}

// Unfollow stops a follower's mail.
func (s *Service) Unfollow(ctx context.Context, actor tenancy.Actor, id int64) error {
	if _, err := s.Get(ctx, actor, id); err != nil {
		return err
	}
	_, err := s.DB.NewDelete().TableExpr("major_incident_followers").Where("major_id = ? AND user_id = ?", id, actor.UserID).Exec(ctx)
	return err
}

// Following reports whether actor follows major incident id, and whether they may (a referent of
// a concerned tenant).
func (s *Service) Following(ctx context.Context, actor tenancy.Actor, id int64) (following, may bool, err error) {
	if actor.Kind != identity.Customer {
		return false, false, nil
	}
	if _, _, err := s.followable(ctx, s.DB, actor, id); err != nil {
		if _, refused := i18n.AsErrors(err); refused || errors.Is(err, apperr.ErrNotFound) || errors.Is(err, apperr.ErrForbidden) {
			return false, false, nil
		}
		return false, false, err
	}
	n, err := s.DB.NewSelect().TableExpr("major_incident_followers").Where("major_id = ? AND user_id = ?", id, actor.UserID).Count(ctx)
	return n > 0, true, err
}

// followable is the major incident and the tenant under which actor may follow it: a tenant it
// concerns whose referent they are.
func (s *Service) followable(ctx context.Context, idb bun.IDB, actor tenancy.Actor, id int64) (*Major, int64, error) {
	if actor.Kind != identity.Customer {
		return nil, 0, apperr.ErrNotFound
	}
	m, err := byID(ctx, idb, id)
	if err != nil {
		return nil, 0, err
	}
	ts, err := customerTenants(ctx, idb, actor)
	if err != nil {
		return nil, 0, err
	}
	seen := false
	for _, t := range ts {
		if !m.Concerns(t) {
			continue
		}
		seen = true
		a, err := tenancy.May(ctx, idb, actor, t, tenancy.RightIncidents)
		if err == nil && a.Referent {
			return m, t, nil
		}
	}
	if !seen {
		return nil, 0, apperr.ErrNotFound
	}
	return nil, 0, i18n.NewError("major.error.follow_referent")
}
