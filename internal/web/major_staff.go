package web

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/cloud"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/major"
	"github.com/guichet/guichet/internal/paging"
)

// The major incidents' staff pages: agents and admins open a major incident in French and in
// English, post its public updates, link incidents to it (by number, every matching one, or
// from the queue) and keep internal notes on it. The service authorizes every step.

// staffMajorPath is where staff work on major incident m.
func staffMajorPath(m *major.Major) string { return "/staff/major/" + m.Number() }

// staffMajor reads the major incident of the path (MAJ0000001): anything else is a 404.
func (h *handler) staffMajor(c *fiber.Ctx) (*major.Major, error) {
	id, ok := major.ParseNumber(utils.CopyString(c.Params("major")))
	if !ok {
		return nil, apperr.ErrNotFound
	}
	return h.Majors.Get(c.UserContext(), actorOf(c), id)
}

// majorRow is a major incident as staff's pages show it, its words in the reader's language.
type majorRow struct {
	Number, Title, State, StateKey string
	Services, Regions, Tenants     string
	Started                        time.Time
	Linked                         int
	Active                         bool
}

// majorShownTenants is how many tenant codes a row shows of a major incident naming its
// tenants.
const majorShownTenants = 10

func (h *handler) majorRow(lang string, m *major.Major) majorRow {
	tr := func(k string) string { return h.Bundle.T(lang, k, nil) }
	var ss, rs []string
	for _, s := range m.ServiceList() {
		ss = append(ss, tr("cloud.service."+s))
	}
	for _, r := range m.RegionList() {
		rs = append(rs, tr(majorRegionKey(r)))
	}
	tenants := tr("major.page.tenants_all")
	if !m.AllTenants {
		codes := m.TenantCodes
		if len(codes) > majorShownTenants {
			codes = codes[:majorShownTenants]
		}
		tenants = strings.Join(codes, ", ")
		if len(m.TenantCodes) > majorShownTenants {
			tenants += " " + h.Bundle.T(lang, "major.page.tenants_more", map[string]any{"N": len(m.TenantCodes)})
		}
	}
	return majorRow{Number: m.Number(), Title: m.Title(lang), State: string(m.State), StateKey: m.State.Key(),
		Services: strings.Join(ss, ", "), Regions: strings.Join(rs, ", "), Tenants: tenants,
		Started: m.StartedAt, Linked: m.Linked, Active: m.Active()}
}

// majorRegionKey names a region of a major incident: a Cloud Alliance region is said as the
// declare form says it.
func majorRegionKey(code string) string {
	if code == major.RegionAlliance {
		return "incident.region.alliance"
	}
	return cloud.Region{Code: code}.Key()
}

// showStaffMajors lists every major incident, active ones first.
func (h *handler) showStaffMajors(c *fiber.Ctx) error {
	pg := pageOf(c)
	ms, more, err := h.Majors.History(c.UserContext(), actorOf(c), pg)
	if err != nil {
		return err
	}
	p := h.page(c, "major.page.title")
	rows := make([]majorRow, len(ms))
	for i, m := range ms {
		rows[i] = h.majorRow(p.Lang, m)
	}
	p.V["Majors"], p.V["Pager"] = rows, morePager(c, pg, more)
	return h.show(c, "staff/major_list", p)
}

// majorChoice is one box of a group of checkboxes.
type majorChoice struct {
	Code, Key string
	Checked   bool
}

// majorChoices puts on p the affected services and regions a major incident's form offers, those
// of services and regions checked.
func majorChoices(p *page, services, regions []string) {
	var ss, rs []majorChoice
	for _, s := range cloud.Services() {
		ss = append(ss, majorChoice{s.Code, s.Key(), slices.Contains(services, s.Code)})
	}
	for _, r := range cloud.Regions() {
		rs = append(rs, majorChoice{r.Code, r.Key(), slices.Contains(regions, r.Code)})
	}
	rs = append(rs, majorChoice{major.RegionAlliance, majorRegionKey(major.RegionAlliance), slices.Contains(regions, major.RegionAlliance)})
	p.V["ServiceChoices"], p.V["RegionChoices"] = ss, rs
}

// showNewMajor is the form that opens a major incident, for every tenant unless told otherwise.
func (h *handler) showNewMajor(c *fiber.Ctx) error {
	p := h.page(c, "major.page.new_title")
	p.Form["concerned"] = "all"
	majorChoices(p, nil, nil)
	return h.show(c, "staff/major_form", p)
}

