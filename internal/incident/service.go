package incident

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/cloud"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/events"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/once"
	"github.com/guichet/guichet/internal/sla"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// Service holds the incident use cases: each authorizes its actor, applies the rules and writes
// the incident, its timeline and its mail in one transaction.
type Service struct {
	DB       *bun.DB
	Notifier *notify.Notifier
	// Audience says who is told; its support leads hear of breaches and of customer messages
	// on unassigned incidents.
	Audience *audience.Roster
	Policy   *sla.Policy
	// Events hears of each change in its transaction (webhooks); nil tells nobody.
	Events events.Sink
	// Majors links declared incidents to major incidents and groups their breach alerts
	// (package major); nil: no major incidents.
	Majors Majors
	Now    func() time.Time
}

// Majors is what incidents ask of major incidents, in the caller's transaction.
type Majors interface {
	// LinkDeclared links inc, being declared, to major incident majorID, or refuses it with a
	// page-level message.
	LinkDeclared(ctx context.Context, tx bun.IDB, actor tenancy.Actor, inc *Incident, majorID int64) error
	// BreachGrouped takes the breach of target (an SLA target's key, due at due) of an incident
	// linked to a major incident, and reports whether it did: the major incident's alert
	// stands for it.
	BreachGrouped(ctx context.Context, tx bun.IDB, inc *Incident, target string, due time.Time) (bool, error)
	// Lock holds major incident majorID's row until the transaction ends (PostgreSQL), taken
	// before its incidents' rows as every writer of both does.
	Lock(ctx context.Context, tx bun.IDB, majorID int64) error
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// RegionAlliance is the region choice for a Cloud Alliance region, named in RegionOther.
const RegionAlliance = "alliance"

// Draft is what a customer fills in to declare an incident. Its Region is one of the provider's
// regions, a Cloud Alliance region granted to the tenant, or RegionAlliance with RegionOther
// naming one.
type Draft struct {
	Title, Description, Service, Region, RegionOther, Impact, Urgency, Phone string
	Files                                                                    []timeline.Upload
	// FormToken is the form's one-time token: the same form sent twice declares once.
	FormToken string
	// MajorID links the incident to an active major incident of its tenant as it is declared
	// ("it is the same problem: keep me informed"); 0: no link.
	MajorID int64
}

var phoneChars = regexp.MustCompile(`^\+?[0-9 ().\-]{4,40}$`)

// Validate checks a draft, each failure beside its field, and trims it. A Cloud Alliance region
// is a region here; whether it is granted to the tenant is Declare's to check (see
// allianceGranted), as it reads the tenant's.
func (d *Draft) Validate() error {
	var es i18n.Errors
	d.Title, d.Description = strings.TrimSpace(d.Title), strings.TrimSpace(d.Description)
	switch n := utf8.RuneCountInString(d.Title); {
	case n == 0:
		es.Add(i18n.FieldError("title", "incident.error.title_required"))
	case n > MaxTitle:
		es.Add(i18n.FieldError("title", "incident.error.title_too_long", "Max", MaxTitle, "Length", n))
	}
	switch n := utf8.RuneCountInString(d.Description); {
	case n == 0:
		es.Add(i18n.FieldError("description", "incident.error.description_required"))
	case n > MaxDescription:
		es.Add(i18n.FieldError("description", "incident.error.description_too_long", "Max", MaxDescription, "Length", n))
	}
	if !cloud.IsService(d.Service) {
		es.Add(i18n.FieldError("service", "incident.error.service"))
	}
	switch {
	case d.Region == RegionAlliance:
		d.RegionOther = strings.TrimSpace(d.RegionOther)
		if d.RegionOther == "" || utf8.RuneCountInString(d.RegionOther) > MaxRegionOther {
			es.Add(i18n.FieldError("region_other", "incident.error.region_other", "Max", MaxRegionOther))
		}
	case cloud.IsRegion(d.Region), cloud.IsAllianceRegion(d.Region):
		d.RegionOther = ""
	default:
		es.Add(i18n.FieldError("region", "incident.error.region"))
	}
	if !slices.Contains(Levels, Level(d.Impact)) {
		es.Add(i18n.FieldError("impact", "incident.error.impact"))
	}
	if !slices.Contains(Levels, Level(d.Urgency)) {
		es.Add(i18n.FieldError("urgency", "incident.error.urgency"))
	}
	if d.Phone = strings.TrimSpace(d.Phone); d.Phone != "" && !phoneChars.MatchString(d.Phone) {
		es.Add(i18n.FieldError("phone", "incident.error.phone"))
	}
	return es.Err()
}

// CanDeclare says whether actor may declare incidents on tenantID (the `incidents` right).
func CanDeclare(ctx context.Context, idb bun.IDB, actor tenancy.Actor, tenantID int64) (*tenancy.Access, error) {
	if actor.Kind != identity.Customer {
		return nil, apperr.ErrNotFound // staff declare nothing: they work what customers declare
	}
	a, err := tenancy.May(ctx, idb, actor, tenantID, tenancy.RightIncidents)
	if err != nil {
		return nil, err
	}
	if a.Tenant.Status == tenancy.TenantCancelled {
		return nil, i18n.NewError("incident.error.tenant_cancelled")
	}
	return a, nil
}

// Declare opens an incident on tenantID for a customer with the `incidents` right: priority from
// the ITIL matrix, SLA under the tenant's current support level, mail to the reporter and the
// tenant's referent.
func (s *Service) Declare(ctx context.Context, actor tenancy.Actor, tenantID int64, d Draft) (*Incident, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	now := s.now()
	inc := &Incident{TenantID: tenantID, ReporterID: actor.UserID, Title: d.Title, Description: d.Description,
		Service: d.Service, Region: d.Region, RegionOther: d.RegionOther, Impact: Level(d.Impact), Urgency: Level(d.Urgency),
		Phone: d.Phone, Status: New, Version: 1, CreatedAt: now, UpdatedAt: now}
	inc.Priority = PriorityFor(inc.Impact, inc.Urgency)
	var first int64
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		a, err := CanDeclare(ctx, tx, actor, tenantID)
		if err != nil {
			return err
		}
		if err := allianceGranted(ctx, tx, tenantID, d.Region); err != nil {
			return err
		}
		id, sent, err := once.Find(ctx, tx, actor.UserID, d.FormToken, SubjectKind)
		if err != nil || sent {
			first = id
			return err
		}
		levels, err := contract.CurrentLevels(ctx, tx, []int64{tenantID}, calendar.ParisDate(now))
		if err != nil {
			return err
		}
		inc.Level = sla.Level(levels[tenantID])
		if inc.Level == "" {
			inc.Level = sla.Basic
		}
		// A new incident's timeline is its creation: its SLA keys are known before it is written.
		ev, err := s.Policy.Evaluate(inc.Level, sla.Timeline{{At: now, Kind: sla.Created, Priority: inc.Priority}}, now)
		if err != nil {
			return err
		}
		inc.Derive(ev)
		if err := Insert(ctx, tx, inc); err != nil {
			return err
		}
		created := timeline.NewEvent(inc.Subject(), actor, now, EventCreated, timeline.Text, "", string(inc.Priority))
		origin := timeline.OriginOf(ctx)
		created.Via = origin.Via
		if err := timeline.Record(ctx, tx, created, d.Files...); err != nil {
			return err
		}
		if origin.Recorded != nil {
			if err := origin.Recorded(ctx, tx, created); err != nil {
				return err
			}
		}
		if err := timeline.Index(ctx, tx, SearchDoc(inc, created.ID)); err != nil {
			return err
		}
		if d.MajorID != 0 {
			if s.Majors == nil {
				return i18n.NewError("major.error.declare_gone")
			}
			if err := s.Majors.LinkDeclared(ctx, tx, actor, inc, d.MajorID); err != nil {
				return err
			}
		}
		if err := once.Record(ctx, tx, actor.UserID, d.FormToken, SubjectKind, inc.ID, now); err != nil {
			return err
		}
		inc.TenantCode = a.Tenant.Code
		if err := events.Emit(ctx, tx, s.Events, events.Event{Type: events.IncidentDeclared, TenantID: tenantID, Subject: inc, Actor: actor}); err != nil {
			return err
		}
		return s.notify(ctx, tx, inc, a.Tenant, actor, "incident_declared", true, map[string]any{"Description": inc.Description},
			audience.Requester, audience.Referent)
	})
	if id, twin := once.Repeated(ctx, s.DB, err, actor.UserID, d.FormToken, SubjectKind); twin {
		first, err = id, nil
	}
	if err != nil {
		return nil, err
	}
	if first != 0 {
		return s.read(ctx, s.DB, actor, first)
	}
	return inc, nil
}

