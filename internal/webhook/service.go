package webhook

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/config"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/uptrace/bun"
)

// Service holds the webhooks' use cases: registering endpoints, reading their delivery log,
// redelivering, and writing the deliveries of events (Emit). Admins manage the endpoints of any
// tenant and those of every tenant; a tenant's referent those of their tenant; anyone else is
// refused (apperr.ErrForbidden), and an endpoint they may not manage is apperr.ErrNotFound, as
// one that does not exist.
type Service struct {
	DB *bun.DB
	// AllowPrivate lets endpoints be on loopback, private and link-local addresses (tests, a
	// closed network): GUICHET_WEBHOOK_ALLOW_PRIVATE.
	AllowPrivate bool
	// Resolver finds the addresses of an endpoint's host when it is registered
	// (net.DefaultResolver when nil).
	Resolver Resolver
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Draft is what a person fills in to register or change an endpoint.
type Draft struct {
	URL string
	// Events are the patterns subscribed to, from Patterns.
	Events      []string
	Description string
	Active      bool
}

// validate checks a draft, each failure beside its field (url, events, description), and
// returns it as kept.
func (s *Service) validate(ctx context.Context, d Draft) (Draft, error) {
	var es i18n.Errors
	u, e := CheckURL(ctx, s.Resolver, d.URL, s.AllowPrivate)
	if e != nil {
		es.Add(e)
	}
	d.URL = u
	var pats []string
	for _, p := range d.Events {
		p = strings.TrimSpace(p)
		if !slices.Contains(Patterns, p) {
			es.Add(i18n.FieldError("events", "webhook.error.event_unknown", "Event", clip(p, 60)))
			continue
		}
		if !slices.Contains(pats, p) {
			pats = append(pats, p)
		}
	}
	if len(d.Events) == 0 {
		es.Add(i18n.FieldError("events", "webhook.error.events_required"))
	}
	d.Events = pats
	d.Description = strings.TrimSpace(d.Description)
	switch {
	case utf8.RuneCountInString(d.Description) > MaxDescription:
		es.Add(i18n.FieldError("description", "webhook.error.description_too_long", "Max", MaxDescription))
	case strings.ContainsFunc(d.Description, unicode.IsControl):
		es.Add(i18n.FieldError("description", "webhook.error.description_invalid"))
	}
	return d, es.Err()
}

// CanManage says whether actor may manage the endpoints of tenantID (0: the endpoints of every
// tenant): admins may; a tenant's referent may for it; a customer who is not its referent is
// apperr.ErrForbidden, one who is not of the tenant apperr.ErrNotFound; other staff
// apperr.ErrForbidden.
func (s *Service) CanManage(ctx context.Context, actor tenancy.Actor, tenantID int64) error {
	return mayManage(ctx, s.DB, actor, tenantID)
}

func mayManage(ctx context.Context, idb bun.IDB, actor tenancy.Actor, tenantID int64) error {
	switch actor.Kind {
	case identity.Admin:
		if tenantID == 0 {
			return nil
		}
		_, err := tenancy.TenantByID(ctx, idb, tenantID)
		return err
	case identity.Customer:
		if tenantID == 0 {
			return apperr.ErrForbidden
		}
		a, err := tenancy.AccessTo(ctx, idb, actor, tenantID)
		if err != nil {
			return err
		}
		if !a.Referent {
			return apperr.ErrForbidden
		}
		return nil
	}
	return apperr.ErrForbidden
}

// Create registers an endpoint of tenantID (0: of every tenant, admins only) and returns it
// with its secret, which is shown this once.
func (s *Service) Create(ctx context.Context, actor tenancy.Actor, tenantID int64, d Draft) (*Webhook, string, error) {
	if err := mayManage(ctx, s.DB, actor, tenantID); err != nil {
		return nil, "", err
	}
	d, err := s.validate(ctx, d)
	if err != nil {
		return nil, "", err
	}
	now := s.now()
	w := &Webhook{URL: d.URL, Secret: newSecret(), EventsRaw: strings.Join(d.Events, " "), Description: d.Description,
		Active: d.Active, Version: 1, CreatedBy: actor.UserID, CreatedAt: now, UpdatedAt: now}
	if tenantID != 0 {
		w.TenantID = &tenantID
	}
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// Two registrations at once count each other.
		if err := db.Serialize(ctx, tx, fmt.Sprintf("webhooks-%d", tenantID)); err != nil {
			return err
		}
		q := tx.NewSelect().Model((*Webhook)(nil))
		if tenantID != 0 {
			q = q.Where("tenant_id = ?", tenantID)
		} else {
			q = q.Where("tenant_id IS NULL")
		}
		n, err := q.Count(ctx)
		if err != nil {
			return fmt.Errorf("webhook: count endpoints: %w", err)
		}
		if n >= MaxPerTenant {
			return i18n.NewError("webhook.error.too_many", "Max", MaxPerTenant)
		}
		if _, err := tx.NewInsert().Model(w).Exec(ctx); err != nil {
			return fmt.Errorf("webhook: insert endpoint: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	got, err := byID(ctx, s.DB, w.ID)
	if err != nil {
		return nil, "", err
	}
	return got, w.Secret, nil
}

// byID reads an endpoint with its tenant's code and its author's name. It does not authorize.
func byID(ctx context.Context, idb bun.IDB, id int64) (*Webhook, error) {
	w := new(Webhook)
	err := selectWebhooks(idb, w).Where("w.id = ?", id).Scan(ctx)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, apperr.ErrNotFound
	case err != nil:
		return nil, fmt.Errorf("webhook: read endpoint %d: %w", id, err)
	}
	return w, nil
}

func selectWebhooks(idb bun.IDB, model any) *bun.SelectQuery {
	return idb.NewSelect().Model(model).
		ColumnExpr("w.*").
		ColumnExpr("t.code AS tenant_code, u.display_name AS created_by_name").
		Join("LEFT JOIN tenants AS t ON t.id = w.tenant_id").
		Join("LEFT JOIN users AS u ON u.id = w.created_by")
}

// Get returns an endpoint actor may manage; any other is apperr.ErrNotFound.
func (s *Service) Get(ctx context.Context, actor tenancy.Actor, id int64) (*Webhook, error) {
	return get(ctx, s.DB, actor, id)
}

func get(ctx context.Context, idb bun.IDB, actor tenancy.Actor, id int64) (*Webhook, error) {
	w, err := byID(ctx, idb, id)
	if err != nil {
		return nil, err
	}
	var tenantID int64
	if w.TenantID != nil {
		tenantID = *w.TenantID
	}
	if err := mayManage(ctx, idb, actor, tenantID); err != nil {
		if errors.Is(err, apperr.ErrForbidden) {
			return nil, apperr.ErrNotFound
		}
		return nil, err
	}
	return w, nil
}

// List returns a page of the endpoints actor may manage, oldest first, and whether another page
// follows: tenantID's (0: admins get every endpoint, those of every tenant included; a referent
// those of every tenant they are the referent of).
func (s *Service) List(ctx context.Context, actor tenancy.Actor, tenantID int64, p paging.Page) ([]Webhook, bool, error) {
	var ws []Webhook
	q := selectWebhooks(s.DB, &ws)
	switch {
	case tenantID != 0:
		if err := mayManage(ctx, s.DB, actor, tenantID); err != nil {
			return nil, false, err
		}
		q = q.Where("w.tenant_id = ?", tenantID)
	case actor.Kind == identity.Admin:
	case actor.Kind == identity.Customer:
		q = q.Where("w.tenant_id IN (SELECT id FROM tenants WHERE referent_id = ?)", actor.UserID)
	default:
		return nil, false, apperr.ErrForbidden
	}
	p = p.Within(200)
	q = q.OrderExpr("w.id")
	if p.Size > 0 {
		q = q.Limit(int64(p.Size + 1)).Offset(int64(p.Offset()))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("webhook: list endpoints: %w", err)
	}
	more := p.Size > 0 && len(ws) > p.Size
	if more {
		ws = ws[:p.Size]
	}
	return ws, more, nil
}

// Update changes an endpoint read at version (a stale one is apperr.ErrStale); its tenant and
// secret stay. Deliveries still pending go to the new address.
func (s *Service) Update(ctx context.Context, actor tenancy.Actor, id int64, version int, d Draft) (*Webhook, error) {
	w, err := get(ctx, s.DB, actor, id)
	if err != nil {
		return nil, err
	}
	if w.Version != version {
		return nil, apperr.ErrStale
	}
	if d, err = s.validate(ctx, d); err != nil {
		return nil, err
	}
	w.URL, w.EventsRaw, w.Description, w.Active = d.URL, strings.Join(d.Events, " "), d.Description, d.Active
	if err := s.write(ctx, w, version, "url", "events", "description", "active"); err != nil {
		return nil, err
	}
	return byID(ctx, s.DB, id)
}

// RotateSecret gives an endpoint read at version a new secret, returned this once; deliveries
// are signed with it from now on.
func (s *Service) RotateSecret(ctx context.Context, actor tenancy.Actor, id int64, version int) (*Webhook, string, error) {
	w, err := get(ctx, s.DB, actor, id)
	if err != nil {
		return nil, "", err
	}
	if w.Version != version {
		return nil, "", apperr.ErrStale
	}
	w.Secret = newSecret()
	if err := s.write(ctx, w, version, "secret"); err != nil {
		return nil, "", err
	}
	got, err := byID(ctx, s.DB, id)
	if err != nil {
		return nil, "", err
	}
	return got, w.Secret, nil
}

// write saves columns of w if it is still at version.
func (s *Service) write(ctx context.Context, w *Webhook, version int, columns ...string) error {
	w.UpdatedAt = s.now()
	res, err := s.DB.NewUpdate().Model(w).Column(append(columns, "updated_at")...).Set("version = version + 1").
		Where("id = ? AND version = ?", w.ID, version).Exec(ctx)
	if err != nil {
		return fmt.Errorf("webhook: update endpoint %d: %w", w.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		if err != nil {
			return fmt.Errorf("webhook: update endpoint %d: %w", w.ID, err)
		}
		return apperr.ErrStale
	}
	return nil
}

// Delete removes an endpoint and its delivery log: what was not delivered is not.
func (s *Service) Delete(ctx context.Context, actor tenancy.Actor, id int64) error {
	if _, err := get(ctx, s.DB, actor, id); err != nil {
		return err
	}
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*Delivery)(nil)).Where("webhook_id = ?", id).Exec(ctx); err != nil {
			return fmt.Errorf("webhook: delete the deliveries of endpoint %d: %w", id, err)
		}
		if _, err := tx.NewDelete().Model((*Webhook)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
			return fmt.Errorf("webhook: delete endpoint %d: %w", id, err)
		}
		return nil
	})
}