// readMajorForm reads a major incident's form onto p (kept to show it again) and returns the
// draft it makes.
func readMajorForm(c *fiber.Ctx, p *page) major.Draft {
	p.Form = formOf(c, "title_fr", "title_en", "description_fr", "description_en", "concerned", "tenants", "started_at", "version")
	services, regions := postValues(c, "services"), postValues(c, "regions")
	majorChoices(p, services, regions)
	return major.Draft{TitleFR: p.Form["title_fr"], TitleEN: p.Form["title_en"],
		DescriptionFR: p.Form["description_fr"], DescriptionEN: p.Form["description_en"],
		Services: services, Regions: regions, AllTenants: p.Form["concerned"] == "all",
		Tenants: p.Form["tenants"], StartedAt: p.Form["started_at"]}
}

// openMajor opens a major incident; refused input comes back on the form, nothing written.
func (h *handler) openMajor(c *fiber.Ctx) error {
	p := h.page(c, "major.page.new_title")
	d := readMajorForm(c, p)
	m, err := h.Majors.Open(c.UserContext(), actorOf(c), d)
	if err != nil {
		return h.invalid(c, err, "staff/major_form", p)
	}
	return h.done(c, staffMajorPath(m), "flash.major.opened")
}

// showEditMajor is the form of an active major incident, filled as it stands. A resolved one
// says why it cannot be edited.
func (h *handler) showEditMajor(c *fiber.Ctx) error {
	m, err := h.staffMajor(c)
	if err != nil {
		return err
	}
	p := h.page(c, "major.page.edit_title")
	if !m.Active() {
		p.Errors[""] = h.Bundle.T(p.Lang, "major.error.edit_resolved", nil)
		p.V["Major"], p.V["Closed"] = m, true
		return h.renderStatus(c, fiber.StatusConflict, "staff/major_form", p)
	}
	concerned := "listed"
	if m.AllTenants {
		concerned = "all"
	}
	p.Form = map[string]string{"title_fr": m.TitleFR, "title_en": m.TitleEN, "description_fr": m.DescriptionFR,
		"description_en": m.DescriptionEN, "concerned": concerned, "tenants": strings.Join(m.TenantCodes, ", "),
		"started_at": m.StartedAt.In(calendar.Paris).Format("2006-01-02T15:04")}
	majorChoices(p, m.ServiceList(), m.RegionList())
	return h.renderMajorForm(c, fiber.StatusOK, p, m)
}

// renderMajorForm shows m's form with p's input, which carries the version it was read at: m's
// current one unless the form already holds one.
func (h *handler) renderMajorForm(c *fiber.Ctx, status int, p *page, m *major.Major) error {
	if p.Form["version"] == "" {
		p.Form["version"] = strconv.Itoa(m.Version)
	}
	p.V["Major"] = m
	return h.renderStatus(c, status, "staff/major_form", p)
}

// editMajor saves a major incident's form read at its version. Refused input comes back with
// each message beside its field (422); a major incident changed since comes back as it is now,
// the input kept (409).
func (h *handler) editMajor(c *fiber.Ctx) error {
	m, err := h.staffMajor(c)
	if err != nil {
		return err
	}
	p := h.page(c, "major.page.edit_title")
	d := readMajorForm(c, p)
	version, _ := strconv.Atoi(p.Form["version"]) // missing or unreadable: 0, refused as stale
	if _, err := h.Majors.Edit(c.UserContext(), actorOf(c), m.ID, version, d); err != nil {
		if !refused(err) {
			return err
		}
		cur, gerr := h.Majors.Get(c.UserContext(), actorOf(c), m.ID)
		if gerr != nil {
			return gerr
		}
		return h.renderMajorForm(c, h.refusal(p, err, i18n.NewError("major.form.stale")), p, cur)
	}
	return h.done(c, staffMajorPath(m), "flash.major.saved")
}

// showStaffMajor is a major incident's page for staff: both languages side by side, the update
// form, the updates, the linked incidents and the forms that link more, and the internal notes.
// After a link, the page says how many incidents were linked (?linked=N, with its flash).
func (h *handler) showStaffMajor(c *fiber.Ctx) error {
	m, err := h.staffMajor(c)
	if err != nil {
		return err
	}
	p := h.page(c, "major.page.detail_title")
	if p.Flash == "flash.major.linked" {
		if n, err := strconv.Atoi(c.Query("linked")); err == nil && n >= 0 {
			p.Flash, p.V["LinkedFlash"], p.V["LinkedCount"] = "", true, n
		}
	}
	return h.renderStaffMajor(c, fiber.StatusOK, p, m)
}

