package web

import (
	"errors"
	"html/template"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/help"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/incident"
)

// The writers' side of the help center, under /staff/help: agents and admins list the articles
// with their figures, write and change them with a preview (nothing is written until saved),
// and read every saved version. The service refuses anyone else.

// helpStaffPage starts a page of the writers' side, with the choices its forms offer.
func (h *handler) helpStaffPage(c *fiber.Ctx, title string) *page {
	p := h.page(c, title)
	p.V["Categories"], p.V["Visibilities"], p.V["States"], p.V["Langs"] = help.Categories, help.Visibilities, help.States, help.Langs
	return p
}

// showHelpArticles lists the articles, all states, with their views, votes and deflections;
// filtered by words, category, state and visibility.
func (h *handler) showHelpArticles(c *fiber.Ctx) error {
	p := h.helpStaffPage(c, "help.staff.title")
	p.Form = map[string]string{"q": helpQuery(c.Query("q")), "category": c.Query("category"), "state": c.Query("state"), "visibility": c.Query("visibility")}
	f := help.StaffFilter{Q: p.Form["q"], Category: help.Category(p.Form["category"]), State: help.State(p.Form["state"]),
		Visibility: help.Visibility(p.Form["visibility"])}
	// A choice the lists do not offer filters nothing, and says so.
	if f.Category != "" && !f.Category.Valid() {
		p.Errors["category"], f.Category = h.Bundle.T(p.Lang, "help.error.category", nil), ""
	}
	if f.State != "" && !f.State.Valid() {
		p.Errors["state"], f.State = h.Bundle.T(p.Lang, "help.error.state", nil), ""
	}
	if f.Visibility != "" && !f.Visibility.Valid() {
		p.Errors["visibility"], f.Visibility = h.Bundle.T(p.Lang, "help.error.visibility", nil), ""
	}
	pg := pageOf(c)
	as, total, err := h.Help.StaffList(c.UserContext(), actorOf(c), p.Lang, f, pg)
	if err != nil {
		return err
	}
	p.V["Articles"], p.V["Total"], p.V["Pager"] = as, total, countedPager(c, pg, total)
	status := fiber.StatusOK
	if len(p.Errors) > 0 {
		status = fiber.StatusUnprocessableEntity
	}
	return h.renderStatus(c, status, "staff/help_list", p)
}

// readArticleForm reads an article's form onto p (kept for showing it again) and returns the
// input it makes.
func readArticleForm(c *fiber.Ctx, p *page) help.Input {
	p.Form = formOf(c, "category", "visibility", "state", "title_fr", "title_en", "version", "incident")
	// Bodies keep their leading spaces: Markdown reads indentation.
	p.Form["body_fr"], p.Form["body_en"] = c.FormValue("body_fr"), c.FormValue("body_en")
	return help.Input{Category: help.Category(p.Form["category"]), Visibility: help.Visibility(p.Form["visibility"]),
		State: help.State(p.Form["state"]), TitleFR: p.Form["title_fr"], BodyFR: p.Form["body_fr"],
		TitleEN: p.Form["title_en"], BodyEN: p.Form["body_en"]}
}

// preview puts on p both language versions of in as readers would see them, when the writer
// asked for a preview; it reports whether they did. Refused input is shown with its messages,
// the preview of what is fine beside them.
func (h *handler) preview(c *fiber.Ctx, p *page, in help.Input) bool {
	if c.FormValue("preview") == "" {
		return false
	}
	p.V["Preview"] = h.rendered(&help.Article{TitleFR: in.TitleFR, BodyFR: in.BodyFR, TitleEN: in.TitleEN, BodyEN: in.BodyEN})
	return true
}

// renderedVersion is one language version of an article as readers see it.
type renderedVersion struct {
	Lang, Title string
	Body        template.HTML
}

// rendered are the language versions a is written in, rendered (a table named in its version's
// language).
func (h *handler) rendered(a *help.Article) []renderedVersion {
	var vs []renderedVersion
	for _, l := range help.Langs {
		if a.Title(l) != "" || a.Body(l) != "" {
			vs = append(vs, renderedVersion{l, a.Title(l), help.Render(a.Body(l), h.Bundle.T(l, "help.article.table", nil))})
		}
	}
	return vs
}

