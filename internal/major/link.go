package major

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/events"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// incidents reads the incidents ids names, with their tenant's code and their people's names,
// in id order. It does not authorize.
func incidents(ctx context.Context, idb bun.IDB, where string, args ...any) ([]incident.Incident, error) {
	var is []incident.Incident
	err := incident.WithNames(idb, &is).
		Where(where, args...).OrderExpr("i.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("major: read incidents: %w", err)
	}
	return is, nil
}

// ParseNumbers reads incident numbers typed in a field (spaces, commas or new lines between
// them), each once; a word that is no incident number is refused beside field, named.
func ParseNumbers(field, typed string) ([]int64, error) {
	var words []string
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(typed, separator) {
		if k := strings.ToUpper(w); !seen[k] {
			seen[k] = true
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return nil, i18n.FieldError(field, "major.error.numbers_required")
	}
	if len(words) > MaxNumbers {
		return nil, i18n.FieldError(field, "major.error.numbers_too_many", "Max", MaxNumbers)
	}
	ids := make([]int64, 0, len(words))
	for _, w := range words {
		id, ok := incident.ParseNumber(w)
		if !ok {
			if r := []rune(w); len(r) > 40 {
				w = string(r[:40]) + "…"
			}
			return nil, i18n.FieldError(field, "major.error.number_bad", "Word", w)
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// Link links the incidents ids to major incident id, as an agent or an admin: every one must be
// linkable (CheckLink), or nothing is written and the first refusal is beside field. The links
// are written a batch per transaction, each with its timeline entries.
func (s *Service) Link(ctx context.Context, actor tenancy.Actor, id int64, field string, ids []int64) (int, error) {
	if err := manager(actor); err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, i18n.FieldError(field, "major.error.numbers_required")
	}
	if len(ids) > MaxNumbers {
		return 0, i18n.FieldError(field, "major.error.numbers_too_many", "Max", MaxNumbers)
	}
	m, err := byID(ctx, s.DB, id)
	if err != nil {
		return 0, err
	}
	is, err := incidents(ctx, s.DB, "i.id IN (?)", bun.In(ids))
	if err != nil {
		return 0, err
	}
	for _, want := range ids {
		if !slices.ContainsFunc(is, func(i incident.Incident) bool { return i.ID == want }) {
			return 0, i18n.FieldError(field, "major.error.number_unknown", "Number", incident.Number(want))
		}
	}
	over, err := resolvedMajors(ctx, s.DB, is)
	if err != nil {
		return 0, err
	}
	for i := range is {
		if is[i].MajorID != nil && over[*is[i].MajorID] {
			is[i].MajorID = nil // reopened after an outage that is over: free to be linked again
		}
		if e := CheckLink(m, &is[i], field); e != nil {
			return 0, e
		}
	}
	linked := 0
	for len(ids) > 0 {
		n := min(len(ids), s.batch())
		got, err := s.linkBatch(ctx, actor, id, ids[:n])
		if err != nil {
			return linked, err
		}
		linked += got
		ids = ids[n:]
	}
	return linked, nil
}

// unlinked is the condition of an incident (its column major_id as col names it) free to be
// linked: linked to no major incident, or to one that is over.
func unlinked(col string) string {
	return "(" + col + " IS NULL OR " + col + " IN (SELECT id FROM major_incidents WHERE state = 'resolved'))"
}

// resolvedMajors says which of the major incidents is are linked to are resolved.
func resolvedMajors(ctx context.Context, idb bun.IDB, is []incident.Incident) (map[int64]bool, error) {
	var ids []int64
	for _, i := range is {
		if i.MajorID != nil {
			ids = append(ids, *i.MajorID)
		}
	}
	out := map[int64]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	var over []int64
	if err := idb.NewSelect().Model((*Major)(nil)).Column("m.id").Where("m.id IN (?) AND m.state = ?", bun.In(ids), Resolved).Scan(ctx, &over); err != nil {
		return nil, fmt.Errorf("major: states of major incidents: %w", err)
	}
	for _, id := range over {
		out[id] = true
	}
	return out, nil
}

// LinkMatching links every open incident of a concerned tenant, not linked yet, whose service
// and region the major incident affects, declared since an hour before it started: the action
// for two hundred customers who declared the same thing. It works a batch per transaction, and
// a second run links only what the first did not.
func (s *Service) LinkMatching(ctx context.Context, actor tenancy.Actor, id int64) (int, error) {
	if err := manager(actor); err != nil {
		return 0, err
	}
	m, err := byID(ctx, s.DB, id)
	if err != nil {
		return 0, err
	}
	if !m.Active() {
		return 0, i18n.NewError("major.error.link_resolved")
	}
	linked := 0
	for {
		q := s.DB.NewSelect().TableExpr("incidents AS i").Column("i.id").
			Where(unlinked("i.major_id")+" AND i.status IN (?)", bun.In(incident.Open)).
			Where("i.service IN (?) AND i.region IN (?)", bun.In(m.ServiceList()), bun.In(m.RegionList())).
			Where("i.created_at >= ?", m.StartedAt.Add(-time.Hour)).
			OrderExpr("i.id").Limit(int64(s.batch()))
		if !m.AllTenants {
			if len(m.TenantIDs) == 0 {
				return linked, nil
			}
			q = q.Where("i.tenant_id IN (?)", bun.In(m.TenantIDs))
		}
		var ids []int64
		if err := q.Scan(ctx, &ids); err != nil {
			return linked, fmt.Errorf("major: incidents matching major incident %d: %w", id, err)
		}
		if len(ids) == 0 {
			return linked, nil
		}
		got, err := s.linkBatch(ctx, actor, id, ids)
		if err != nil {
			return linked, err
		}
		linked += got
		if got == 0 {
			return linked, nil // every one was taken meanwhile: nothing more to do this time
		}
	}
}

// linkBatch links what it still can of ids in one transaction: an incident linked, closed or
// gone meanwhile is left alone. It returns how many it linked.
func (s *Service) linkBatch(ctx context.Context, actor tenancy.Actor, id int64, ids []int64) (int, error) {
	n := 0
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := lock(ctx, tx, id); err != nil {
			return err
		}
		m, err := byID(ctx, tx, id)
		if err != nil {
			return err
		}
		if !m.Active() {
			return i18n.NewError("major.error.link_resolved")
		}
		q := tx.NewUpdate().TableExpr("incidents").Set("major_id = ?", id).
			Where("id IN (?) AND "+unlinked("major_id")+" AND status IN (?)", bun.In(ids), bun.In(incident.Open))
		if !m.AllTenants {
			q = q.Where("tenant_id IN (?)", bun.In(m.TenantIDs))
		}
		var done []int64
		if _, err := q.Returning("id").Exec(ctx, &done); err != nil {
			return fmt.Errorf("major: link incidents to major incident %d: %w", id, err)
		}
		if len(done) == 0 {
			return nil
		}
		n = len(done)
		now := s.now()
		is, err := incidents(ctx, tx, "i.id IN (?)", bun.In(done))
		if err != nil {
			return err
		}
		es := make([]*timeline.Entry, 0, len(is))
		for i := range is {
			es = append(es, timeline.NewEvent(is[i].Subject(), actor, now, IncidentLinked, timeline.Text, "", m.Number()))
		}
		if err := timeline.RecordAll(ctx, tx, es); err != nil {
			return err
		}
		evs := make([]events.Event, 0, len(is))
		for i := range is {
			evs = append(evs, events.Event{Type: events.IncidentUpdated, TenantID: is[i].TenantID, Subject: &is[i], Entry: es[i], Actor: actor})
		}
		if err := events.EmitAll(ctx, tx, s.Events, evs); err != nil {
			return err
		}
		return timeline.Record(ctx, tx, timeline.NewEvent(subject(id), actor, now, EventLinked, timeline.Text, "", strconv.Itoa(n)))
	})
	return n, err
}

// Unlink unlinks an incident from major incident id, as an agent or an admin.
func (s *Service) Unlink(ctx context.Context, actor tenancy.Actor, id, incidentID int64) error {
	if err := manager(actor); err != nil {
		return err
	}
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := lock(ctx, tx, id); err != nil {
			return err
		}
		if err := incident.Lock(ctx, tx, incidentID); err != nil {
			return err
		}
		m, err := byID(ctx, tx, id)
		if err != nil {
			return err
		}
		inc, err := incident.ByID(ctx, tx, incidentID)
		if err != nil {
			return err
		}
		if e := CheckUnlink(m, inc); e != nil {
			return e
		}
		if _, err := tx.NewUpdate().TableExpr("incidents").Set("major_id = NULL").Where("id = ? AND major_id = ?", incidentID, id).Exec(ctx); err != nil {
			return fmt.Errorf("major: unlink incident %d: %w", incidentID, err)
		}
		inc.MajorID = nil
		now := s.now()
		e := timeline.NewEvent(inc.Subject(), actor, now, IncidentUnlinked, timeline.Text, m.Number(), "")
		if err := timeline.Record(ctx, tx, e); err != nil {
			return err
		}
		if err := events.Emit(ctx, tx, s.Events, events.Event{Type: events.IncidentUpdated, TenantID: inc.TenantID, Subject: inc, Entry: e, Actor: actor}); err != nil {
			return err
		}
		return timeline.Record(ctx, tx, timeline.NewEvent(subject(id), actor, now, EventUnlinked, timeline.Text, inc.Number(), ""))
	})
}