// allianceGranted refuses a Cloud Alliance region that is not granted to the tenant, with the
// message of an unknown region: the form offers only the granted ones, after the provider's.
func allianceGranted(ctx context.Context, idb bun.IDB, tenantID int64, region string) error {
	if !cloud.IsAllianceRegion(region) {
		return nil
	}
	granted, err := tenancy.AllianceRegions(ctx, idb, tenantID)
	if err != nil {
		return err
	}
	if !slices.Contains(granted, region) {
		return i18n.FieldError("region", "incident.error.region")
	}
	return nil
}

// Get returns an incident its reader may see: agents and admins see every incident; a customer
// sees those of the tenants where they have the `incidents` right; anyone else gets
// apperr.ErrNotFound, exactly as for an incident that does not exist.
func (s *Service) Get(ctx context.Context, actor tenancy.Actor, id int64) (*Incident, error) {
	return s.read(ctx, s.DB, actor, id)
}

func (s *Service) read(ctx context.Context, idb bun.IDB, actor tenancy.Actor, id int64) (*Incident, error) {
	inc, err := ByID(ctx, idb, id)
	if err != nil {
		return nil, err
	}
	if err := CanRead(ctx, idb, actor, inc.TenantID); err != nil {
		return nil, err
	}
	return inc, nil
}

