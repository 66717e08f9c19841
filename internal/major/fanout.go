package major

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/events"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// Post publishes an update of major incident id in both languages, as an agent or an admin, and
// puts the major incident in the update's state; an update in the state resolved resolves it.
// The update is written in one transaction; its fan-out to the linked incidents and their
// people follows in bounded ones (FanOut). A fan-out interrupted is carried on by the
// major.fanout job, from where it stopped.
func (s *Service) Post(ctx context.Context, actor tenancy.Actor, id int64, d UpdateDraft) (*Update, error) {
	if err := manager(actor); err != nil {
		return nil, err
	}
	var u *Update
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := lock(ctx, tx, id); err != nil {
			return err
		}
		m, err := byID(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := CheckUpdate(m, &d); err != nil {
			return err
		}
		now := s.now()
		author := actor.UserID
		u = &Update{MajorID: id, State: State(d.State), BodyFR: d.BodyFR, BodyEN: d.BodyEN, AuthorID: &author, CreatedAt: now, AuthorName: actor.Name}
		if _, err := tx.NewInsert().Model(u).Exec(ctx); err != nil {
			return fmt.Errorf("major: insert update of major incident %d: %w", id, err)
		}
		old := m.State
		m.State, m.UpdatedAt = u.State, now
		if u.State == Resolved {
			m.ResolvedAt = &now
		}
		m.Version++
		if _, err := tx.NewUpdate().Model(m).Column("state", "resolved_at", "version", "updated_at").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("major: update major incident %d: %w", id, err)
		}
		if old != m.State {
			if err := timeline.Record(ctx, tx, timeline.NewEvent(subject(id), actor, now, EventState, timeline.Key, old.Key(), m.State.Key())); err != nil {
				return err
			}
		}
		typ := events.MajorUpdated
		if m.State == Resolved {
			typ = events.MajorResolved
		}
		return events.EmitMajor(ctx, tx, s.Majors, events.MajorEvent{Type: typ, Tenants: m.TenantIDs, AllTenants: m.AllTenants, Subject: m, Update: u, Actor: actor})
	})
	if err != nil {
		return nil, err
	}
	s.forget() // its state shows at once on this instance's banners
	// The update is published: its fan-out finishes even if the request that asked goes away.
	if err := s.FanOut(context.WithoutCancel(ctx), u.ID); err != nil {
		s.log().Error("major: fan-out of an update stopped; the major.fanout job carries it on", "update", u.ID, "err", err)
	}
	return u, nil
}

// FanOut carries update updateID to the incidents linked to its major incident and to their
// people, a batch of incidents per transaction, until it is done: on each linked incident a
// timeline entry with the text in its reporter's language (for a resolution, the incident is
// resolved with it when still open), the webhooks' incident events, and one mail per person,
// in their language, however many of their incidents are linked; then one mail to each
// follower not told yet. Each batch moves the update's cursor in its own transaction, so that a
// fan-out interrupted anywhere carries on where it stopped, and tells no one twice.
func (s *Service) FanOut(ctx context.Context, updateID int64) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		done, err := s.fanOutBatch(ctx, updateID)
		if err != nil || done {
			return err
		}
	}
}