// showNewArticle is the form that writes an article; ?incident=INC-… fills it from that
// resolved incident's resolution.
func (h *handler) showNewArticle(c *fiber.Ctx) error {
	p := h.helpStaffPage(c, "help.staff.new_title")
	p.Form["category"], p.Form["visibility"], p.Form["state"] = string(help.General), string(help.Customers), string(help.Draft)
	if n := c.Query("incident"); n != "" {
		id, ok := incident.ParseNumber(n)
		if !ok {
			p.Errors[""] = h.Bundle.T(p.Lang, "help.error.incident", nil)
			return h.renderStatus(c, fiber.StatusNotFound, "staff/help_edit", p)
		}
		in, err := h.Help.FromIncident(c.UserContext(), actorOf(c), id)
		if err != nil {
			if _, ok := asValidation(err); !ok {
				return err
			}
			h.fieldErrors(p, err)
			return h.renderStatus(c, fiber.StatusUnprocessableEntity, "staff/help_edit", p)
		}
		p.Form = map[string]string{"category": string(in.Category), "visibility": string(in.Visibility), "state": string(in.State),
			"title_fr": in.TitleFR, "body_fr": in.BodyFR, "title_en": in.TitleEN, "body_en": in.BodyEN, "incident": incident.Number(id)}
		p.V["FromIncident"] = incident.Number(id)
	}
	return h.show(c, "staff/help_edit", p)
}

// createArticle writes an article, or shows its preview; refused input comes back on the form.
func (h *handler) createArticle(c *fiber.Ctx) error {
	p := h.helpStaffPage(c, "help.staff.new_title")
	in := readArticleForm(c, p)
	var from int64
	if n := p.Form["incident"]; n != "" {
		id, ok := incident.ParseNumber(n)
		if !ok {
			delete(p.Form, "incident")
		}
		from = id
		p.V["FromIncident"] = p.Form["incident"]
	}
	if h.preview(c, p, in) {
		if err := in.Validate(); err != nil {
			return h.invalid(c, err, "staff/help_edit", p)
		}
		return h.show(c, "staff/help_edit", p)
	}
	a, err := h.Help.Create(c.UserContext(), actorOf(c), in, from)
	if err != nil {
		return h.invalid(c, err, "staff/help_edit", p)
	}
	return h.done(c, "/staff/help/"+itoa(a.ID), "flash.help.created")
}

// showEditArticle is an article's form, with its figures and a link to its versions.
func (h *handler) showEditArticle(c *fiber.Ctx) error {
	a, err := h.staffArticle(c)
	if err != nil {
		return err
	}
	p := h.helpStaffPage(c, "help.staff.edit_title")
	p.Form = map[string]string{"category": string(a.Category), "visibility": string(a.Visibility), "state": string(a.State),
		"title_fr": a.TitleFR, "body_fr": a.BodyFR, "title_en": a.TitleEN, "body_en": a.BodyEN}
	return h.renderEditArticle(c, fiber.StatusOK, p, a)
}

// staffArticle reads the article of the path for a writer.
func (h *handler) staffArticle(c *fiber.Ctx) (*help.Article, error) {
	id, err := idParam(c, "article")
	if err != nil {
		return nil, err
	}
	return h.Help.Get(c.UserContext(), actorOf(c), id)
}

// renderEditArticle shows an article's form on p, read at the form's version or the article's.
func (h *handler) renderEditArticle(c *fiber.Ctx, status int, p *page, a *help.Article) error {
	if p.Form["version"] == "" {
		p.Form["version"] = strconv.Itoa(a.Version)
	}
	p.V["Article"] = a
	return h.renderStatus(c, status, "staff/help_edit", p)
}

