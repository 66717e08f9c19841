package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/guichet/guichet/internal/events"
	"github.com/guichet/guichet/internal/major"
	"github.com/uptrace/bun"
)

// MajorData is a major incident as a delivery carries it: its public text in both languages.
type MajorData struct {
	Number      string       `json:"number"`
	Title       Label        `json:"title"`
	Description Label        `json:"description"`
	Services    []string     `json:"services"`
	Regions     []string     `json:"regions"`
	AllTenants  bool         `json:"all_tenants"`
	State       string       `json:"state"`
	StartedAt   time.Time    `json:"started_at"`
	ResolvedAt  *time.Time   `json:"resolved_at,omitempty"`
	Version     int          `json:"version"`
	Update      *MajorUpdate `json:"update,omitempty"`
}

// MajorUpdate is a public update as a delivery carries it.
type MajorUpdate struct {
	ID        int64     `json:"id"`
	State     string    `json:"state"`
	Body      Label     `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// MajorOf is the public view of a major incident and of an update of it (u may be nil).
func MajorOf(m *major.Major, u *major.Update) *MajorData {
	d := &MajorData{Number: m.Number(), Title: Label{FR: m.TitleFR, EN: m.TitleEN},
		Description: Label{FR: m.DescriptionFR, EN: m.DescriptionEN}, Services: m.ServiceList(), Regions: m.RegionList(),
		AllTenants: m.AllTenants, State: string(m.State), StartedAt: m.StartedAt.UTC(), ResolvedAt: utc(m.ResolvedAt), Version: m.Version}
	if d.Services == nil {
		d.Services = []string{}
	}
	if d.Regions == nil {
		d.Regions = []string{}
	}
	if u != nil {
		d.Update = &MajorUpdate{ID: u.ID, State: string(u.State), Body: Label{FR: u.BodyFR, EN: u.BodyEN}, CreatedAt: u.CreatedAt.UTC()}
	}
	return d
}

// EmitMajor writes one delivery of a major incident's event to each active endpoint that
// subscribes to its type and hears of a tenant it concerns: an endpoint of every tenant, or a
// tenant's endpoint when the major incident concerns every tenant or names that tenant. Each
// delivery names its endpoint's tenant ("" for an endpoint of every tenant). It implements
// events.MajorSink.
func (s *Service) EmitMajor(ctx context.Context, tx bun.IDB, e events.MajorEvent) error {
	m, ok := e.Subject.(*major.Major)
	if !ok {
		return fmt.Errorf("webhook: event %s about %T, which is no major incident", e.Type, e.Subject)
	}
	u, _ := e.Update.(*major.Update)
	var ws []Webhook
	q := tx.NewSelect().Model(&ws).Column("w.id", "w.events", "w.tenant_id").ColumnExpr("t.code AS tenant_code").
		Join("LEFT JOIN tenants AS t ON t.id = w.tenant_id").Where("w.active = ?", true)
	if !e.AllTenants {
		if len(e.Tenants) == 0 {
			q = q.Where("w.tenant_id IS NULL")
		} else {
			q = q.Where("(w.tenant_id IS NULL OR w.tenant_id IN (?))", bun.In(e.Tenants))
		}
	}
	if err := q.Scan(ctx); err != nil {
		return fmt.Errorf("webhook: endpoints of event %s: %w", e.Type, err)
	}
	now := s.now()
	data := MajorOf(m, u)
	eventID := newEventID()
	var ds []*Delivery
	for _, w := range ws {
		if !w.Wants(e.Type) {
			continue
		}
		body, err := json.Marshal(Payload{ID: eventID, Type: e.Type, CreatedAt: now, Tenant: w.TenantCode, Data: data})
		if err != nil {
			return fmt.Errorf("webhook: encode event %s: %w", e.Type, err)
		}
		ds = append(ds, &Delivery{WebhookID: w.ID, EventID: eventID, EventType: e.Type, Payload: string(body), Status: StatusPending,
			NextAttemptAt: now, DeadlineAt: now.Add(RetryWindow), CreatedAt: now, UpdatedAt: now})
	}
	if len(ds) == 0 {
		return nil
	}
	if _, err := tx.NewInsert().Model(&ds).Exec(ctx); err != nil {
		return fmt.Errorf("webhook: write %d deliveries of event %s: %w", len(ds), e.Type, err)
	}
	return nil
}
