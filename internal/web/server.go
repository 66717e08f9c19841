// Package web serves the desk's HTML pages with Fiber: routes, middleware, handlers, views.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/guichet/guichet/internal/api"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audit/auditlog"
	"github.com/guichet/guichet/internal/canned"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/config"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/gdpr"
	"github.com/guichet/guichet/internal/help"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/inbound"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/major"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/report"
	"github.com/guichet/guichet/internal/sla"
	"github.com/guichet/guichet/internal/subscription"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/guichet/guichet/internal/webhook"
	"github.com/guichet/guichet/static"
	"github.com/guichet/guichet/templates"
)

// Deps are what the web edge needs from the rest of the program.
type Deps struct {
	Config config.Config
	// Ping says whether the database answers, for the health check.
	Ping     func(context.Context) error
	Identity *identity.Service
	Tenancy  *tenancy.Service
	Bundle   *i18n.Bundle
	Log      *slog.Logger
	// Secret signs CSRF tokens; every instance sharing a database shares it.
	Secret    []byte
	Notifier  *notify.Notifier
	Catalogue *change.Catalogue
	SLA       *sla.Policy
	Incidents *incident.Service
	Changes   *change.Service
	Contracts *contract.Service
	Outbox    *notify.Outbox
	Files     *timeline.Files
	// Inbound is the admins' view of inbound mail, and staff's originals of replies by mail.
	Inbound *inbound.Admin
	// Webhooks registers endpoints and keeps their delivery logs.
	Webhooks *webhook.Service
	// Canned is the agents' library of canned responses.
	Canned *canned.Service
	// Majors are the major incidents and the status page.
	Majors *major.Service
	// Reports are the staff dashboard and the customer reports.
	Reports *report.Service
	// Help is the help center.
	Help *help.Service
	// Subscriptions are the tenants' subscriptions (the Subscriptions tab).
	Subscriptions *subscription.Service
	// Audit reads the audit log (admins, a tenant's referent) and records exports.
	Audit *auditlog.Service
	// GDPR exports a person's data and erases a person.
	GDPR *gdpr.Service
	// API mounts the JSON API (nil: none); its requests carry a token, not a session.
	API func(*fiber.App)
}

// handler holds the dependencies every handler uses; all routes are its methods.
type handler struct {
	Deps
	views *views
	// readers authorize attachment downloads per kind of ticket; see readable.
	readers map[string]subjectReader
	// proxies are the trusted reverse proxies; see clientIP.
	proxies []netip.Prefix
	// menu keeps the counts of the staff menu a few seconds.
	menu *menuCache
}

// New builds the Fiber app with every route. Templates are parsed here: a broken template stops
// the program at start rather than on the first request that needs it.
func New(d Deps) (*fiber.App, error) {
	v, err := loadViews(templates.FS, d.Bundle)
	if err != nil {
		return nil, err
	}
	proxies, err := parseProxies(d.Config.TrustedProxies)
	if err != nil {
		return nil, err
	}
	h := &handler{Deps: d, views: v, proxies: proxies, menu: &menuCache{m: map[int64]menuEntry{}}}
	app := fiber.New(fiber.Config{
		// Handlers keep form values beyond their return (services, errors, re-rendered forms).
		Immutable:             true,
		DisableStartupMessage: true,
		ErrorHandler:          h.handleError,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           2 * time.Minute,
		// Room for a few attachments of the largest size, plus the form.
		BodyLimit: int(max(32<<20, 3*d.Config.AttachmentMax+1<<20)),
		// Long search links fit; a longer request line or header gets the localized 431 page.
		ReadBufferSize: 16 << 10,
		// A multipart body is read when a handler asks for it, so that a malformed one reaches
		// checkInput and its localized page rather than a bare 400.
		DisablePreParseMultipartForm: true,
	})
	app.Use(h.requestLog, h.recoverPanic, h.securityHeaders, h.withDeadline)
	app.Get("/healthz", h.health)
	app.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(static.FS), MaxAge: 3600}))
	if d.API != nil {
		d.API(app)
	}
	app.Use(h.loadSession, h.checkInput)
	// An unknown path falls through to Fiber's 404, a known path with another method to its 405
	// with Allow; both reach handleError.
	h.registerRoutes(app)
	return app, nil
}