// CanRead says whether actor may read the incidents of tenantID: nil, or apperr.ErrNotFound.
func CanRead(ctx context.Context, idb bun.IDB, actor tenancy.Actor, tenantID int64) error {
	return tenancy.Allowed(ctx, idb, actor, tenantID, tenancy.RightIncidents)
}

// Timeline returns what actor may read of an incident's timeline: customers never see notes.
func (s *Service) Timeline(ctx context.Context, actor tenancy.Actor, inc *Incident) ([]timeline.Entry, error) {
	return timeline.List(ctx, s.DB, inc.Subject(), actor.Staff())
}

// SLA evaluates an incident's SLA at now from its timeline (notes, which a customer's timeline
// lacks, play no part in it).
func (s *Service) SLA(inc *Incident, es []timeline.Entry, now time.Time) (sla.Evaluation, error) {
	return s.Policy.Evaluate(inc.Level, SLATimeline(inc, es), now)
}

// refreshSLA recomputes the incident's SLA sort keys from its whole timeline.
func (s *Service) refreshSLA(ctx context.Context, idb bun.IDB, inc *Incident, now time.Time) error {
	es, err := slaEntries(ctx, idb, inc.ID)
	if err != nil {
		return err
	}
	ev, err := s.Policy.Evaluate(inc.Level, SLATimeline(inc, es), now)
	if err != nil {
		return err
	}
	inc.Derive(ev)
	return nil
}

// touch writes the columns a reply or a fresh SLA changes, without a version check: appending
// to the timeline conflicts with nobody.
func (s *Service) touch(ctx context.Context, idb bun.IDB, inc *Incident) error {
	if _, err := idb.NewUpdate().Model(inc).
		Column("sla_due_at", "sla_risk_at", "sla_alert_at", "updated_at").
		WherePK().Exec(ctx); err != nil {
		return err
	}
	return MarkReport(ctx, idb, inc.ID)
}

// slaEntries reads what SLATimeline reads of an incident's timeline, and only that: its
// creation, priority and status events and its staff's replies, without texts or files. Every
// action evaluates the SLA again; reading the whole timeline, bodies and files included, made
// each reply cost more than the last on a long-running incident.
func slaEntries(ctx context.Context, idb bun.IDB, id int64) ([]timeline.Entry, error) {
	var es []timeline.Entry
	err := idb.NewSelect().Model(&es).
		Column("e.id", "e.kind", "e.event", "e.to_value", "e.actor_id", "e.created_at").
		ColumnExpr("u.kind AS actor_kind").
		Join("LEFT JOIN users AS u ON u.id = e.actor_id").
		Where("e.subject_kind = ? AND e.subject_id = ?", SubjectKind, id).
		Where("(e.kind = ? AND e.event IN (?)) OR (e.kind = ? AND u.kind IN (?))",
			timeline.Event, bun.In([]string{EventCreated, EventPriority, EventStatus}),
			timeline.Reply, bun.In(identity.StaffKinds)).
		OrderExpr("e.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("incident: read the SLA events of incident %d: %w", id, err)
	}
	return es, nil
}

// Terms is what a customer declaring on a tenant is promised: the tenant's support level today
// and whether that level commits to any response or resolution time.
type Terms struct {
	Level sla.Level
	// Targets is false for a level without any target (Basic): the customer learns it before
	// declaring, not after.
	Targets bool
	// Alliance are the Cloud Alliance regions granted to the tenant, which the form offers
	// after the provider's.
	Alliance []cloud.Region
}

// DeclareTerms returns the terms an incident declared now on tenantID would be held to, for a
// customer who may declare there (see CanDeclare's refusals).
func (s *Service) DeclareTerms(ctx context.Context, actor tenancy.Actor, tenantID int64) (Terms, error) {
	if _, err := tenancy.May(ctx, s.DB, actor, tenantID, tenancy.RightIncidents); err != nil {
		return Terms{}, err
	}
	levels, err := contract.CurrentLevels(ctx, s.DB, []int64{tenantID}, calendar.ParisDate(s.now()))
	if err != nil {
		return Terms{}, err
	}
	t := Terms{Level: sla.Level(levels[tenantID])}
	if t.Level == "" {
		t.Level = sla.Basic
	}
	for _, p := range Priorities {
		if _, ok := s.Policy.Target(t.Level, p); ok {
			t.Targets = true
		}
	}
	granted, err := tenancy.AllianceRegions(ctx, s.DB, tenantID)
	if err != nil {
		return Terms{}, err
	}
	for _, r := range cloud.AllianceRegions() { // in the catalogue's order
		if slices.Contains(granted, r.Code) {
			t.Alliance = append(t.Alliance, r)
		}
	}
	return t, nil
}