// Deliveries returns a page of an endpoint's delivery log, latest first, with the given status
// only when status is not "", and whether another page follows.
func (s *Service) Deliveries(ctx context.Context, actor tenancy.Actor, webhookID int64, status string, p paging.Page) ([]Delivery, bool, error) {
	if _, err := get(ctx, s.DB, actor, webhookID); err != nil {
		return nil, false, err
	}
	p = p.Within(200)
	var ds []Delivery
	q := s.DB.NewSelect().Model(&ds).Where("webhook_id = ?", webhookID).OrderExpr("id DESC")
	if status != "" {
		q = q.Where("status = ?", status)
	}
	if p.Size > 0 {
		q = q.Limit(int64(p.Size + 1)).Offset(int64(p.Offset()))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("webhook: list the deliveries of endpoint %d: %w", webhookID, err)
	}
	more := p.Size > 0 && len(ds) > p.Size
	if more {
		ds = ds[:p.Size]
	}
	return ds, more, nil
}

// Delivery returns one delivery of an endpoint actor may manage.
func (s *Service) Delivery(ctx context.Context, actor tenancy.Actor, webhookID, id int64) (*Delivery, error) {
	if _, err := get(ctx, s.DB, actor, webhookID); err != nil {
		return nil, err
	}
	return deliveryOf(ctx, s.DB, webhookID, id)
}

