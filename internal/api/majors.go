package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/guichet/guichet/internal/major"
)

// Texts is a text in French and in English.
type Texts struct {
	FR string `json:"fr"`
	EN string `json:"en"`
}

// MajorIncident is an outage announced to the customers of the tenants it concerns: its public
// text and updates, in both languages.
type MajorIncident struct {
	Number      string     `json:"number" example:"MAJ0000001"`
	Title       Texts      `json:"title"`
	Description Texts      `json:"description"`
	Services    []string   `json:"services" doc:"The affected services' codes (ecs, evs, …)."`
	Regions     []string   `json:"regions" doc:"The affected regions' codes (eu-west-0, …; alliance for a Cloud Alliance region)."`
	AllTenants  bool       `json:"all_tenants" doc:"Whether it concerns every tenant."`
	Tenants     []string   `json:"tenants,omitempty" doc:"Agents and admins: the codes of the tenants concerned, when not every tenant."`
	State       string     `json:"state" enum:"investigating,identified,monitoring,resolved"`
	StartedAt   time.Time  `json:"started_at"`
	ResolvedAt  *time.Time `json:"resolved_at,omitempty"`
	Version     int        `json:"version"`
	Updates     []MajorUpd `json:"updates,omitempty" doc:"On a single major incident: its public updates, newest first."`
}

// MajorUpd is a public update of a major incident.
type MajorUpd struct {
	State     string    `json:"state" enum:"investigating,identified,monitoring,resolved" doc:"The state the update put the major incident in."`
	Body      Texts     `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

type majorListOutput struct {
	Body struct {
		Items []MajorIncident `json:"items" doc:"The active major incidents, newest first, then those resolved in the last 7 days."`
	}
}

// MajorRef names a major incident.
type MajorRef struct {
	Number string `path:"number" maxLength:"40" example:"MAJ0000001"`
}

type majorOutput struct {
	Body MajorIncident
}

func init() { registrars = append(registrars, (*server).registerMajors) }

func (s *server) registerMajors(api huma.API) {
	huma.Register(api, op(http.MethodGet, "/major-incidents", "list-major-incidents", "Major incidents",
		"The status page: active major incidents and those resolved in the last 7 days that concern the caller's tenants (every one for staff)"),
		s.listMajors)
	huma.Register(api, op(http.MethodGet, "/major-incidents/{number}", "get-major-incident", "Major incidents",
		"A major incident with its public updates (customers: one that concerns one of their tenants)"),
		s.getMajor)
}

func (s *server) listMajors(ctx context.Context, _ *struct{}) (*majorListOutput, error) {
	actor := actorOf(ctx)
	ms, err := s.Majors.Status(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := &majorListOutput{}
	out.Body.Items = make([]MajorIncident, 0, len(ms))
	for _, m := range ms {
		out.Body.Items = append(out.Body.Items, majorOf(m, major.MayManage(actor.Kind)))
	}
	return out, nil
}

func (s *server) getMajor(ctx context.Context, in *MajorRef) (*majorOutput, error) {
	id, ok := major.ParseNumber(in.Number)
	if !ok {
		return nil, notFound()
	}
	actor := actorOf(ctx)
	m, err := s.Majors.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	us, err := s.Majors.Updates(ctx, m)
	if err != nil {
		return nil, err
	}
	out := majorOf(m, major.MayManage(actor.Kind))
	out.Updates = make([]MajorUpd, 0, len(us))
	for _, u := range us {
		out.Updates = append(out.Updates, MajorUpd{State: string(u.State), Body: Texts{FR: u.BodyFR, EN: u.BodyEN}, CreatedAt: u.CreatedAt.UTC()})
	}
	return &majorOutput{Body: out}, nil
}

// majorOf is m as the API gives it; the tenants it names only to agents and admins (a customer
// learns no other tenant's code).
func majorOf(m *major.Major, staff bool) MajorIncident {
	out := MajorIncident{Number: m.Number(), Title: Texts{FR: m.TitleFR, EN: m.TitleEN},
		Description: Texts{FR: m.DescriptionFR, EN: m.DescriptionEN}, Services: m.ServiceList(), Regions: m.RegionList(),
		AllTenants: m.AllTenants, State: string(m.State), StartedAt: m.StartedAt.UTC(), ResolvedAt: utcPtr(m.ResolvedAt), Version: m.Version}
	if out.Services == nil {
		out.Services = []string{}
	}
	if out.Regions == nil {
		out.Regions = []string{}
	}
	if staff && !m.AllTenants {
		out.Tenants = m.TenantCodes
	}
	return out
}