func (h *handler) health(c *fiber.Ctx) error {
	if err := h.Ping(c.UserContext()); err != nil {
		return c.Status(fiber.StatusServiceUnavailable).SendString("database unavailable")
	}
	return c.SendString("ok")
}

// handleError is the one error path: a known error becomes its status and a localized page.
func (h *handler) handleError(c *fiber.Ctx, err error) error {
	if api.IsAPI(c.Path()) {
		return h.apiError(c, err)
	}
	status, key := fiber.StatusInternalServerError, "error.page.500"
	var fe *fiber.Error
	var bp errBadPage
	es, invalid := asValidation(err)
	switch {
	case invalid:
		// A refusal that reached the error path instead of its form: still the reader's 422.
		status, key = fiber.StatusUnprocessableEntity, "error.page.422"
	case errors.As(err, &bp):
		status, key = fiber.StatusBadRequest, "error.page.bad_page"
	case errors.Is(err, context.DeadlineExceeded):
		status, key = fiber.StatusServiceUnavailable, "error.page.503"
	case errors.Is(err, apperr.ErrNotFound):
		status, key = fiber.StatusNotFound, "error.page.404"
	case errors.Is(err, apperr.ErrForbidden):
		status, key = fiber.StatusForbidden, "error.page.403"
	case errors.Is(err, apperr.ErrStale):
		status, key = fiber.StatusConflict, "error.page.409"
	case errors.Is(err, errCSRF):
		status, key = fiber.StatusForbidden, "error.page.csrf"
	case errors.As(err, &fe):
		status = fe.Code
		switch fe.Code {
		case fiber.StatusNotFound, fiber.StatusMethodNotAllowed, fiber.StatusTooManyRequests,
			fiber.StatusRequestEntityTooLarge, fiber.StatusRequestHeaderFieldsTooLarge:
			key = "error.page." + strconv.Itoa(fe.Code)
		default:
			if fe.Code < 500 {
				key = "error.page.400"
			}
		}
	}
	if status >= 500 {
		h.Log.Error("request failed", "request_id", requestID(c), "method", c.Method(), "path", logPath(c), "err", err)
	}
	if langOf(c) == "" {
		// Refused before any middleware ran (a request line or body too large): no language yet.
		c.Locals("lang", i18n.Negotiate("", c.Cookies(langCookie), c.Get(fiber.HeaderAcceptLanguage), h.Config.DefaultLang))
	}
	p := h.page(c, key+".title")
	p.V["Message"] = key + ".text"
	p.V["Status"] = status
	p.V["Max"] = bp.max
	var details []string
	for _, e := range es {
		details = append(details, h.Bundle.Message(p.Lang, e))
	}
	p.V["Details"] = details
	body, rerr := h.views.render(p.Lang, "errors/error", p)
	if rerr != nil {
		h.Log.Error("render error page", "err", rerr)
		return c.Status(status).SendString(http.StatusText(status))
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).Send(body)
}

// apiError answers an API request refused outside its handlers (a body or a header too large,
// a method the path does not take, a panic) with a problem+json, never the pages' HTML.
func (h *handler) apiError(c *fiber.Ctx, err error) error {
	status := fiber.StatusInternalServerError
	var fe *fiber.Error
	switch {
	case errors.As(err, &fe):
		status = fe.Code
	case errors.Is(err, context.DeadlineExceeded):
		status = fiber.StatusServiceUnavailable
	}
	if status >= 500 {
		h.Log.Error("request failed", "request_id", requestID(c), "method", c.Method(), "path", logPath(c), "err", err)
		return api.Problem(c, h.Bundle, h.Config.DefaultLang, status, nil)
	}
	return api.Problem(c, h.Bundle, h.Config.DefaultLang, status, err)
}