func deliveryOf(ctx context.Context, idb bun.IDB, webhookID, id int64) (*Delivery, error) {
	d := new(Delivery)
	err := idb.NewSelect().Model(d).Where("id = ? AND webhook_id = ?", id, webhookID).Scan(ctx)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, apperr.ErrNotFound
	case err != nil:
		return nil, fmt.Errorf("webhook: read delivery %d: %w", id, err)
	}
	return d, nil
}

// Redeliver makes a delivered or dead delivery pending again, due now, with a new retry window:
// the same event (same id and payload) is posted again, signed with the endpoint's secret of the
// moment. A delivery still pending is left as it is.
func (s *Service) Redeliver(ctx context.Context, actor tenancy.Actor, webhookID, id int64) (*Delivery, error) {
	if _, err := get(ctx, s.DB, actor, webhookID); err != nil {
		return nil, err
	}
	now := s.now()
	_, err := s.DB.NewUpdate().Model((*Delivery)(nil)).
		Set("status = ?", StatusPending).Set("attempts = 0").Set("next_attempt_at = ?", now).
		Set("deadline_at = ?", now.Add(RetryWindow)).Set("claimed_until = NULL").Set("claimed_by = ''").
		Set("last_error = ''").Set("last_status = 0").Set("delivered_at = NULL").Set("updated_at = ?", now).
		Where("id = ? AND webhook_id = ? AND status <> ?", id, webhookID, StatusPending).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("webhook: redeliver delivery %d: %w", id, err)
	}
	return deliveryOf(ctx, s.DB, webhookID, id)
}

// Sweep deletes the deliveries whose retry window ended more than Keep before now, not under a
// live claim; it returns how many. (A periodic job.)
func (s *Service) Sweep(ctx context.Context, now time.Time) (int, error) {
	now = now.UTC()
	res, err := s.DB.NewDelete().Model((*Delivery)(nil)).
		Where("deadline_at < ? AND (status <> ? OR claimed_until IS NULL OR claimed_until < ?)", now.Add(-Keep), StatusPending, now).
		Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("webhook: sweep old deliveries: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func clip(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "")
}

// NewService returns the service with the desk's settings.
func NewService(db *bun.DB, c config.Webhook) *Service {
	return &Service{DB: db, AllowPrivate: c.AllowPrivate}
}

// TenantID finds the tenant of code whose endpoints actor may manage (see CanManage): an unknown
// code, or one of a tenant the actor is not of, is apperr.ErrNotFound.
func (s *Service) TenantID(ctx context.Context, actor tenancy.Actor, code string) (int64, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if !tenancy.ValidTenantCode(code) {
		return 0, apperr.ErrNotFound
	}
	if actor.Kind != identity.Admin && actor.Kind != identity.Customer {
		return 0, apperr.ErrForbidden
	}
	t, err := tenancy.TenantByCode(ctx, s.DB, code)
	if err != nil {
		return 0, err
	}
	if err := mayManage(ctx, s.DB, actor, t.ID); err != nil {
		return 0, err
	}
	return t.ID, nil
}