// saveArticle changes an article read at the form's version, or shows its preview. Refused input
// comes back with each message beside its field (422); an article changed since comes back as
// it is now, the input kept (409).
func (h *handler) saveArticle(c *fiber.Ctx) error {
	a, err := h.staffArticle(c)
	if err != nil {
		return err
	}
	p := h.helpStaffPage(c, "help.staff.edit_title")
	in := readArticleForm(c, p)
	if h.preview(c, p, in) {
		status := fiber.StatusOK
		if err := in.Validate(); err != nil {
			if _, ok := asValidation(err); !ok {
				return err
			}
			h.fieldErrors(p, err)
			status = fiber.StatusUnprocessableEntity
		}
		return h.renderEditArticle(c, status, p, a)
	}
	version, _ := strconv.Atoi(p.Form["version"]) // missing or unreadable: 0, refused as stale
	if _, err := h.Help.Update(c.UserContext(), actorOf(c), a.ID, version, in); err != nil {
		if !refused(err) {
			return err
		}
		cur, gerr := h.Help.Get(c.UserContext(), actorOf(c), a.ID)
		if gerr != nil {
			return gerr
		}
		return h.renderEditArticle(c, h.refusal(p, err, i18n.NewError("help.error.stale")), p, cur)
	}
	return h.done(c, "/staff/help/"+itoa(a.ID), "flash.help.saved")
}

// showArticleVersions lists an article's saved versions, newest first.
func (h *handler) showArticleVersions(c *fiber.Ctx) error {
	a, err := h.staffArticle(c)
	if err != nil {
		return err
	}
	vs, err := h.Help.Versions(c.UserContext(), actorOf(c), a.ID)
	if err != nil {
		return err
	}
	p := h.page(c, "help.versions.title")
	p.V["Article"], p.V["Versions"] = a, vs
	return h.show(c, "staff/help_versions", p)
}

// showArticleVersion shows one saved version of an article as readers saw it, both languages.
func (h *handler) showArticleVersion(c *fiber.Ctx) error {
	a, err := h.staffArticle(c)
	if err != nil {
		return err
	}
	n, err := idParam(c, "version")
	if err != nil || n > 1<<30 {
		return apperr.ErrNotFound
	}
	v, err := h.Help.VersionOf(c.UserContext(), actorOf(c), a.ID, int(n))
	if err != nil {
		return err
	}
	p := h.page(c, "help.versions.one_title")
	p.V["Article"], p.V["Version"], p.V["Preview"] = a, v, h.rendered(v.Article())
	return h.show(c, "staff/help_version", p)
}

// insertArticle answers a staff incident page asked with ?article=ID: the public reply comes
// with the article's title and link in the reporter's language (after the text of a canned
// response inserted at the same time). An article that is gone, a draft or one for staff only
// is refused beside the search of articles; on an incident no one may reply to, the request is
// ignored. ?help_q= lists the articles that may be linked to.
func (h *handler) insertArticle(c *fiber.Ctx, p *page, inc *incident.Incident, status int) (int, error) {
	actor := actorOf(c)
	if incident.Check(incident.StaffReply, inc, incident.Who(actor, inc), time.Now()) != nil {
		return status, nil
	}
	if q := helpQuery(c.Query("help_q")); q != "" {
		hits, err := h.Help.LinkSearch(c.UserContext(), actor, p.Lang, q, 10)
		if err != nil {
			return 0, err
		}
		p.Form["help_q"], p.V["HelpHits"], p.V["HelpSearched"] = q, hits, true
	}
	v := c.Query("article")
	if v == "" {
		return status, nil
	}
	err := apperr.ErrNotFound
	var a *help.Article
	var lang string
	if id, perr := strconv.ParseInt(v, 10, 64); perr == nil && id > 0 {
		a, lang, err = h.Help.ForReply(c.UserContext(), actor, id, inc.ID)
	}
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		p.Errors["help_q"] = h.Bundle.T(p.Lang, "help.error.gone", nil)
		return fiber.StatusNotFound, nil
	case err != nil:
		if _, ok := asValidation(err); !ok {
			return 0, err
		}
		h.fieldErrors(p, err)
		return fiber.StatusUnprocessableEntity, nil
	}
	text := a.Title(lang) + "\n" + h.Notifier.Link(articlePath(a.ID, lang))
	if body := p.Form["body"]; body != "" {
		text = body + "\n\n" + text
	}
	p.Form["body"], p.Form["visibility"] = text, "public"
	return status, nil
}