// LinkDeclared links an incident a customer is declaring, in the declaration's transaction, to
// major incident majorID ("it is the same problem: keep me informed"): the major incident must
// be active and concern the incident's tenant, or the declaration is refused (a page-level
// message: the form has no field for it).
// It implements incident.Majors.
func (s *Service) LinkDeclared(ctx context.Context, tx bun.IDB, actor tenancy.Actor, inc *incident.Incident, majorID int64) error {
	m, err := byID(ctx, tx, majorID)
	if err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return i18n.NewError("major.error.declare_gone")
		}
		return err
	}
	if !m.Active() || !m.Concerns(inc.TenantID) {
		return i18n.NewError("major.error.declare_gone")
	}
	if _, err := tx.NewUpdate().TableExpr("incidents").Set("major_id = ?", majorID).Where("id = ?", inc.ID).Exec(ctx); err != nil {
		return fmt.Errorf("major: link declared incident %d: %w", inc.ID, err)
	}
	inc.MajorID = &majorID
	return timeline.Record(ctx, tx, timeline.NewEvent(inc.Subject(), actor, s.now(), IncidentLinked, timeline.Text, "", m.Number()))
}

// Matching lists the active major incidents concerning tenantID (which must be the customer's)
// whose services and regions include service and region: what the declare form offers as "the
// same problem".
func (s *Service) Matching(ctx context.Context, actor tenancy.Actor, tenantID int64, service, region string) ([]*Major, error) {
	ms, err := s.Active(ctx, actor, tenantID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ms, func(m *Major) bool { return !m.Matches(service, region) }), nil
}

