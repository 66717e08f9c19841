package web

import (
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
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
	staff := actor.Staff()
	if staff {
		// Staff read their own words for the states the timeline records.
		for i := range es {
			if es[i].Event == incident.EventStatus {
				es[i].From, es[i].To = incident.StaffKey(es[i].From), incident.StaffKey(es[i].To)
			}
		}
	}
	who := incident.Who(actor, inc)
	p.V["Incident"], p.V["Timeline"], p.V["SLA"] = inc, es, ev
	p.V["Staff"], p.V["StatusKey"] = staff, incident.StatusKeyFor(inc.Status, staff)
	p.V["Due"] = incidentDue(h, p.Lang, inc, now)
	p.V["Path"] = incidentPath(staff, inc)
	// A refused reply is shown again, with its text, beside the reason it was refused.
	p.V["CanReply"] = incident.Check(incident.ReplyAction(staff), inc, who, now) == nil || p.Errors["body"] != ""

	view := "customer/incident"
	if staff {
		view = "staff/incident"
		can := incident.Allowed(incident.StaffActions, inc, who, now)
		p.V["Can"], p.V["Primary"] = actionNames(can), string(primaryAction(inc, can))
		p.V["Priorities"] = incident.Priorities
		agents, err := h.Incidents.Agents(c.UserContext(), actor)
		if err != nil {
			return err
		}
		p.V["Agents"] = agents
		if p.Form["assignee"] == "" {
			p.Form["assignee"] = strconv.FormatInt(actor.UserID, 10)
		}
		if err := h.offerCanned(c, p); err != nil {
			return err
		}
	} else {
		p.V["Can"] = actionNames(incident.Allowed(incident.CustomerActions, inc, who, now))
	}
	if _, ok := p.Form["version"]; !ok {
		p.Form["version"] = strconv.Itoa(inc.Version)
	}
	if err := h.incidentMajor(c, p, inc); err != nil {
		return err
	}
	return h.renderStatus(c, status, view, p)
}

// primaryAction is the staff action that moves the incident on, the page's one primary button:
// taking an incident nobody holds, then resolving it (or resuming it while it waits for the
// customer). Taking an incident someone else holds is offered, never first; the agent who holds
// it is not offered to take it at all (incident.Check).
func primaryAction(inc *incident.Incident, can map[incident.Action]bool) incident.Action {
	switch {
	case can[incident.Take] && !inc.Assigned():
		return incident.Take
	case can[incident.Resolve]:
		return incident.Resolve
	case can[incident.Resume]:
		return incident.Resume
	case can[incident.Take]:
		return incident.Take
	}
	return ""
}

// dueLine is an incident's next due time as its page's summary shows it, from its SLA keys.
type dueLine struct {
	State, Label, Due string // "" Due: no clock runs
}

func incidentDue(h *handler, lang string, inc *incident.Incident, now time.Time) dueLine {
	if !inc.HasDue() {
		return dueLine{State: "none", Label: h.Bundle.T(lang, "sla.state.none", nil)}
	}
	st := string(inc.SLAState(now))
	return dueLine{State: st, Label: h.Bundle.T(lang, "sla.state."+st, nil), Due: h.Bundle.FormatDateTime(lang, inc.SLADueAt)}
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
// or show it again with the input kept and the reason beside its field. Cancelling, which cannot
// be undone, asks for confirmation first.
func (h *handler) incidentAction(a incident.Action) fiber.Handler {
	return func(c *fiber.Ctx) error {
		number := utils.CopyString(c.Params("incident"))
		id, ok := incident.ParseNumber(number)
		if !ok {
			return apperr.ErrNotFound
		}
		form := formOf(c, "body", "visibility", "note", "reason", "priority", "assignee", "version", "canned")
		if a == incident.Cancel {
			inc, err := h.Incidents.Get(c.UserContext(), actorOf(c), id)
			if err != nil {
				return err
			}
			// Only a cancellation the rules would take asks for confirmation; a stale or
			// refused one is answered as such at once.
			v, _ := strconv.Atoi(form["version"])
			if v == inc.Version && incident.Check(a, inc, incident.Who(actorOf(c), inc), time.Now()) == nil {
				if err := h.confirmCancel(c, inc); err != nil {
					return err
				}
				if c.FormValue(confirmField) != "1" {
					return nil
				}
			}
		}
		act := incident.Act{Action: a, Priority: sla.Priority(form["priority"])}
		// A missing or unreadable version is 0: the service refuses the step as stale.
		act.Version, _ = strconv.Atoi(form["version"])
		act.AssigneeID, _ = strconv.ParseInt(form["assignee"], 10, 64)
		var ff formFiles
		var err error
		var cannedID int64 // the canned response a staff's public reply was written from
		switch a {
		case incident.Reply:
			// As readReply reads it, with the files a refused try kept.
			act.Body, act.Internal = c.FormValue("body"), actorOf(c).Staff() && form["visibility"] == "internal"
			ff, err = h.readFormFiles(c, "files")
			if err == nil {
				act.Files, err = h.attachable(c, ff)
			}
			if err == nil {
				cannedID, err = h.cannedReply(c, form, &act)
			}
		case incident.Resolve:
			act.Body = form["note"]
			ff, err = h.readFormFiles(c, "files")
			if err == nil {
				act.Files, err = h.attachable(c, ff)
			}
		case incident.Reprioritize:
			act.Body = form["reason"]
		}
		if err == nil {
			// The service reads and authorizes the incident: another tenant's is a 404.
			var done *incident.Incident
			if done, err = h.Incidents.Do(c.UserContext(), actorOf(c), id, act); err == nil {
				h.attached(c, ff)
				h.countCanned(c, cannedID)
				flash := a
				if act.Then != "" {
					flash = act.Then // the state change says more than the reply
				}
				return h.done(c, incidentPath(actorOf(c).Staff(), done), "flash.incident."+string(flash))
			}
		}
		return h.incidentRefused(c, form, id, ff, err)
	}
}

// confirmCancel renders the confirmation of a cancellation, unless the POST carries it.
func (h *handler) confirmCancel(c *fiber.Ctx, inc *incident.Incident) error {
	p, err := h.incidentPage(c, false)
	if err != nil {
		return err
	}
	_, err = h.confirmed(c, p, confirmation{Question: "incident.cancel.question", Consequence: "incident.cancel.consequence",
		Args: map[string]any{"Number": inc.Number(), "Title": inc.Title}, Button: "incident.action.cancel",
		Back: incidentPath(false, inc), Keep: []string{"version"}})
	return err
}

// incidentRefused shows the incident again after a refusal, with the input kept (see refusal),
// the files sent kept too. The page is built only then.
func (h *handler) incidentRefused(c *fiber.Ctx, form map[string]string, id int64, ff formFiles, err error) error {
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
	if kerr := h.keepFiles(c, p, ff); kerr != nil {
		return kerr
	}
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
	for _, k := range []string{"status", "priority", "q", "sla", "who", "tenant", "all"} {
		q[k] = c.Query(k)
	}
	f := incident.Filter{Text: q["q"], Queue: staff}
	if !staff && q["all"] == "1" {
		f.AllTenants = true // every tenant of the customer's with the `incidents` right
	} else {
		q["all"] = ""
	}
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
