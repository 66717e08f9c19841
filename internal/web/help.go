package web

import (
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/help"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
)

// The help center (« Aide »): categories, search and articles for everyone their visibility
// allows (visitors read the public articles, customers those for customers too, staff all), the
// vote « Cet article vous a-t-il aidé ? », and « Cela répond à ma question » for a customer who
// came from the declaration form or a change order. The service decides what each reader may
// read; an article they may not is a 404, as one that does not exist.

// maxHelpQuery is the most characters of a search the help center reads.
const maxHelpQuery = 200

// helpQuery is the search typed, cut to maxHelpQuery characters.
func helpQuery(s string) string {
	s = strings.TrimSpace(strings.ToValidUTF8(s, ""))
	if utf8.RuneCountInString(s) > maxHelpQuery {
		s = string([]rune(s)[:maxHelpQuery])
	}
	return s
}

// helpPage starts a page of the help center: a customer's has their tenant's tabs.
func (h *handler) helpPage(c *fiber.Ctx, title string) (*page, error) {
	if u := currentUser(c); u != nil && u.Kind == identity.Customer {
		return h.customerPage(c, title)
	}
	return h.page(c, title), nil
}

// scopeTenant is the tenant a customer's page is in, 0 for none: what the help center's
// figures record.
func (h *handler) scopeTenant(c *fiber.Ctx) int64 {
	if u := currentUser(c); u == nil || u.Kind != identity.Customer {
		return 0
	}
	if a, err := h.scope(c); err == nil && a != nil {
		return a.Tenant.ID
	}
	return 0
}

// categoryCount is a category of the help center's home, with how many articles it has.
type categoryCount struct {
	Category help.Category
	Count    int
}

// showHelp is the help center's home: the search, and the categories; with ?q=, the articles
// that match, in the reader's language first.
func (h *handler) showHelp(c *fiber.Ctx) error {
	p, err := h.helpPage(c, "help.page.title")
	if err != nil {
		return err
	}
	actor := actorOf(c)
	q := helpQuery(c.Query("q"))
	p.Form["q"] = q
	if q != "" {
		hits, err := h.Help.Search(c.UserContext(), actor, p.Lang, q, 30)
		if err != nil {
			return err
		}
		p.V["Searched"], p.V["Hits"] = true, hits
		p.V["NoWords"] = len(help.Terms(q)) == 0
	}
	counts, err := h.Help.Counts(c.UserContext(), actor)
	if err != nil {
		return err
	}
	cats := make([]categoryCount, 0, len(help.Categories))
	for _, cat := range help.Categories {
		if counts[cat] > 0 {
			cats = append(cats, categoryCount{cat, counts[cat]})
		}
	}
	p.V["Categories"] = cats
	p.V["Writer"] = help.Writer(actor)
	return h.show(c, "help/home", p)
}

// showHelpCategory lists a category's articles by title, a page at a time.
func (h *handler) showHelpCategory(c *fiber.Ctx) error {
	cat := help.Category(c.Params("category"))
	hits, err := h.Help.Category(c.UserContext(), actorOf(c), langOf(c), cat)
	if err != nil {
		return err
	}
	p, err := h.helpPage(c, cat.Key())
	if err != nil {
		return err
	}
	pg := pageOf(c)
	from := min(pg.Offset(), len(hits))
	p.V["Category"], p.V["Total"] = cat, len(hits)
	p.V["Hits"] = hits[from:min(from+pg.Limit(), len(hits))]
	p.V["Pager"] = countedPager(c, pg, len(hits))
	return h.show(c, "help/category", p)
}

// articleParam reads the article of the path for the reader.
func (h *handler) articleParam(c *fiber.Ctx) (*help.Article, error) {
	id, err := idParam(c, "article")
	if err != nil {
		return nil, err
	}
	return h.Help.Get(c.UserContext(), actorOf(c), id)
}

// showArticle is an article's page, in the reader's language or, when it is not written in it,
// in the other with a notice. ?lang= asks for a language version (the links agents put in
// replies name the reporter's); ?from= says the reader came from a declaration (incident) or
// an order (change), which offers « Cela répond à ma question ».
func (h *handler) showArticle(c *fiber.Ctx) error {
	a, err := h.articleParam(c)
	if err != nil {
		return err
	}
	p, err := h.helpPage(c, "help.page.title")
	if err != nil {
		return err
	}
	// The page shown after the reader's own vote or « Cela répond à ma question » (its flash) is not
	// another view.
	if c.Method() == fiber.MethodGet && !strings.HasPrefix(p.Flash, "flash.help.") {
		// The reader reads the article whether or not it is counted.
		if err := h.Help.Viewed(c.UserContext(), actorOf(c), a.ID, h.scopeTenant(c)); err != nil && !errors.Is(err, apperr.ErrNotFound) {
			h.Log.Error("count a help article's view", "request_id", requestID(c), "article", a.ID, "err", err)
		}
	}
	p.Form["from"] = c.Query("from")
	p.Form["lang"] = c.Query("lang")
	return h.renderArticle(c, fiber.StatusOK, p, a)
}

