package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/events"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/major"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// Payload is the body of a delivery: the event, its tenant (by code) and its data, the ticket's
// public fields with, when the change wrote one, its new timeline entry.
type Payload struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	Tenant    string    `json:"tenant"`
	Data      any       `json:"data"`
}

// Entry is a timeline entry as a delivery carries it. A reply's and an event's text are public;
// an internal note reaches only endpoints of every tenant (admins'), as a note without its text
// or files.
type Entry struct {
	ID          int64        `json:"id"`
	Kind        string       `json:"kind"` // reply, note or event
	Event       string       `json:"event,omitempty"`
	From        string       `json:"from,omitempty"`
	To          string       `json:"to,omitempty"`
	Body        string       `json:"body,omitempty"`
	Author      *Person      `json:"author,omitempty"`
	Via         string       `json:"via,omitempty"`
	CreatedAt   time.Time    `json:"created_at"`
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Person is who wrote an entry.
type Person struct {
	Name string `json:"name"`
	Kind string `json:"kind,omitempty"`
}

// Attachment is a file of an entry, without its content.
type Attachment struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

// IncidentData is an incident as its customers read it.
type IncidentData struct {
	Number      string     `json:"number"`
	Tenant      string     `json:"tenant"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Service     string     `json:"service"`
	Region      string     `json:"region"`
	RegionOther string     `json:"region_other,omitempty"`
	Impact      string     `json:"impact"`
	Urgency     string     `json:"urgency"`
	Priority    string     `json:"priority"`
	Status      string     `json:"status"`
	Level       string     `json:"level"`
	Reporter    string     `json:"reporter,omitempty"`
	Assignee    string     `json:"assignee,omitempty"`
	Version     int        `json:"version"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	ResolvedAt  *time.Time `json:"resolved_at,omitempty"`
	Major       string     `json:"major_incident,omitempty"`
	Entry       *Entry     `json:"entry,omitempty"`
}

// ChangeData is a change request as its customers read it.
type ChangeData struct {
	Number        string            `json:"number"`
	Tenant        string            `json:"tenant"`
	Item          string            `json:"item"`
	ItemLabel     Label             `json:"item_label"`
	Values        map[string]string `json:"values"`
	State         string            `json:"state"`
	ScheduledOn   string            `json:"scheduled_on,omitempty"`
	AppliedValue  string            `json:"applied_value,omitempty"`
	Reason        string            `json:"reason,omitempty"`
	Requester     string            `json:"requester,omitempty"`
	Version       int               `json:"version"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
	ApprovedAt    *time.Time        `json:"approved_at,omitempty"`
	ImplementedAt *time.Time        `json:"implemented_at,omitempty"`
	Entry         *Entry            `json:"entry,omitempty"`
}

// Label is a name in both languages.
type Label struct {
	FR string `json:"fr"`
	EN string `json:"en"`
}

// ContractRequestData is a support-level request or a sales form as its customers read it.
type ContractRequestData struct {
	Number         string     `json:"number"`
	Tenant         string     `json:"tenant"`
	Kind           string     `json:"kind"`
	State          string     `json:"state"`
	FromLevel      string     `json:"from_level,omitempty"`
	Level          string     `json:"level,omitempty"`
	HolderName     string     `json:"holder_name,omitempty"`
	ContractName   string     `json:"contract_name,omitempty"`
	NewTenantCode  string     `json:"new_tenant_code,omitempty"`
	Details        string     `json:"details,omitempty"`
	Reason         string     `json:"reason,omitempty"`
	EffectiveOn    string     `json:"effective_on,omitempty"`
	CommittedUntil string     `json:"committed_until,omitempty"`
	Requester      string     `json:"requester,omitempty"`
	Version        int        `json:"version"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	DecidedAt      *time.Time `json:"decided_at,omitempty"`
	Entry          *Entry     `json:"entry,omitempty"`
}

// Emit writes one delivery of e to each active endpoint that subscribes to its type, in tx, the
// transaction of the change: the deliveries exist if and only if the change commits. A tenant's
// endpoints hear only of their tenant, and never of an internal note; the endpoints of every
// tenant hear of a note without its text. It implements events.Sink.
func (s *Service) Emit(ctx context.Context, tx bun.IDB, e events.Event) error {
	return s.EmitAll(ctx, tx, []events.Event{e})
}

// EmitAll is Emit for many events at once (a fan-out's, one per linked incident): the active
// endpoints and the events' tenants are read once, and the deliveries written a few hundred per
// statement. It implements events.BatchSink.
func (s *Service) EmitAll(ctx context.Context, tx bun.IDB, es []events.Event) error {
	if len(es) == 0 {
		return nil
	}
	var tenants []int64
	for _, e := range es {
		if !slices.Contains(tenants, e.TenantID) {
			tenants = append(tenants, e.TenantID)
		}
	}
	var ws []Webhook
	if err := tx.NewSelect().Model(&ws).Column("id", "events", "tenant_id").Where("active = ?", true).
		Where("(tenant_id IS NULL OR tenant_id IN (?))", bun.In(tenants)).Scan(ctx); err != nil {
		return fmt.Errorf("webhook: endpoints of event %s: %w", es[0].Type, err)
	}
	if len(ws) == 0 {
		return nil
	}
	now := s.now()
	codes := map[int64]string{}
	var ds []*Delivery
	for _, e := range es {
		note := e.Entry != nil && e.Entry.Internal()
		var to []int64
		for _, w := range ws {
			mine := w.TenantID == nil || (!note && *w.TenantID == e.TenantID)
			if mine && w.Wants(e.Type) {
				to = append(to, w.ID)
			}
		}
		if len(to) == 0 {
			continue
		}
		code, ok := codes[e.TenantID]
		if !ok {
			t, err := tenancy.TenantByID(ctx, tx, e.TenantID)
			if err != nil {
				return fmt.Errorf("webhook: tenant of event %s: %w", e.Type, err)
			}
			code, codes[e.TenantID] = t.Code, t.Code
		}
		p := Payload{ID: newEventID(), Type: e.Type, CreatedAt: now, Tenant: code}
		var err error
		if p.Data, err = dataOf(e, code); err != nil {
			return err
		}
		body, err := json.Marshal(p)
		if err != nil {
			return fmt.Errorf("webhook: encode event %s: %w", e.Type, err)
		}
		for _, id := range to {
			ds = append(ds, &Delivery{WebhookID: id, EventID: p.ID, EventType: e.Type, Payload: string(body), Status: StatusPending,
				NextAttemptAt: now, DeadlineAt: now.Add(RetryWindow), CreatedAt: now, UpdatedAt: now})
		}
	}
	for len(ds) > 0 {
		k := min(len(ds), 200)
		part := ds[:k]
		if _, err := tx.NewInsert().Model(&part).Exec(ctx); err != nil {
			return fmt.Errorf("webhook: write %d deliveries of event %s: %w", len(part), part[0].EventType, err)
		}
		ds = ds[k:]
	}
	return nil
}

// dataOf is the public view of the event's ticket, which must be of the event's tenant.
func dataOf(e events.Event, tenant string) (any, error) {
	entry := entryOf(e)
	switch x := e.Subject.(type) {
	case *incident.Incident:
		if x.TenantID != e.TenantID {
			return nil, fmt.Errorf("webhook: event %s on tenant %d about incident %d of tenant %d", e.Type, e.TenantID, x.ID, x.TenantID)
		}
		d := &IncidentData{Number: x.Number(), Tenant: tenant, Title: x.Title, Description: x.Description, Service: x.Service,
			Region: x.Region, RegionOther: x.RegionOther, Impact: string(x.Impact), Urgency: string(x.Urgency),
			Priority: string(x.Priority), Status: string(x.Status), Level: string(x.Level), Reporter: x.ReporterName,
			Assignee: x.AssigneeName, Version: x.Version, CreatedAt: x.CreatedAt.UTC(), UpdatedAt: x.UpdatedAt.UTC(),
			ResolvedAt: utc(x.ResolvedAt), Entry: entry}
		if x.MajorID != nil {
			d.Major = major.Number(*x.MajorID)
		}
		if d.Reporter == "" && x.ReporterID == e.Actor.UserID {
			d.Reporter = e.Actor.Name // a declaration: the incident is not read back
		}
		return d, nil
	case *change.Request:
		if x.TenantID != e.TenantID {
			return nil, fmt.Errorf("webhook: event %s on tenant %d about change request %d of tenant %d", e.Type, e.TenantID, x.ID, x.TenantID)
		}
		snap := x.Snapshot()
		d := &ChangeData{Number: x.Number(), Tenant: tenant, Item: x.ItemCode, ItemLabel: Label{FR: snap.Item.Label.FR, EN: snap.Item.Label.EN},
			Values: snap.Values.Form(), State: string(x.State), AppliedValue: x.AppliedValue, Reason: x.Reason,
			Requester: x.RequesterName, Version: x.Version, CreatedAt: x.CreatedAt.UTC(), UpdatedAt: x.UpdatedAt.UTC(),
			ApprovedAt: utc(x.ApprovedAt), ImplementedAt: utc(x.ImplementedAt), Entry: entry}
		if d.Values == nil {
			d.Values = map[string]string{}
		}
		if !x.ScheduledOn.IsZero() {
			d.ScheduledOn = x.ScheduledOn.String()
		}
		return d, nil
	case *contract.Request:
		if x.TenantID != e.TenantID {
			return nil, fmt.Errorf("webhook: event %s on tenant %d about request %d of tenant %d", e.Type, e.TenantID, x.ID, x.TenantID)
		}
		d := &ContractRequestData{Number: x.Number(), Tenant: tenant, Kind: string(x.Kind), State: string(x.State),
			FromLevel: string(x.FromLevel), Level: string(x.Level), HolderName: x.HolderName, ContractName: x.ContractName,
			NewTenantCode: x.NewTenantCode, Details: x.Details, Reason: x.DecisionReason, Version: x.Version,
			CreatedAt: x.CreatedAt.UTC(), UpdatedAt: x.UpdatedAt.UTC(), DecidedAt: utc(x.DecidedAt), Entry: entry}
		if x.Requester != nil {
			d.Requester = x.Requester.DisplayName
		} else if x.RequesterID == e.Actor.UserID {
			d.Requester = e.Actor.Name
		}
		if !x.EffectiveOn.IsZero() {
			d.EffectiveOn = x.EffectiveOn.String()
		}
		if !x.CommittedUntil.IsZero() {
			d.CommittedUntil = x.CommittedUntil.String()
		}
		return d, nil
	}
	return nil, fmt.Errorf("webhook: event %s about %T, which has no public view", e.Type, e.Subject)
}

// entryOf is the event's entry as a delivery carries it: an internal note without its text or
// files.
func entryOf(e events.Event) *Entry {
	x := e.Entry
	if x == nil {
		return nil
	}
	out := &Entry{ID: x.ID, Kind: string(x.Kind), CreatedAt: x.CreatedAt.UTC(), Via: x.Via}
	switch x.Kind {
	case timeline.Reply, timeline.Note:
	default:
		out.Kind = "event"
	}
	if x.ActorID != nil {
		name, kind := x.ActorName, string(x.ActorKind)
		if name == "" && *x.ActorID == e.Actor.UserID {
			name, kind = e.Actor.Name, string(e.Actor.Kind)
		}
		out.Author = &Person{Name: name, Kind: kind}
	}
	if x.Internal() {
		return out
	}
	out.Event, out.From, out.To, out.Body = strings.TrimPrefix(x.Event, "timeline."), x.From, x.To, x.Body
	for _, a := range x.Attachments {
		if a.Internal {
			continue
		}
		out.Attachments = append(out.Attachments, Attachment{ID: a.ID, Name: a.Name, ContentType: a.ContentType, Size: a.Size})
	}
	return out
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
