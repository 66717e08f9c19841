package api

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/major"
	"github.com/guichet/guichet/internal/sla"
)

// Incident is an incident as its reader may see it.
type Incident struct {
	Number      string     `json:"number" example:"INC0000001"`
	Tenant      string     `json:"tenant" example:"OCB0000001"`
	Title       string     `json:"title"`
	Description string     `json:"description,omitempty" doc:"Absent from lists."`
	Service     string     `json:"service" example:"ecs"`
	Region      string     `json:"region" example:"eu-west-0"`
	RegionOther string     `json:"region_other,omitempty" doc:"The Cloud Alliance region, when region is alliance."`
	Impact      string     `json:"impact" enum:"high,medium,low"`
	Urgency     string     `json:"urgency" enum:"high,medium,low"`
	Priority    string     `json:"priority" enum:"P1,P2,P3,P4"`
	Status      string     `json:"status" enum:"new,in_progress,pending_customer,resolved,closed,cancelled"`
	Level       string     `json:"level" doc:"The tenant's support level when the incident was declared."`
	Reporter    string     `json:"reporter,omitempty" doc:"Who declared it."`
	Assignee    string     `json:"assignee,omitempty" doc:"The agent working on it."`
	Version     int        `json:"version" doc:"Changes with every update; send it back as If-Match: \"v<version>\"."`
	SLA         *SLA       `json:"sla,omitempty" doc:"The SLA as it stands, on a single incident."`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	ResolvedAt  *time.Time `json:"resolved_at,omitempty"`
	Major       string     `json:"major_incident,omitempty" example:"MAJ0000001" doc:"The major incident (outage) it is linked to, if any: its updates reach the reporter, and its resolution resolves it."`
	Timeline    []Entry    `json:"timeline,omitempty" doc:"On a single incident: its timeline, oldest first (internal notes for staff only)."`
}

// SLA is an incident's first response and resolution targets as they stand.
type SLA struct {
	FirstResponse SLAMeasure `json:"first_response"`
	Resolution    SLAMeasure `json:"resolution"`
}

// SLAMeasure is one target.
type SLAMeasure struct {
	State   string     `json:"state" doc:"none, running, paused, at_risk, met or breached."`
	Percent int        `json:"percent"`
	DueAt   *time.Time `json:"due_at,omitempty"`
}

func measureOf(m sla.Measure) SLAMeasure {
	out := SLAMeasure{State: string(m.State), Percent: m.Percent}
	if m.Target > 0 && !m.Due.IsZero() {
		d := m.Due.UTC()
		out.DueAt = &d
	}
	return out
}

func incidentOf(inc *incident.Incident) Incident {
	out := Incident{Number: inc.Number(), Tenant: inc.TenantCode, Title: inc.Title, Description: inc.Description,
		Service: inc.Service, Region: inc.Region, RegionOther: inc.RegionOther, Impact: string(inc.Impact), Urgency: string(inc.Urgency),
		Priority: string(inc.Priority), Status: string(inc.Status), Level: string(inc.Level), Reporter: inc.ReporterName,
		Assignee: inc.AssigneeName, Version: inc.Version, CreatedAt: inc.CreatedAt.UTC(), UpdatedAt: inc.UpdatedAt.UTC(),
		ResolvedAt: utcPtr(inc.ResolvedAt)}
	if inc.MajorID != nil {
		out.Major = major.Number(*inc.MajorID)
	}
	return out
}

type incidentListInput struct {
	ListParams
	Tenant   string `query:"tenant" maxLength:"40" doc:"A tenant's code. Customers must name one of theirs; staff may narrow."`
	Status   string `query:"status" enum:"new,in_progress,pending_customer,resolved,closed,cancelled"`
	Priority string `query:"priority" enum:"P1,P2,P3,P4"`
	Q        string `query:"q" maxLength:"200" doc:"Whole words, any case, with or without accents, in the number, title, description and replies (and internal notes for staff)."`
	SLA      string `query:"sla" enum:"at_risk,breached" doc:"Staff: incidents whose SLA is at risk or breached."`
	Who      string `query:"who" enum:"unassigned,mine" doc:"Staff: unassigned incidents, or the reader's."`
	Queue    bool   `query:"queue" doc:"Staff: the agents' queue, nearest SLA due time first, open incidents unless status says otherwise."`
}

