package web

import (
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/valyala/fasthttp"
)

// page is what every template receives: the reader, the layout's needs, the form being
// re-shown with its errors, and the page's own values in V.
type page struct {
	Lang    string
	Title   string // message key
	Path    string
	CSRF    string
	User    *identity.User
	Scope   *tenancy.Access  // customers: the tenant chosen with the scope selector
	Tenants []tenancy.Tenant // customers: every tenant of the scope selector
	Tabs    []tab
	Menu    staffCounts // staff: what waits for them, by menu entry
	Flash   string      // message key
	Form    map[string]string
	Errors  map[string]string // field → translated message; "" for the page
	V       map[string]any
}

// tab is one entry of the customer space's tab bar, shown only with its right.
type tab struct {
	Key, Path string
	Active    bool
}

func (h *handler) page(c *fiber.Ctx, title string) *page {
	p := &page{Lang: langOf(c), Title: title, Path: c.Path(), User: currentUser(c), Form: map[string]string{},
		Errors: map[string]string{}, V: map[string]any{}}
	p.CSRF = h.csrfToken(c)
	if p.User != nil && p.User.Kind.Staff() {
		p.Menu = h.staffMenu(c, p.User)
	}
	// A HEAD changes nothing: the message waits for the GET that shows it.
	if f := c.Cookies(flashCookie); f != "" && c.Method() != fiber.MethodHead {
		h.clearCookie(c, flashCookie)
		if flashKey.MatchString(f) {
			p.Flash = f
		}
	}
	return p
}

var flashKey = regexp.MustCompile(`^flash\.[a-z0-9_.]+$`)

// customerPage is a page of the customer space: it resolves the scope and builds the tab bar.
func (h *handler) customerPage(c *fiber.Ctx, title string) (*page, error) {
	p := h.page(c, title)
	scope, err := h.scope(c)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return nil, err
	}
	p.Scope = scope
	if p.Tenants, err = h.Tenancy.MyTenants(c.UserContext(), actorOf(c)); err != nil {
		return nil, err
	}
	if scope != nil {
		p.Tabs = tabsFor(scope.Rights, c.Path())
		if scope.Rights.Contract || scope.Referent || scope.Owner {
			p.Tabs = append(p.Tabs, tab{"nav.reports", "/reports", c.Path() == "/reports" || strings.HasPrefix(c.Path(), "/reports/")})
		}
		p.Tabs = append(p.Tabs, tab{"nav.help", "/help", c.Path() == "/help" || strings.HasPrefix(c.Path(), "/help/")})
	}
	return p, nil
}

// scope resolves the tenant chosen with the scope selector once per request: a handler and the
// page it renders (or re-renders after a refusal) share the answer.
func (h *handler) scope(c *fiber.Ctx) (*tenancy.Access, error) {
	type memo struct {
		a   *tenancy.Access
		err error
	}
	if m, ok := c.Locals("scope").(memo); ok {
		return m.a, m.err
	}
	a, err := h.Tenancy.Scope(c.UserContext(), actorOf(c), currentSession(c))
	c.Locals("scope", memo{a, err})
	return a, err
}

// tabsFor lists the tabs a membership's rights open, in the order of the customer space.
func tabsFor(r tenancy.Rights, path string) []tab {
	all := []struct {
		key, path string
		ok        bool
	}{
		{"nav.home", "/", true},
		{"nav.incidents", "/incidents", r.Incidents},
		{"nav.changes", "/changes", r.Changes},
		{"nav.services", "/services", r.Services},
		{"nav.subscriptions", "/subscriptions", r.Services},
		{"nav.contract", "/contract", r.Contract},
		{"nav.users", "/users", r.Users},
	}
	var ts []tab
	for _, t := range all {
		if t.ok {
			active := path == t.path || (t.path != "/" && strings.HasPrefix(path, t.path+"/"))
			ts = append(ts, tab{t.key, t.path, active})
		}
	}
	return ts
}

// show renders page name with status 200.
func (h *handler) show(c *fiber.Ctx, name string, p *page) error {
	return h.renderStatus(c, fiber.StatusOK, name, p)
}

func (h *handler) renderStatus(c *fiber.Ctx, status int, name string, p *page) error {
	body, err := h.views.render(p.Lang, name, p)
	if err != nil {
		return err
	}
	if len(p.Errors) > 0 {
		body = h.withErrorSummary(body, p.Lang, p.Errors)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).Send(body)
}