// renderStaffMajor fills and renders m's page with the input p keeps.
func (h *handler) renderStaffMajor(c *fiber.Ctx, status int, p *page, m *major.Major) error {
	ctx, actor := c.UserContext(), actorOf(c)
	us, err := h.Majors.Updates(ctx, m)
	if err != nil {
		return err
	}
	es, err := h.Majors.Timeline(ctx, actor, m)
	if err != nil {
		return err
	}
	pg := pageOf(c)
	linked, more, err := h.Majors.Linked(ctx, actor, m, pg)
	if err != nil {
		return err
	}
	path := staffMajorPath(m)
	p.Path = path // a refused POST shows the page: the language switch comes back to it
	p.V["Major"], p.V["Row"], p.V["Updates"], p.V["Timeline"] = m, h.majorRow(p.Lang, m), us, es
	p.V["Linked"], p.V["Pager"] = h.incidentRows(p.Lang, linked, true, time.Now()), pagerOn(c, path, pg, more)
	p.V["States"], p.V["MajorPath"] = major.States, path
	// A refused update or link is shown again, with its input, beside the reason it was refused.
	_, updating := p.Form["body_fr"]
	_, linking := p.Form["numbers"]
	p.V["CanUpdate"], p.V["CanLink"] = m.Active() || updating, m.Active() || linking
	if p.Form["state"] == "" && m.Active() {
		p.Form["state"] = string(m.State)
	}
	return h.renderStatus(c, status, "staff/major_show", p)
}

// pagerOn is the navigation of page pg of a list shown at path, whatever path the request
// came to (a refused POST shows the page it was sent from).
func pagerOn(c *fiber.Ctx, path string, pg paging.Page, more bool) pager {
	p := morePager(c, pg, more)
	on := func(u string) string {
		if _, q, ok := strings.Cut(u, "?"); ok {
			return path + "?" + q
		}
		return u
	}
	p.PrevURL, p.NextURL = on(p.PrevURL), on(p.NextURL)
	return p
}

// majorRefused shows m's page again after a refusal, with the input of p kept (see refusal).
func (h *handler) majorRefused(c *fiber.Ctx, p *page, m *major.Major, err error) error {
	if !refused(err) {
		return err
	}
	status := h.refusal(p, err, i18n.NewError("major.form.stale"))
	cur, gerr := h.Majors.Get(c.UserContext(), actorOf(c), m.ID)
	if gerr != nil {
		return gerr
	}
	return h.renderStaffMajor(c, status, p, cur)
}

// postMajorUpdate publishes an update in both languages. One that resolves the major incident
// says first what it does to the linked incidents, and goes on once that is confirmed.
func (h *handler) postMajorUpdate(c *fiber.Ctx) error {
	m, err := h.staffMajor(c)
	if err != nil {
		return err
	}
	p := h.page(c, "major.page.detail_title")
	p.Form = formOf(c, "state", "body_fr", "body_en")
	d := major.UpdateDraft{State: p.Form["state"], BodyFR: p.Form["body_fr"], BodyEN: p.Form["body_en"]}
	// Only an update the rules would take asks for confirmation; a refused one is answered at once.
	check := d
	if err := major.CheckUpdate(m, &check); err != nil {
		return h.majorRefused(c, p, m, err)
	}
	resolves := major.State(d.State) == major.Resolved
	if resolves {
		cf := confirmation{Question: "major.page.resolve_question", Consequence: "major.page.resolve_consequence",
			Args: map[string]any{"Number": m.Number()}, Button: "major.page.resolve_button",
			Back: staffMajorPath(m), Keep: []string{"state", "body_fr", "body_en"}}
		if ok, err := h.confirmed(c, h.page(c, "major.page.detail_title"), cf); !ok {
			return err
		}
	}
	if _, err := h.Majors.Post(c.UserContext(), actorOf(c), m.ID, d); err != nil {
		return h.majorRefused(c, p, m, err)
	}
	flash := "flash.major.posted"
	if resolves {
		flash = "flash.major.resolved"
	}
	return h.done(c, staffMajorPath(m), flash)
}

// linkedDone goes back to m's page, which says how many incidents were linked.
func (h *handler) linkedDone(c *fiber.Ctx, m *major.Major, n int) error {
	return h.done(c, staffMajorPath(m)+"?linked="+strconv.Itoa(n), "flash.major.linked")
}

// linkToMajor links the incidents whose numbers were typed: every one, or none with the first
// refusal beside the field.
func (h *handler) linkToMajor(c *fiber.Ctx) error {
	m, err := h.staffMajor(c)
	if err != nil {
		return err
	}
	p := h.page(c, "major.page.detail_title")
	p.Form = formOf(c, "numbers")
	n := 0
	ids, err := major.ParseNumbers("numbers", p.Form["numbers"])
	if err == nil {
		n, err = h.Majors.Link(c.UserContext(), actorOf(c), m.ID, "numbers", ids)
	}
	if err != nil {
		return h.majorRefused(c, p, m, err)
	}
	return h.linkedDone(c, m, n)
}

// linkMatchingToMajor links every open incident the major incident matches.
func (h *handler) linkMatchingToMajor(c *fiber.Ctx) error {
	m, err := h.staffMajor(c)
	if err != nil {
		return err
	}
	n, err := h.Majors.LinkMatching(c.UserContext(), actorOf(c), m.ID)
	if err != nil {
		return h.majorRefused(c, h.page(c, "major.page.detail_title"), m, err)
	}
	return h.linkedDone(c, m, n)
}