type incidentListOutput struct {
	Link string `header:"Link" doc:"The next page, as rel=\"next\"."`
	Body struct {
		Items []Incident `json:"items"`
		Next  string     `json:"next,omitempty" doc:"The next page's link; absent on the last page."`
	}
}

// IncidentRef names an incident in a path.
type IncidentRef struct {
	Number string `path:"number" maxLength:"20" example:"INC0000001"`
}

type incidentOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     Incident
}

// Declaration is what a customer sends to declare an incident.
type Declaration struct {
	Tenant      string `json:"tenant" maxLength:"40" example:"OCB0000001"`
	Title       string `json:"title" maxLength:"200"`
	Description string `json:"description" maxLength:"20000"`
	Service     string `json:"service" maxLength:"40" example:"ecs" doc:"A service code, as the form's choices."`
	Region      string `json:"region" maxLength:"40" example:"eu-west-0" doc:"A region code, or alliance with region_other."`
	RegionOther string `json:"region_other,omitempty" maxLength:"100"`
	Impact      string `json:"impact" enum:"high,medium,low"`
	Urgency     string `json:"urgency" enum:"high,medium,low"`
	Phone       string `json:"phone,omitempty" maxLength:"40"`
	Files       []File `json:"files,omitempty" maxItems:"10"`
}

type declareInput struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"Makes a retry return the first result instead of declaring twice."`
	Body           Declaration
}

// ReplyBody is a reply or an internal note.
type ReplyBody struct {
	Body     string `json:"body" maxLength:"20000"`
	Internal bool   `json:"internal,omitempty" doc:"Staff: an internal note, never shown or mailed to the customer."`
	Files    []File `json:"files,omitempty" maxItems:"10"`
}

type replyInput struct {
	IncidentRef
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255"`
	Body           ReplyBody
}

// IncidentStep is an action on an incident as read at a version.
type IncidentStep struct {
	Number  string `path:"number" maxLength:"20" example:"INC0000001"`
	IfMatch string `header:"If-Match" maxLength:"40" doc:"The incident's ETag as read: a stale one is 412, none is 428."`
}

type reasonInput struct {
	IncidentStep
	Body struct {
		Reason string `json:"reason,omitempty" maxLength:"20000"`
	}
}

type priorityInput struct {
	IncidentStep
	Body struct {
		Priority string `json:"priority" enum:"P1,P2,P3,P4"`
		Reason   string `json:"reason" maxLength:"20000"`
	}
}

type assignInput struct {
	IncidentStep
	Body struct {
		Assignee string `json:"assignee" maxLength:"100" doc:"The login of an active agent or admin."`
	}
}

type resolveInput struct {
	IncidentStep
	Body struct {
		Note  string `json:"note" maxLength:"20000"`
		Files []File `json:"files,omitempty" maxItems:"10"`
	}
}

func init() { registrars = append(registrars, (*server).registerIncidents) }

