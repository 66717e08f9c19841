package web

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/major"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
)

// majorParam reads the major incident of the route's :major, for its reader: a number that is
// no major incident's, or one its reader may not see, is a 404.
func (h *handler) majorParam(c *fiber.Ctx) (*major.Major, error) {
	id, ok := major.ParseNumber(utils.CopyString(c.Params("major")))
	if !ok {
		return nil, apperr.ErrNotFound
	}
	if currentUser(c) == nil {
		return h.Majors.GetPublic(c.UserContext(), id)
	}
	return h.Majors.Get(c.UserContext(), actorOf(c), id)
}

// statusPage is a page of the status pages for its reader: a customer's carries their tabs.
func (h *handler) statusPage(c *fiber.Ctx, title string) (*page, error) {
	if u := currentUser(c); u != nil && u.Kind == identity.Customer {
		return h.customerPage(c, title)
	}
	return h.page(c, title), nil
}

// statusClosed reports whether the status pages are closed to the visitor: one not logged in
// reaches them only when GUICHET_PUBLIC_STATUS opens them.
func (h *handler) statusClosed(c *fiber.Ctx) bool {
	return currentUser(c) == nil && !h.Config.PublicStatus
}

// showStatus is the status page: the active major incidents, then those resolved in the last
// days, each in the reader's language: for a customer those concerning their tenants, for staff
// every one, for a visitor (GUICHET_PUBLIC_STATUS) those concerning every tenant.
func (h *handler) showStatus(c *fiber.Ctx) error {
	if h.statusClosed(c) {
		return c.Redirect("/login", fiber.StatusSeeOther)
	}
	p, err := h.statusPage(c, "major.status.title")
	if err != nil {
		return err
	}
	var ms []*major.Major
	if p.User == nil {
		ms, err = h.Majors.PublicStatus(c.UserContext())
	} else {
		ms, err = h.Majors.Status(c.UserContext(), actorOf(c))
	}
	if err != nil {
		return err
	}
	var active, recent []*major.Major
	for _, m := range ms {
		if m.Active() {
			active = append(active, m)
		} else {
			recent = append(recent, m)
		}
	}
	p.V["Active"], p.V["Recent"] = active, recent
	return h.show(c, "status/list", p)
}

// showMajor is a major incident's public page: its text and every public update in the reader's
// language; for a customer, their incidents linked to it and, for a referent of a concerned
// tenant, following it by mail.
func (h *handler) showMajor(c *fiber.Ctx) error {
	if h.statusClosed(c) {
		return c.Redirect("/login", fiber.StatusSeeOther)
	}
	m, err := h.majorParam(c)
	if err != nil {
		return err
	}
	p, err := h.statusPage(c, "major.status.page_title")
	if err != nil {
		return err
	}
	return h.majorPage(c, p, m, nil)
}

// majorPage renders a major incident's public page, with refused, when a follow was refused.
func (h *handler) majorPage(c *fiber.Ctx, p *page, m *major.Major, refused error) error {
	us, err := h.Majors.Updates(c.UserContext(), m)
	if err != nil {
		return err
	}
	p.V["Major"], p.V["Updates"] = m, us
	if p.User != nil && p.User.Kind == identity.Customer {
		actor := actorOf(c)
		linked, more, err := h.Majors.Linked(c.UserContext(), actor, m, paging.Number(1))
		if err != nil {
			return err
		}
		p.V["Linked"], p.V["MoreLinked"] = linked, more
		following, may, err := h.Majors.Following(c.UserContext(), actor, m.ID)
		if err != nil {
			return err
		}
		p.V["Following"], p.V["MayFollow"] = following, may
	}
	if refused != nil {
		return h.invalid(c, refused, "status/show", p)
	}
	return h.show(c, "status/show", p)
}

// followMajor and unfollowMajor are a referent's "Keep me informed" and its undoing.
func (h *handler) followMajor(c *fiber.Ctx) error {
	m, err := h.majorParam(c)
	if err != nil {
		return err
	}
	if err := h.Majors.Follow(c.UserContext(), actorOf(c), m.ID); err != nil {
		if _, refused := asValidation(err); !refused {
			return err
		}
		p, perr := h.statusPage(c, "major.status.page_title")
		if perr != nil {
			return perr
		}
		return h.majorPage(c, p, m, err)
	}
	return h.done(c, "/status/"+m.Number(), "flash.major.followed")
}