// ResumeFanOuts carries on every fan-out that did not finish (the major.fanout job). It returns
// how many it finished.
func (s *Service) ResumeFanOuts(ctx context.Context, now time.Time) (int, error) {
	var ids []int64
	if err := s.DB.NewSelect().Model((*Update)(nil)).Column("u.id").Where("u.fanout_done = ?", false).OrderExpr("u.id").Limit(100).Scan(ctx, &ids); err != nil {
		return 0, fmt.Errorf("major: list unfinished fan-outs: %w", err)
	}
	n := 0
	var errs []error
	for _, id := range ids {
		if err := s.FanOut(ctx, id); err != nil {
			// One fan-out that fails holds back no other: each is tried every run.
			errs = append(errs, fmt.Errorf("major: fan-out of update %d: %w", id, err))
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// fanOutBatch does the next batch of an update's fan-out and reports whether it is done.
func (s *Service) fanOutBatch(ctx context.Context, updateID int64) (bool, error) {
	done := false
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		u := new(Update)
		if err := tx.NewSelect().Model(u).Where("u.id = ?", updateID).Scan(ctx); err != nil {
			return fmt.Errorf("major: read update %d: %w", updateID, err)
		}
		if err := lock(ctx, tx, u.MajorID); err != nil {
			return err
		}
		if err := tx.NewSelect().Model(u).Where("u.id = ?", updateID).Scan(ctx); err != nil { // as it stands under the lock
			return fmt.Errorf("major: read update %d: %w", updateID, err)
		}
		if u.FanoutDone {
			done = true
			return nil
		}
		m, err := byID(ctx, tx, u.MajorID)
		if err != nil {
			return err
		}
		author, err := authorOf(ctx, tx, u)
		if err != nil {
			return err
		}
		f := &fan{ctx: ctx, s: s, tx: tx, m: m, u: u, author: author, now: s.now()}
		q := incident.WithNames(tx, &f.is).
			Where("i.major_id = ? AND i.id > ?", m.ID, u.FanoutCursor).OrderExpr("i.id").Limit(int64(s.batch()))
		if db.IsPG(tx) {
			q = q.For("UPDATE OF i")
		}
		if err := q.Scan(ctx); err != nil {
			return fmt.Errorf("major: linked incidents of major incident %d: %w", m.ID, err)
		}
		if len(f.is) == 0 {
			done, err = f.followers()
			return err
		}
		return f.incidents()
	})
	return done, err
}

// authorOf is the update's author as the actor of the entries and mail it causes.
func authorOf(ctx context.Context, idb bun.IDB, u *Update) (tenancy.Actor, error) {
	if u.AuthorID == nil {
		return tenancy.System, nil
	}
	usr, err := identity.UserByID(ctx, idb, *u.AuthorID)
	if err != nil {
		return tenancy.System, nil // a deleted author: the desk speaks
	}
	return tenancy.ActorOf(usr), nil
}

// fan is one batch of a fan-out.
type fan struct {
	ctx    context.Context
	s      *Service
	tx     bun.Tx
	m      *Major
	u      *Update
	author tenancy.Actor
	now    time.Time
	is     []incident.Incident
}

// incidents writes the batch's timeline entries, resolutions, webhook events and mail, and
// moves the cursor past the batch.
func (f *fan) incidents() error {
	ctx, tx := f.ctx, f.tx
	reporters := make([]int64, 0, len(f.is))
	for _, inc := range f.is {
		reporters = append(reporters, inc.ReporterID)
	}
	langs, err := f.langs(ctx, reporters)
	if err != nil {
		return err
	}
	es := make([]*timeline.Entry, 0, len(f.is))
	var resolved, touched []int64
	resolves := make([]bool, len(f.is))
	for i := range f.is {
		inc := &f.is[i]
		body := f.u.Body(langs[inc.ReporterID])
		var e *timeline.Entry
		if f.u.State == Resolved && ResolvesLinked(inc.Status) {
			e = timeline.NewEvent(inc.Subject(), f.author, f.now, incident.EventStatus, timeline.Key, incident.StatusKey(inc.Status), incident.StatusKey(incident.Resolved))
			inc.Status, inc.ResolvedAt, inc.Version = incident.Resolved, &f.now, inc.Version+1
			inc.SLADueAt, inc.SLARiskAt, inc.SLAAlertAt = incident.NoDue, incident.NoDue, nil
			resolved, resolves[i] = append(resolved, inc.ID), true
		} else {
			e = timeline.NewEvent(inc.Subject(), f.author, f.now, IncidentUpdate+"."+string(f.u.State), timeline.Text, f.m.Number(), "")
			touched = append(touched, inc.ID)
		}
		e.Body = body
		inc.UpdatedAt = f.now
		es = append(es, e)
	}
	if err := timeline.RecordAll(ctx, tx, es); err != nil {
		return err
	}
	if len(resolved) > 0 {
		_, err := tx.NewUpdate().TableExpr("incidents").
			Set("status = ?", incident.Resolved).Set("resolved_at = ?", f.now).Set("version = version + 1").
			Set("sla_due_at = ?", incident.NoDue).Set("sla_risk_at = ?", incident.NoDue).Set("sla_alert_at = NULL").
			Set("updated_at = ?", f.now).
			Where("id IN (?)", bun.In(resolved)).Exec(ctx)
		if err != nil {
			return fmt.Errorf("major: resolve linked incidents: %w", err)
		}
		if err := incident.MarkReport(ctx, tx, resolved...); err != nil {
			return err
		}
	}
	if len(touched) > 0 {
		if _, err := tx.NewUpdate().TableExpr("incidents").Set("updated_at = ?", f.now).Where("id IN (?)", bun.In(touched)).Exec(ctx); err != nil {
			return fmt.Errorf("major: touch linked incidents: %w", err)
		}
	}
	evs := make([]events.Event, 0, len(f.is))
	for i := range f.is {
		typ := events.IncidentUpdated
		if resolves[i] {
			typ = events.IncidentResolved
		}
		evs = append(evs, events.Event{Type: typ, TenantID: f.is[i].TenantID, Subject: &f.is[i], Entry: es[i], Actor: f.author})
	}
	if err := events.EmitAll(ctx, tx, f.s.Events, evs); err != nil {
		return err
	}
	// One mail per person: the reporters of this batch not told of this update yet, each
	// about their first incident of the batch their right reaches.
	told, err := f.told(ctx, reporters)
	if err != nil {
		return err
	}
	var pairs []tenancy.UserTenant
	for _, inc := range f.is {
		if !told[inc.ReporterID] {
			pairs = append(pairs, tenancy.UserTenant{UserID: inc.ReporterID, TenantID: inc.TenantID})
		}
	}
	rcs, err := f.s.Audience.Requesters(ctx, tx, tenancy.RightIncidents, pairs)
	if err != nil {
		return err
	}
	var items []notify.Addressed
	var mailed []int64
	for i := range f.is {
		inc := &f.is[i]
		rc, ok := rcs[tenancy.UserTenant{UserID: inc.ReporterID, TenantID: inc.TenantID}]
		if told[inc.ReporterID] || !ok {
			continue
		}
		told[inc.ReporterID] = true
		mailed = append(mailed, inc.ReporterID)
		items = append(items, f.notice(rc, inc, resolves[i]))
	}
	if err := f.s.Notifier.EnqueueEach(ctx, tx, items); err != nil {
		return err
	}
	if err := f.markTold(ctx, mailed); err != nil {
		return err
	}
	cursor := f.is[len(f.is)-1].ID
	if _, err := tx.NewUpdate().Model((*Update)(nil)).Set("fanout_cursor = ?", cursor).Where("id = ?", f.u.ID).Exec(ctx); err != nil {
		return fmt.Errorf("major: move the fan-out of update %d on: %w", f.u.ID, err)
	}
	return nil
}

// followers mails a batch of the followers not told yet, and reports whether none is left.
func (f *fan) followers() (bool, error) {
	ctx, tx := f.ctx, f.tx
	var rows []struct {
		UserID   int64 `bun:"user_id"`
		TenantID int64 `bun:"tenant_id"`
	}
	err := tx.NewSelect().TableExpr("major_incident_followers AS f").Column("f.user_id", "f.tenant_id").
		Where("f.major_id = ?", f.m.ID).
		Where("f.user_id NOT IN (SELECT user_id FROM major_update_mail WHERE update_id = ?)", f.u.ID).
		OrderExpr("f.user_id").Limit(int64(f.s.batch())).Scan(ctx, &rows)
	if err != nil {
		return false, fmt.Errorf("major: followers of major incident %d: %w", f.m.ID, err)
	}
	pairs := make([]tenancy.UserTenant, 0, len(rows))
	for _, r := range rows {
		pairs = append(pairs, tenancy.UserTenant{UserID: r.UserID, TenantID: r.TenantID})
	}
	rcs, err := f.s.Audience.Requesters(ctx, tx, tenancy.RightIncidents, pairs)
	if err != nil {
		return false, err
	}
	var items []notify.Addressed
	var mailed []int64
	for _, p := range pairs {
		if rc, ok := rcs[p]; ok {
			items = append(items, f.notice(rc, nil, false))
		}
		mailed = append(mailed, p.UserID) // told or not reachable: either way, done with them
	}
	if err := f.s.Notifier.EnqueueEach(ctx, tx, items); err != nil {
		return false, err
	}
	if err := f.markTold(ctx, mailed); err != nil {
		return false, err
	}
	if len(rows) == f.s.batch() {
		return false, nil
	}
	if _, err := tx.NewUpdate().Model((*Update)(nil)).Set("fanout_done = ?", true).Where("id = ?", f.u.ID).Exec(ctx); err != nil {
		return false, fmt.Errorf("major: finish the fan-out of update %d: %w", f.u.ID, err)
	}
	return true, nil
}

// langs reads the language of each user of ids.
func (f *fan) langs(ctx context.Context, ids []int64) (map[int64]string, error) {
	var rows []struct {
		ID   int64  `bun:"id"`
		Lang string `bun:"lang"`
	}
	if err := f.tx.NewSelect().TableExpr("users").Column("id", "lang").Where("id IN (?)", bun.In(ids)).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("major: languages of reporters: %w", err)
	}
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Lang
	}
	return out, nil
}

