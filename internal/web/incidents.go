package web

import (
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/cloud"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/sla"
)

// incidentParam reads the incident of the path (INC0000042) for the current user: another
// tenant's incident is a 404, like one that does not exist.
func (h *handler) incidentParam(c *fiber.Ctx) (*incident.Incident, error) {
	id, ok := incident.ParseNumber(c.Params("incident"))
	if !ok {
		return nil, apperr.ErrNotFound
	}
	return h.Incidents.Get(c.UserContext(), actorOf(c), id)
}

// incidentPath is where a reader sees an incident.
func incidentPath(staff bool, inc *incident.Incident) string {
	if staff {
		return "/staff/incidents/" + inc.Number()
	}
	return "/incidents/" + inc.Number()
}

// showIncidentPage fills and renders an incident's page for a customer or an agent.
func (h *handler) showIncidentPage(c *fiber.Ctx, p *page, inc *incident.Incident, status int) error {
	actor := actorOf(c)
	es, err := h.Incidents.Timeline(c.UserContext(), actor, inc)
	if err != nil {
		return err
	}
	now := time.Now()
	ev, err := h.Incidents.SLA(inc, es, now)
	if err != nil {
		return err
	}
	who := incident.Actor{Staff: actor.Staff(), Reporter: actor.UserID == inc.ReporterID}
	p.V["Incident"], p.V["Timeline"], p.V["SLA"] = inc, es, ev
	p.V["Path"] = incidentPath(actor.Staff(), inc)
	// A refused reply is shown again, with its text, beside the reason it was refused.
	p.V["CanReply"] = incident.Check(incident.ReplyAction(actor.Staff()), inc, who, now) == nil || p.Errors["body"] != ""

	view := "customer/incident"
	if actor.Staff() {
		view = "staff/incident"
		p.V["Can"] = actionNames(incident.Allowed(incident.StaffActions, inc, who, now))
		p.V["Priorities"] = incident.Priorities
		agents, err := h.Incidents.Agents(c.UserContext(), actor)
		if err != nil {
			return err
		}
		p.V["Agents"] = agents
	} else {
		p.V["Can"] = actionNames(incident.Allowed(incident.CustomerActions, inc, who, now))
	}
	if _, ok := p.Form["version"]; !ok {
		p.Form["version"] = strconv.Itoa(inc.Version)
	}
	return h.renderStatus(c, status, view, p)
}

// actionNames keys the allowed actions by name, for templates.
func actionNames(m map[incident.Action]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for a, ok := range m {
		out[string(a)] = ok
	}
	return out
}

// incidentAction handles every POST on an incident: parse, act, and either redirect to the page
// or show it again with the input kept and the reason beside its field.
func (h *handler) incidentAction(a incident.Action) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, ok := incident.ParseNumber(c.Params("incident"))
		if !ok {
			return apperr.ErrNotFound
		}
		form := formOf(c, "body", "visibility", "note", "reason", "priority", "assignee", "version")
		act := incident.Act{Action: a, Priority: sla.Priority(form["priority"])}
		// A missing or unreadable version is 0: the service refuses the step as stale.
		act.Version, _ = strconv.Atoi(form["version"])
		act.AssigneeID, _ = strconv.ParseInt(form["assignee"], 10, 64)
		var err error
		switch a {
		case incident.Reply:
			var in replyInput
			in, err = h.readReply(c, actorOf(c).Staff())
			act.Body, act.Internal, act.Files = in.Body, in.Internal, in.Files
		case incident.Resolve:
			act.Body = form["note"]
			act.Files, err = h.uploads(c, "files")
		case incident.Reprioritize:
			act.Body = form["reason"]
		}
		if err == nil {
			// The service reads and authorizes the incident: another tenant's is a 404.
			var done *incident.Incident
			if done, err = h.Incidents.Do(c.UserContext(), actorOf(c), id, act); err == nil {
				return h.done(c, incidentPath(actorOf(c).Staff(), done), "flash.incident."+string(a))
			}
		}
		return h.incidentRefused(c, form, id, err)
	}
}

// incidentRefused shows the incident again after a refusal, with the input kept (see refusal).
// The page is built only then.
func (h *handler) incidentRefused(c *fiber.Ctx, form map[string]string, id int64, err error) error {
	if !refused(err) {
		return err
	}
	inc, ferr := h.Incidents.Get(c.UserContext(), actorOf(c), id)
	if ferr != nil {
		return ferr
	}
	p, perr := h.incidentPage(c, actorOf(c).Staff())
	if perr != nil {
		return perr
	}
	p.Form = form
	return h.showIncidentPage(c, p, inc, h.refusal(p, err, i18n.NewError("incident.error.stale")))
}

// incidentPage starts the page of an incident for its reader.
func (h *handler) incidentPage(c *fiber.Ctx, staff bool) (*page, error) {
	if staff {
		return h.page(c, "incident.page.title"), nil
	}
	return h.customerPage(c, "incident.page.title")
}

// incidentFilter reads a list's filters from the query string, ignoring unknown values.
func incidentFilter(c *fiber.Ctx, staff bool) (incident.Filter, map[string]string) {
	q := map[string]string{}
	for _, k := range []string{"status", "priority", "q", "sla", "who", "tenant"} {
		q[k] = c.Query(k)
	}
	f := incident.Filter{Text: q["q"], Queue: staff}
	if slices.Contains(incident.Statuses, incident.Status(q["status"])) {
		f.Status = incident.Status(q["status"])
	}
	if slices.Contains(incident.Priorities, sla.Priority(q["priority"])) {
		f.Priority = sla.Priority(q["priority"])
	}
	if staff {
		if q["sla"] == "at_risk" || q["sla"] == "breached" {
			f.SLA = q["sla"]
		}
		f.TenantCode = q["tenant"]
		switch q["who"] {
		case "unassigned":
			f.Unassigned = true
		case "mine":
			f.AssigneeID = actorOf(c).UserID
		}
		if f.Status == incident.Resolved || f.Status == incident.Closed || f.Status == incident.Cancelled {
			f.Queue = false // nothing is due: latest first
		}
	}
	return f, q
}

// exportLink is a list's CSV link, keeping its filters.
func exportLink(path string, q map[string]string) string {
	v := url.Values{}
	for k, x := range q {
		if x != "" {
			v.Set(k, x)
		}
	}
	return path + "/export?" + v.Encode()
}

// incidentChoices are the values an incident form offers.
func incidentChoices(p *page) {
	p.V["Services"], p.V["Regions"], p.V["Levels"] = cloud.Services(), cloud.Regions(), incident.Levels
	p.V["Statuses"], p.V["Priorities"] = incident.Statuses, incident.Priorities
}