// unlinkFromMajor unlinks the incident of the path (INC0000042) from the major incident.
func (h *handler) unlinkFromMajor(c *fiber.Ctx) error {
	m, err := h.staffMajor(c)
	if err != nil {
		return err
	}
	incID, ok := incident.ParseNumber(utils.CopyString(c.Params("incident")))
	if !ok {
		return apperr.ErrNotFound
	}
	if err := h.Majors.Unlink(c.UserContext(), actorOf(c), m.ID, incID); err != nil {
		return h.majorRefused(c, h.page(c, "major.page.detail_title"), m, err)
	}
	return h.done(c, staffMajorPath(m), "flash.major.unlinked")
}

// noteOnMajor writes an internal note on the major incident: staff only, never shown to a
// customer.
func (h *handler) noteOnMajor(c *fiber.Ctx) error {
	m, err := h.staffMajor(c)
	if err != nil {
		return err
	}
	p := h.page(c, "major.page.detail_title")
	p.Form = formOf(c, "body")
	if err := h.Majors.Note(c.UserContext(), actorOf(c), m.ID, c.FormValue("body")); err != nil {
		return h.majorRefused(c, p, m, err)
	}
	return h.done(c, staffMajorPath(m), "flash.major.noted")
}

// linkSelectedToMajor links the incidents ticked in the queue to the major incident chosen
// beside them (its id or its number). A refusal shows the queue again, the selection kept and
// the message beside the bulk control.
func (h *handler) linkSelectedToMajor(c *fiber.Ctx) error {
	p := h.page(c, "incident.queue.title")
	p.Form = formOf(c, "major")
	var ids []int64
	for _, v := range postValues(c, "incident") {
		if id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	m, err := h.chosenMajor(c, p.Form["major"])
	n := 0
	switch {
	case err != nil:
	case len(ids) == 0:
		err = i18n.FieldError("incidents", "major.form.select_some")
	default:
		n, err = h.Majors.Link(c.UserContext(), actorOf(c), m.ID, "incidents", ids)
	}
	if err != nil {
		if !refused(err) {
			return err
		}
		h.fieldErrors(p, err)
		p.Path = "/staff/incidents"
		return h.renderQueue(c, p, fiber.StatusUnprocessableEntity, time.Now())
	}
	return h.linkedDone(c, m, n)
}

// chosenMajor reads the major incident the bulk control names, by number or id; one that does
// not exist is refused beside the control.
func (h *handler) chosenMajor(c *fiber.Ctx, v string) (*major.Major, error) {
	id, ok := major.ParseNumber(v)
	if !ok {
		n, err := strconv.ParseInt(v, 10, 64)
		ok, id = err == nil && n > 0, n
	}
	refuse := i18n.FieldError("major", "major.form.choose_major")
	if !ok {
		return nil, refuse
	}
	m, err := h.Majors.Get(c.UserContext(), actorOf(c), id)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, refuse
	}
	return m, err
}

// offerBulkLink puts on the queue the control that links the selected incidents to an active
// major incident, and a box on each row to select it (the selection of the request kept). With
// no major incident active, there is neither, and what was refused beside them goes to the top.
func (h *handler) offerBulkLink(c *fiber.Ctx, p *page, rows []incidentRow, cols *incidentCols) error {
	ms, err := h.Majors.ActiveForStaff(c.UserContext(), actorOf(c))
	if err != nil {
		return err
	}
	var active []majorRow
	for _, m := range ms {
		active = append(active, h.majorRow(p.Lang, m))
	}
	if len(active) == 0 || len(rows) == 0 {
		for _, f := range []string{"major", "incidents"} {
			if msg, ok := p.Errors[f]; ok {
				delete(p.Errors, f)
				if _, taken := p.Errors[""]; !taken {
					p.Errors[""] = msg
				}
			}
		}
		return nil
	}
	selected := map[string]bool{}
	if c.Method() == fiber.MethodPost {
		for _, v := range postValues(c, "incident") {
			selected[strings.TrimSpace(v)] = true
		}
	}
	for i := range rows {
		rows[i].Checked = selected[strconv.FormatInt(rows[i].ID, 10)]
		rows[i].SelectLabel = h.Bundle.T(p.Lang, "major.form.select_incident", map[string]any{"Number": rows[i].Number})
	}
	cols.Select = true
	action := "/staff/major/link-selected"
	if q := string(c.Context().QueryArgs().QueryString()); q != "" {
		action += "?" + q // a refusal shows the same page of the queue, with its filters
	}
	p.V["BulkMajors"], p.V["BulkAction"] = active, action
	return nil
}