// renderArticle shows article a on p with status.
func (h *handler) renderArticle(c *fiber.Ctx, status int, p *page, a *help.Article) error {
	actor := actorOf(c)
	lang := p.Lang
	if l := p.Form["lang"]; (l == "fr" || l == "en") && a.Has(l) {
		lang = l
	}
	shown := a.Shown(lang)
	p.V["Article"], p.V["Shown"], p.V["Missing"] = a, shown, !a.Has(p.Lang)
	p.V["ArticleTitle"], p.V["Body"] = a.Title(shown), help.Render(a.Body(shown), h.Bundle.T(shown, "help.article.table", nil))
	p.V["PageTitle"] = a.Title(shown)
	if a.Has(help.Other(shown)) {
		p.V["OtherLang"] = help.Other(shown)
	}
	related, err := h.Help.Related(c.UserContext(), actor, a, p.Lang, 5)
	if err != nil {
		return err
	}
	p.V["Related"] = related
	vote, err := h.Help.MyVote(c.UserContext(), actor, a.ID)
	if err != nil {
		return err
	}
	if vote != nil {
		p.V["Voted"] = map[bool]string{true: "yes", false: "no"}[*vote]
	}
	p.V["CanVote"] = actor.Kind == identity.Customer
	if actor.Kind == identity.Customer && help.ValidSource(p.Form["from"]) {
		p.V["From"] = p.Form["from"]
	} else {
		delete(p.Form, "from")
	}
	p.V["Writer"] = help.Writer(actor)
	return h.renderStatus(c, status, "help/article", p)
}

// articlePath is where an article is read, keeping the language version asked for.
func articlePath(id int64, lang string) string {
	path := "/help/articles/" + itoa(id)
	if lang == "fr" || lang == "en" {
		path += "?lang=" + lang
	}
	return path
}

// voteArticle records « Cet article vous a-t-il aidé ? » (helpful: yes or no).
func (h *handler) voteArticle(c *fiber.Ctx) error {
	a, err := h.articleParam(c)
	if err != nil {
		return err
	}
	form := formOf(c, "helpful", "lang", "from")
	helpful := form["helpful"]
	if helpful != "yes" && helpful != "no" {
		p, err := h.helpPage(c, "help.page.title")
		if err != nil {
			return err
		}
		p.Form = form
		p.Errors["helpful"] = h.Bundle.T(p.Lang, "help.error.vote", nil)
		return h.renderArticle(c, fiber.StatusUnprocessableEntity, p, a)
	}
	if err := h.Help.Vote(c.UserContext(), actorOf(c), a.ID, helpful == "yes", h.scopeTenant(c)); err != nil {
		return err
	}
	return h.done(c, articlePath(a.ID, form["lang"])+"#vote", "flash.help.voted")
}

// deflectArticle is « Cela répond à ma question »: the customer gives up the declaration (or
// the order) they came from, which is counted; nothing is declared. The declaration form sends
// its whole content here from the review step; only source counts.
func (h *handler) deflectArticle(c *fiber.Ctx) error {
	a, err := h.articleParam(c)
	if err != nil {
		return err
	}
	form := formOf(c, "source", "lang")
	if err := h.Help.Deflect(c.UserContext(), actorOf(c), a.ID, form["source"], h.scopeTenant(c)); err != nil {
		if _, ok := asValidation(err); !ok {
			return err
		}
		p, perr := h.helpPage(c, "help.page.title")
		if perr != nil {
			return perr
		}
		p.Form = form
		p.Errors[""] = h.Bundle.Message(p.Lang, &i18n.Error{Key: "help.error.source"})
		return h.renderArticle(c, fiber.StatusUnprocessableEntity, p, a)
	}
	flash := "flash.help.deflected_incident"
	if form["source"] == help.FromChange {
		flash = "flash.help.deflected_change"
	}
	return h.done(c, articlePath(a.ID, form["lang"]), flash)
}

// suggestion is what the suggestions' partial shows.
type suggestion struct {
	Hits []help.Hit
	// From is the form they are suggested on: incident or change.
	From string
	CSRF string
	Lang string
}

// suggestHelp answers the declaration form's script as the customer types a title: the
// suggestions' partial for ?q=, in the reader's language (empty for no match).
func (h *handler) suggestHelp(c *fiber.Ctx) error {
	from := c.Query("for")
	if !help.ValidSource(from) {
		from = help.FromIncident
	}
	lang := langOf(c)
	hits, err := h.Help.Suggest(c.UserContext(), actorOf(c), lang, helpQuery(c.Query("q")))
	if err != nil {
		return err
	}
	body, err := h.views.fragment(lang, "helpsuggestions", suggestion{Hits: hits, From: from, CSRF: h.csrfToken(c), Lang: lang})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(body)
}

// suggestionsFor are the articles suggested for text on the form of from (incident or
// change), nil when none answers it.
func (h *handler) suggestionsFor(c *fiber.Ctx, from, text string) (*suggestion, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	lang := langOf(c)
	hits, err := h.Help.Suggest(c.UserContext(), actorOf(c), lang, helpQuery(text))
	if err != nil || len(hits) == 0 {
		return nil, err
	}
	return &suggestion{Hits: hits, From: from, CSRF: h.csrfToken(c), Lang: lang}, nil
}