// told reads which of ids were mailed this update already.
func (f *fan) told(ctx context.Context, ids []int64) (map[int64]bool, error) {
	var got []int64
	if err := f.tx.NewSelect().TableExpr("major_update_mail").Column("user_id").
		Where("update_id = ? AND user_id IN (?)", f.u.ID, bun.In(ids)).Scan(ctx, &got); err != nil {
		return nil, fmt.Errorf("major: who was told of update %d: %w", f.u.ID, err)
	}
	out := make(map[int64]bool, len(got))
	for _, id := range got {
		out[id] = true
	}
	return out, nil
}

func (f *fan) markTold(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	type row struct {
		bun.BaseModel `bun:"table:major_update_mail"`
		UpdateID      int64 `bun:"update_id"`
		UserID        int64 `bun:"user_id"`
	}
	rows := make([]row, 0, len(ids))
	for _, id := range ids {
		rows = append(rows, row{UpdateID: f.u.ID, UserID: id})
	}
	if _, err := f.tx.NewInsert().Model(&rows).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
		return fmt.Errorf("major: record who was told of update %d: %w", f.u.ID, err)
	}
	return nil
}

// notice is the update's mail to rc, in their language; inc is their incident linked (nil for
// a follower), resolved whether the update resolved it.
func (f *fan) notice(rc notify.Recipient, inc *incident.Incident, resolved bool) notify.Addressed {
	kind := "major_update"
	if f.u.State == Resolved {
		kind = "major_resolved"
	}
	data := map[string]any{"Number": f.m.Number(), "Title": f.m.Title(rc.Lang), "Body": f.u.Body(rc.Lang),
		"StateKey": f.u.State.Key(), "Link": f.s.Notifier.Link("/status/" + f.m.Number()), "Actor": f.author.Name,
		"Incident": "", "IncidentLink": "", "Resolved": false, "ReopenUntil": time.Time{}}
	if inc != nil {
		data["Incident"], data["IncidentLink"] = inc.Number(), f.s.Notifier.Link("/incidents/"+inc.Number())
		if resolved {
			data["Resolved"], data["ReopenUntil"] = true, inc.ReopenUntil()
		}
	}
	return notify.Addressed{Notice: notify.Notice{Kind: kind, Thread: "major-" + strconv.FormatInt(f.m.ID, 10), Data: data}, To: rc}
}