func (s *server) registerIncidents(api huma.API) {
	huma.Register(api, op(http.MethodGet, "/incidents", "list-incidents", "Incidents",
		"Incidents: a customer's on one tenant, latest update first; staff's across tenants, or the queue"),
		s.listIncidents)
	decl := op(http.MethodPost, "/incidents", "declare-incident", "Incidents", "Declare an incident (customers with the incidents right)")
	decl.MaxBodyBytes = s.maxBodyWithFiles()
	huma.Register(api, decl, s.declareIncident)
	huma.Register(api, op(http.MethodGet, "/incidents/{number}", "get-incident", "Incidents", "An incident with its timeline and SLA"),
		func(ctx context.Context, in *IncidentRef) (*incidentOutput, error) {
			inc, err := s.incident(ctx, in.Number)
			if err != nil {
				return nil, err
			}
			return s.incidentOutput(ctx, inc)
		})
	reply := op(http.MethodPost, "/incidents/{number}/replies", "reply-incident", "Incidents",
		"Reply on an incident (staff: a public reply, or an internal note with internal=true)")
	reply.MaxBodyBytes = s.maxBodyWithFiles()
	huma.Register(api, reply, func(ctx context.Context, in *replyInput) (*incidentOutput, error) {
		files, err := s.uploads(in.Body.Files)
		if err != nil {
			return nil, err
		}
		return s.act(ctx, in.Number, "", incident.Act{Action: incident.Reply, Body: in.Body.Body,
			Internal: in.Body.Internal && actorOf(ctx).Staff(), Files: files})
	})
	s.step(api, "cancel", "cancel-incident", "Cancel an incident (its reporter, while new): it cannot be undone", incident.Cancel)
	s.step(api, "reopen", "reopen-incident", "Reopen a resolved incident (within 7 days of its resolution)", incident.Reopen)
	s.step(api, "confirm", "confirm-incident", "Confirm a resolution: the incident closes", incident.Confirm)
	s.step(api, "take", "take-incident", "Staff: take an incident", incident.Take)
	s.step(api, "resume", "resume-incident", "Staff: resume an incident pending the customer", incident.Resume)
	pending := op(http.MethodPost, "/incidents/{number}/pending", "pending-incident", "Incidents", "Staff: wait for the customer (the SLA clock pauses)")
	pending.DefaultStatus = http.StatusOK
	huma.Register(api, pending, func(ctx context.Context, in *reasonInput) (*incidentOutput, error) {
		return s.act(ctx, in.Number, in.IfMatch, incident.Act{Action: incident.Wait, Body: in.Body.Reason})
	})
	prio := op(http.MethodPost, "/incidents/{number}/priority", "prioritize-incident", "Incidents", "Staff: change the priority, with a reason")
	prio.DefaultStatus = http.StatusOK
	huma.Register(api, prio, func(ctx context.Context, in *priorityInput) (*incidentOutput, error) {
		return s.act(ctx, in.Number, in.IfMatch, incident.Act{Action: incident.Reprioritize, Priority: sla.Priority(in.Body.Priority), Body: in.Body.Reason})
	})
	assign := op(http.MethodPost, "/incidents/{number}/assign", "assign-incident", "Incidents", "Staff: assign an incident to an agent")
	assign.DefaultStatus = http.StatusOK
	huma.Register(api, assign, func(ctx context.Context, in *assignInput) (*incidentOutput, error) {
		id, err := s.agentID(ctx, in.Body.Assignee)
		if err != nil {
			return nil, err
		}
		return s.act(ctx, in.Number, in.IfMatch, incident.Act{Action: incident.Assign, AssigneeID: id})
	})
	resolve := op(http.MethodPost, "/incidents/{number}/resolve", "resolve-incident", "Incidents", "Staff: resolve an incident, with a note the customer reads")
	resolve.DefaultStatus = http.StatusOK
	resolve.MaxBodyBytes = s.maxBodyWithFiles()
	huma.Register(api, resolve, func(ctx context.Context, in *resolveInput) (*incidentOutput, error) {
		files, err := s.uploads(in.Body.Files)
		if err != nil {
			return nil, err
		}
		return s.act(ctx, in.Number, in.IfMatch, incident.Act{Action: incident.Resolve, Body: in.Body.Note, Files: files})
	})
}

// step registers an action that carries nothing but the version.
func (s *server) step(api huma.API, path, id, summary string, a incident.Action) {
	o := op(http.MethodPost, "/incidents/{number}/"+path, id, "Incidents", summary)
	o.DefaultStatus = http.StatusOK
	huma.Register(api, o, func(ctx context.Context, in *IncidentStep) (*incidentOutput, error) {
		return s.act(ctx, in.Number, in.IfMatch, incident.Act{Action: a})
	})
}

// incident reads an incident its reader may see by number: any other is 404.
func (s *server) incident(ctx context.Context, number string) (*incident.Incident, error) {
	id, ok := incident.ParseNumber(number)
	if !ok {
		return nil, notFound()
	}
	return s.Incidents.Get(ctx, actorOf(ctx), id)
}

// act applies an action: If-Match names the version it was read at (replies need none).
func (s *server) act(ctx context.Context, number, ifMatchHeader string, act incident.Act) (*incidentOutput, error) {
	inc, err := s.incident(ctx, number)
	if err != nil {
		return nil, err
	}
	if act.Action != incident.Reply {
		if act.Version, err = ifMatch(ifMatchHeader, inc.Version); err != nil {
			return nil, err
		}
	}
	done, err := s.Incidents.Do(ctx, actorOf(ctx), inc.ID, act)
	if err != nil {
		return nil, err
	}
	return s.incidentOutput(ctx, done)
}