// Linked lists page pg of the incidents linked to m that actor may read: every one for agents
// and admins; for a customer, those of the tenants where they hold the `incidents` right.
func (s *Service) Linked(ctx context.Context, actor tenancy.Actor, m *Major, pg paging.Page) ([]incident.Incident, bool, error) {
	where, args := "i.major_id = ?", []any{m.ID}
	switch {
	case MayManage(actor.Kind):
	case actor.Kind == identity.Customer:
		ts, err := customerTenants(ctx, s.DB, actor)
		if err != nil {
			return nil, false, err
		}
		var ok []int64
		for _, t := range ts {
			if _, err := tenancy.May(ctx, s.DB, actor, t, tenancy.RightIncidents); err == nil {
				ok = append(ok, t)
			}
		}
		if len(ok) == 0 {
			return nil, false, nil
		}
		where, args = where+" AND i.tenant_id IN (?)", append(args, bun.In(ok))
	default:
		return nil, false, nil
	}
	pg = pg.Within(paging.Size)
	var is []incident.Incident
	q := incident.WithNames(s.DB, &is).
		Where(where, args...).OrderExpr("i.id DESC")
	if pg.Size > 0 {
		q = q.Limit(int64(pg.Limit() + 1)).Offset(int64(pg.Offset()))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("major: incidents linked to major incident %d: %w", m.ID, err)
	}
	more := pg.Size > 0 && len(is) > pg.Size
	if more {
		is = is[:pg.Size]
	}
	return is, more, nil
}