// invalid re-renders a form with the user's input and each message beside its field (422). An
// error that is not a validation failure goes to the error path.
func (h *handler) invalid(c *fiber.Ctx, err error, name string, p *page) error {
	if _, ok := asValidation(err); !ok {
		return err
	}
	h.fieldErrors(p, err)
	return h.renderStatus(c, fiber.StatusUnprocessableEntity, name, p)
}

// asValidation returns the validation failures err carries, if it carries any.
func asValidation(err error) (i18n.Errors, bool) { return i18n.AsErrors(err) }

// fieldErrors translates each failure for the reader and puts it beside its field ("" for the page).
func (h *handler) fieldErrors(p *page, err error) {
	es, _ := asValidation(err)
	for _, e := range es {
		if _, taken := p.Errors[e.Field]; !taken {
			p.Errors[e.Field] = h.Bundle.Message(p.Lang, e)
		}
	}
}

// done redirects after a successful POST, with a message for the next page.
func (h *handler) done(c *fiber.Ctx, to, flash string) error {
	if flash != "" {
		h.setCookie(c, flashCookie, flash, 0)
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// formOf copies the named form values, trimmed, for re-display and parsing.
func formOf(c *fiber.Ctx, names ...string) map[string]string {
	f := make(map[string]string, len(names))
	for _, n := range names {
		f[n] = strings.TrimSpace(c.FormValue(n))
	}
	return f
}

// idParam reads a numeric path parameter; anything else is a 404.
func idParam(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.ErrNotFound
	}
	return id, nil
}

// localPath keeps a redirect target on this site.
func localPath(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.IsAbs() || u.Host != "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, `\`) {
		return "/"
	}
	return next
}

// errBadPage is a page number that is not a whole number from 1 to paging.MaxPage: a 400.
type errBadPage struct{ max int }

func (errBadPage) Error() string { return "page number out of range" }

// checkPage refuses a ?page=N that is not a whole number from 1 to paging.MaxPage, for every
// route at the edge (checkInput), so that no list has to.
func checkPage(c *fiber.Ctx) error {
	q := c.Query("page")
	if q == "" {
		return nil
	}
	if n, err := strconv.Atoi(q); err != nil || n < 1 || n > paging.MaxPage {
		return errBadPage{paging.MaxPage}
	}
	return nil
}

// pageNumber reads ?page=N, which checkPage has let through: 1 when absent.
func pageNumber(c *fiber.Ctx) int {
	n, err := strconv.Atoi(c.Query("page"))
	if err != nil {
		return 1
	}
	return min(max(n, 1), paging.MaxPage)
}

// pageOf is the page of a list the query asks for, of the desk's page size.
func pageOf(c *fiber.Ctx) paging.Page { return paging.Number(pageNumber(c)) }

// pager is the navigation of every list page: the page's number, the count of pages where the
// list counts them (0 where it counts nothing), and the links to the pages either side, which
// keep the list's filters.
type pager struct {
	Page, Pages      int
	PrevURL, NextURL string
}

// Shown says whether the list needs its navigation: more than one page, or, for a list that
// counts nothing, a page on either side.
func (p pager) Shown() bool {
	if p.Pages > 0 {
		return p.Pages > 1
	}
	return p.PrevURL != "" || p.NextURL != ""
}

// countedPager is the navigation of page pg of a list of total items.
func countedPager(c *fiber.Ctx, pg paging.Page, total int) pager {
	pages := 1
	if pg.Size > 0 {
		pages = max((total+pg.Size-1)/pg.Size, 1)
	}
	return newPager(c, pg.Number, pages, pg.Number < pages)
}

// morePager is the navigation of page pg of a list that counts nothing: more says whether
// another page follows.
func morePager(c *fiber.Ctx, pg paging.Page, more bool) pager {
	return newPager(c, pg.Number, 0, more)
}

func newPager(c *fiber.Ctx, n, pages int, more bool) pager {
	p := pager{Page: n, Pages: pages}
	if n > 1 {
		p.PrevURL = pageLink(c, n-1)
	}
	if more {
		p.NextURL = pageLink(c, n+1)
	}
	return p
}

// pageLink is the request's path and query for page n: the list's filters are kept, the empty
// ones dropped.
func pageLink(c *fiber.Ctx, n int) string {
	args := fasthttp.AcquireArgs()
	defer fasthttp.ReleaseArgs(args)
	c.Context().QueryArgs().VisitAll(func(k, v []byte) {
		if len(v) > 0 && string(k) != "page" {
			args.AddBytesKV(k, v)
		}
	})
	args.SetUint("page", n)
	return c.Path() + "?" + string(args.QueryString())
}