// incidentOutput is an incident read again with its timeline and SLA, and its ETag.
func (s *server) incidentOutput(ctx context.Context, inc *incident.Incident) (*incidentOutput, error) {
	actor := actorOf(ctx)
	full, err := s.Incidents.Get(ctx, actor, inc.ID)
	if err != nil {
		return nil, err
	}
	es, err := s.Incidents.Timeline(ctx, actor, full)
	if err != nil {
		return nil, err
	}
	out := incidentOf(full)
	out.Timeline = entriesOf(es)
	if ev, err := s.Incidents.SLA(full, es, time.Now().UTC()); err == nil {
		out.SLA = &SLA{FirstResponse: measureOf(ev.FirstResponse), Resolution: measureOf(ev.Resolution)}
	}
	return &incidentOutput{ETag: etag(full.Version), Location: Prefix + "/incidents/" + full.Number(), Body: out}, nil
}

func (s *server) listIncidents(ctx context.Context, in *incidentListInput) (*incidentListOutput, error) {
	p, err := in.page()
	if err != nil {
		return nil, err
	}
	actor := actorOf(ctx)
	f := incident.Filter{Text: in.Q, Status: incident.Status(in.Status), Priority: sla.Priority(in.Priority)}
	if actor.Staff() {
		f.TenantCode = strings.ToUpper(strings.TrimSpace(in.Tenant))
		f.SLA, f.Queue = in.SLA, in.Queue
		switch in.Who {
		case "unassigned":
			f.Unassigned = true
		case "mine":
			f.AssigneeID = actor.UserID
		}
		if f.Status == incident.Resolved || f.Status == incident.Closed || f.Status == incident.Cancelled {
			f.Queue = false
		}
	} else if actor.Kind == identity.Customer {
		if strings.TrimSpace(in.Tenant) == "" {
			return nil, i18n.Errors{i18n.FieldError("tenant", "api.field.tenant_required")}
		}
		if f.TenantID, err = tenantOfCode(actor, in.Tenant); err != nil {
			return nil, err
		}
	}
	list, more, err := s.Incidents.List(ctx, actor, f, p)
	if err != nil {
		return nil, err
	}
	out := &incidentListOutput{}
	out.Body.Items = make([]Incident, 0, len(list))
	for i := range list {
		out.Body.Items = append(out.Body.Items, incidentOf(&list[i]))
	}
	q := url.Values{}
	for k, v := range map[string]string{"tenant": in.Tenant, "status": in.Status, "priority": in.Priority, "q": in.Q, "sla": in.SLA, "who": in.Who} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if in.Queue {
		q.Set("queue", "true")
	}
	q.Set("limit", "")
	out.Body.Next, out.Link = nextLinks("/incidents", q, p, more)
	return out, nil
}

func (s *server) declareIncident(ctx context.Context, in *declareInput) (*incidentOutput, error) {
	actor := actorOf(ctx)
	if actor.Kind != identity.Customer {
		return nil, notFound()
	}
	tenantID, err := tenantOfCode(actor, in.Body.Tenant)
	if err != nil {
		return nil, i18n.Errors{i18n.FieldError("tenant", "api.field.tenant_unknown")}
	}
	files, err := s.uploads(in.Body.Files)
	if err != nil {
		return nil, err
	}
	d := incident.Draft{Title: in.Body.Title, Description: in.Body.Description, Service: in.Body.Service, Region: in.Body.Region,
		RegionOther: in.Body.RegionOther, Impact: in.Body.Impact, Urgency: in.Body.Urgency, Phone: in.Body.Phone, Files: files}
	if in.IdempotencyKey != "" {
		d.FormToken = "api:" + in.IdempotencyKey
	}
	inc, err := s.Incidents.Declare(ctx, actor, tenantID, d)
	if err != nil {
		return nil, err
	}
	return s.incidentOutput(ctx, inc)
}

// agentID finds an agent or admin to assign by login, among those the reader may assign to.
func (s *server) agentID(ctx context.Context, login string) (int64, error) {
	agents, err := s.Incidents.Agents(ctx, actorOf(ctx))
	if err != nil {
		return 0, err
	}
	for _, a := range agents {
		if strings.EqualFold(a.Login, strings.TrimSpace(login)) {
			return a.ID, nil
		}
	}
	return 0, i18n.Errors{i18n.FieldError("assignee", "incident.error.assignee")}
}