func (h *handler) unfollowMajor(c *fiber.Ctx) error {
	m, err := h.majorParam(c)
	if err != nil {
		return err
	}
	if err := h.Majors.Unfollow(c.UserContext(), actorOf(c), m.ID); err != nil {
		return err
	}
	return h.done(c, "/status/"+m.Number(), "flash.major.unfollowed")
}

// majorBanner puts in the page the active major incidents concerning tenantIDs (the reader's):
// the banner of the home page, the incident list and the declaration form.
func (h *handler) majorBanner(c *fiber.Ctx, p *page, tenantIDs ...int64) error {
	if len(tenantIDs) == 0 {
		return nil
	}
	ms, err := h.Majors.Active(c.UserContext(), actorOf(c), tenantIDs...)
	p.V["Majors"] = ms
	return err
}

// tenantIDs are the ids of ts.
func tenantIDs(ts []tenancy.Tenant) []int64 {
	ids := make([]int64, 0, len(ts))
	for _, t := range ts {
		ids = append(ids, t.ID)
	}
	return ids
}

// sameProblem is what the declaration form shows of the active major incidents of its tenant:
// each with the services and regions it affects, so that the form can say, as soon as they are
// chosen, that the incident is probably one of them. Shown lists those the form must ask about
// now: matching the service and region sent, and not yet seen by the customer.
func (h *handler) sameProblem(p *page, service, region, seen string) []*major.Major {
	ms, _ := p.V["Majors"].([]*major.Major)
	var ask []*major.Major
	seenIDs := strings.Fields(seen)
	shown := map[int64]bool{}
	for _, m := range ms {
		if service != "" && m.Matches(service, region) {
			shown[m.ID] = true
			if !slices.Contains(seenIDs, strconv.FormatInt(m.ID, 10)) {
				ask = append(ask, m)
			}
		}
	}
	p.V["SameShown"] = shown
	var ids []string
	for id := range shown {
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	slices.Sort(ids)
	p.V["SameSeen"] = strings.Join(ids, " ")
	return ask
}

// majorOf reads the major incident an incident is linked to, for its page (nil when none).
func (h *handler) majorOf(c *fiber.Ctx, inc *incident.Incident) (*major.Major, error) {
	if inc.MajorID == nil {
		return nil, nil
	}
	m, err := h.Majors.Get(c.UserContext(), actorOf(c), *inc.MajorID)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, nil
	}
	return m, err
}

// incidentMajor puts on an incident's page the major incident it is linked to; for agents and
// admins, when it is linked to none still active and is open, the active major incidents
// concerning its tenant, to link it to one.
func (h *handler) incidentMajor(c *fiber.Ctx, p *page, inc *incident.Incident) error {
	m, err := h.majorOf(c, inc)
	if err != nil {
		return err
	}
	p.V["Major"] = m
	if m != nil {
		if es, ok := p.V["Timeline"].([]timeline.Entry); ok {
			if err := h.majorTextsFor(c, p.Lang, m, es); err != nil {
				return err
			}
		}
	}
	if !major.MayManage(actorOf(c).Kind) || !inc.IsOpen() || (m != nil && m.Active()) {
		return nil
	}
	ms, err := h.Majors.ActiveForStaff(c.UserContext(), actorOf(c))
	if err != nil {
		return err
	}
	var offer []*major.Major
	for _, x := range ms {
		if x.Concerns(inc.TenantID) {
			offer = append(offer, x)
		}
	}
	p.V["LinkMajors"] = offer
	return nil
}

// majorTextsFor shows, in lang, the texts the major incident m left on an incident's timeline:
// each was written in the reporter's language, as their mail was; another reader (a colleague
// of the tenant, an agent) reads the same update in theirs.
func (h *handler) majorTextsFor(c *fiber.Ctx, lang string, m *major.Major, es []timeline.Entry) error {
	var us []major.Update
	for i := range es {
		e := &es[i]
		if e.Body == "" || (!strings.HasPrefix(e.Event, major.IncidentUpdate+".") && e.Event != incident.EventStatus) {
			continue
		}
		if us == nil {
			var err error
			if us, err = h.Majors.Updates(c.UserContext(), m); err != nil {
				return err
			}
			if len(us) == 0 {
				return nil
			}
		}
		for _, u := range us {
			if e.Body == u.BodyFR || e.Body == u.BodyEN {
				e.Body = u.Body(lang)
				break
			}
		}
	}
	return nil
}
