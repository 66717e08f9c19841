// Package web serves the desk's HTML pages with Fiber: routes, middleware, handlers, views.
package web

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/guichet/guichet/internal/account"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/config"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/sla"
	"github.com/guichet/guichet/static"
	"github.com/guichet/guichet/templates"
	"github.com/uptrace/bun"
)

// Deps are what the web edge needs from the rest of the program.
type Deps struct {
	Config   config.Config
	DB       *bun.DB
	Accounts *account.Service
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
}

// handler holds the dependencies every handler uses; all routes are its methods.
type handler struct {
	Deps
	views *views
	// readers authorize attachment downloads per kind of ticket; see readable.
	readers map[string]subjectReader
}

// New builds the Fiber app with every route. Templates are parsed here: a broken template stops
// the program at start rather than on the first request that needs it.
func New(d Deps) (*fiber.App, error) {
	v, err := loadViews(templates.FS, d.Bundle)
	if err != nil {
		return nil, err
	}
	h := &handler{Deps: d, views: v}
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
	})
	app.Use(h.requestLog, h.securityHeaders)
	app.Get("/healthz", h.health)
	app.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(static.FS), MaxAge: 3600}))
	app.Use(h.loadSession, h.checkCSRF)
	h.registerRoutes(app)
	app.Use(func(c *fiber.Ctx) error { return apperr.ErrNotFound })
	return app, nil
}

func (h *handler) health(c *fiber.Ctx) error {
	if err := h.DB.PingContext(c.UserContext()); err != nil {
		return c.Status(fiber.StatusServiceUnavailable).SendString("database unavailable")
	}
	return c.SendString("ok")
}

// handleError is the one error path: a known error becomes its status and a localized page.
func (h *handler) handleError(c *fiber.Ctx, err error) error {
	status, key := fiber.StatusInternalServerError, "error.page.500"
	var fe *fiber.Error
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		status, key = fiber.StatusNotFound, "error.page.404"
	case errors.Is(err, apperr.ErrForbidden):
		status, key = fiber.StatusForbidden, "error.page.403"
	case errors.Is(err, errCSRF):
		status, key = fiber.StatusForbidden, "error.page.csrf"
	case errors.As(err, &fe):
		status = fe.Code
		switch fe.Code {
		case fiber.StatusNotFound, fiber.StatusMethodNotAllowed:
			status, key = fiber.StatusNotFound, "error.page.404"
		case fiber.StatusTooManyRequests:
			key = "error.page.429"
		case fiber.StatusRequestEntityTooLarge:
			key = "error.page.413"
		default:
			if fe.Code < 500 {
				key = "error.page.400"
			}
		}
	}
	if status >= 500 {
		h.Log.Error("request failed", "request_id", requestID(c), "method", c.Method(), "path", c.Path(), "err", err)
	}
	p := h.page(c, key+".title")
	p.V["Message"] = key + ".text"
	p.V["Status"] = status
	body, rerr := h.views.render(p.Lang, "errors/error", p)
	if rerr != nil {
		h.Log.Error("render error page", "err", rerr)
		return c.Status(status).SendString(http.StatusText(status))
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(status).Send(body)
}
