package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humafiber"
	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
)

// ProblemType is the media type of an error.
const ProblemType = "application/problem+json"

// ProblemDetails is an RFC 9457 problem: title and detail in the reader's language, and each
// refused field with its message.
type ProblemDetails struct {
	Type     string `json:"type,omitempty" doc:"A URI naming the kind of problem; about:blank when the status says it all."`
	Title    string `json:"title" doc:"What went wrong, in the reader's language."`
	Status   int    `json:"status" doc:"The HTTP status."`
	Detail   string `json:"detail,omitempty" doc:"What to do about it, in the reader's language."`
	Instance string `json:"instance,omitempty" doc:"The request's path."`
	// RequestID names the request in the desk's logs, for support.
	RequestID string `json:"request_id,omitempty" doc:"The request's id in the desk's logs (also in X-Request-Id): quote it to support."`
	// Errors are the refused fields, in the order of the input.
	Errors []FieldError `json:"errors,omitempty" doc:"Each refused field and why."`
}

// FieldError is one refused field.
type FieldError struct {
	Field   string `json:"field" doc:"The field as the request names it: title, body.title is written title."`
	Message string `json:"message" doc:"Why, in the reader's language."`
}

func (p *ProblemDetails) Error() string { return strconv.Itoa(p.Status) + " " + p.Title }

// GetStatus is huma's StatusError.
func (p *ProblemDetails) GetStatus() int { return p.Status }

// ContentType makes huma send problems as problem+json.
func (p *ProblemDetails) ContentType(string) string { return ProblemType }

// huma makes its errors through these: every problem is localized for the request's reader,
// from the caller negotiate put in the request's context. One made without a request (the
// document's example) has no reader and shows its keys.
func init() {
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		return newProblem(nil, "en", status, msg, errs...)
	}
	huma.NewErrorWithContext = func(ctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		if ctx == nil {
			return newProblem(nil, "en", status, msg, errs...)
		}
		cl := callerOf(ctx.Context())
		p := newProblem(cl.bundle, cl.Lang, status, msg, errs...)
		p.Instance = ctx.URL().Path
		if f := fiberOf(ctx); f != nil {
			p.RequestID, _ = f.Locals("request_id").(string)
		}
		if p.Status >= 500 && cl.log != nil {
			cl.log.Error("api request failed", "path", p.Instance, "status", p.Status, "err", errors.Join(errs...))
		}
		if p.Status == http.StatusTooManyRequests {
			if f := fiberOf(ctx); f != nil {
				f.Set(fiber.HeaderRetryAfter, "60")
			}
		}
		return p
	}
}

func fiberOf(ctx huma.Context) (f *fiber.Ctx) {
	defer func() {
		if recover() != nil {
			f = nil
		}
	}()
	return humafiber.Unwrap(ctx)
}

// newProblem turns what huma or a handler reports into a localized problem: the services'
// errors (not found, forbidden, stale, refusals beside fields) take their own status; huma's
// validation details are translated by kind.
func newProblem(b *i18n.Bundle, lang string, status int, msg string, errs ...error) *ProblemDetails {
	t := func(key string, pairs ...any) string {
		if b == nil {
			return key
		}
		return b.T(lang, key, i18n.Pairs(pairs...))
	}
	detailKey, detail := "", ""
	var detailArgs []any
	var fields []FieldError
	for _, err := range errs {
		if err == nil {
			continue
		}
		var he *huma.ErrorDetail
		if es, ok := i18n.AsErrors(err); ok {
			status = http.StatusUnprocessableEntity
			for _, e := range es {
				if e.Field == "" {
					// A refusal of the whole request: its detail, beside any refused fields.
					detail = messageOf(b, lang, e)
					continue
				}
				fields = append(fields, FieldError{Field: e.Field, Message: messageOf(b, lang, e)})
			}
			continue
		}
		switch {
		case errors.As(err, &he) && he.Location == "body" && status == http.StatusBadRequest:
			detailKey = "api.problem.malformed" // the body does not parse: no field to name
		case errors.As(err, &he) && status == http.StatusUnsupportedMediaType:
			detailKey = "api.problem.content_type"
		case errors.As(err, &he):
			f := detailField(he)
			fields = append(fields, FieldError{Field: f, Message: t(validationKey(he.Message), "Field", f, "Limit", limitOf(he.Message))})
		case errors.Is(err, apperr.ErrNotFound):
			status = http.StatusNotFound
		case errors.Is(err, apperr.ErrForbidden):
			status = http.StatusForbidden
		case errors.Is(err, apperr.ErrStale):
			status, detailKey = http.StatusPreconditionFailed, "api.problem.stale"
		case errors.Is(err, context.DeadlineExceeded):
			status = http.StatusServiceUnavailable
		case errors.Is(err, identity.ErrTokenNeedsTwoFactor):
			status, detailKey = http.StatusForbidden, "api.problem.two_factor"
		case errors.Is(err, identity.ErrTokenInvalid):
			status, detailKey = http.StatusUnauthorized, "api.problem.token_invalid"
		case errors.As(err, new(*problemCause)):
			var pc *problemCause
			errors.As(err, &pc)
			status, detailKey, detailArgs = pc.status, pc.key, pc.args
		}
	}
	if detailKey == "" {
		detailKey = huma2key(status, msg)
	}
	p := &ProblemDetails{Type: "about:blank", Status: status, Title: t(titleKey(status)), Errors: fields}
	switch {
	case detail != "":
		p.Detail = detail
	case detailKey != "":
		p.Detail = t(detailKey, detailArgs...)
	}
	return p
}

// problemCause is a refusal of the edge itself (a bad cursor, a missing If-Match), with its status.
type problemCause struct {
	status int
	key    string
	args   []any // the message's arguments, as name-value pairs
}

func (p *problemCause) Error() string { return p.key }

// refuse returns the edge's refusal with status, explained by the message key with its
// arguments (name-value pairs).
func refuse(status int, key string, pairs ...any) error {
	return &problemCause{status: status, key: key, args: pairs}
}

func messageOf(b *i18n.Bundle, lang string, e *i18n.Error) string {
	if b == nil {
		return e.Key
	}
	return b.Message(lang, e)
}

// titleKey is the title of a status: one per status the API answers.
func titleKey(status int) string {
	switch status {
	case 400, 401, 403, 404, 405, 406, 409, 410, 412, 413, 415, 422, 428, 429, 503:
		return "api.problem." + strconv.Itoa(status)
	}
	if status >= 500 {
		return "api.problem.500"
	}
	return "api.problem.400"
}

// huma2key explains huma's own refusals of a request.
func huma2key(status int, msg string) string {
	switch {
	case status == http.StatusRequestEntityTooLarge:
		return "api.problem.too_large"
	case strings.Contains(msg, "unable to parse body"), strings.Contains(msg, "invalid JSON"):
		return "api.problem.malformed"
	case strings.Contains(msg, "request body is required"):
		return "api.problem.body_required"
	case strings.Contains(msg, "unsupported content type"), strings.Contains(msg, "content type"):
		return "api.problem.content_type"
	case status == http.StatusUnprocessableEntity, status == http.StatusBadRequest && strings.Contains(msg, "validation"):
		return "api.problem.invalid"
	}
	return ""
}

// validationKey classifies huma's English validation message into one of ours.
func validationKey(msg string) string {
	switch {
	case strings.HasPrefix(msg, "unexpected property"):
		return "api.field.unknown"
	case strings.HasPrefix(msg, "expected required property"):
		return "api.field.required"
	case strings.HasPrefix(msg, "expected length <="), strings.HasPrefix(msg, "expected array length <="):
		return "api.field.too_long"
	case strings.HasPrefix(msg, "expected length >="), strings.HasPrefix(msg, "expected array length >="):
		return "api.field.too_short"
	case strings.HasPrefix(msg, "expected value to be one of"):
		return "api.field.one_of"
	case strings.HasPrefix(msg, "expected number"):
		return "api.field.range"
	case strings.HasPrefix(msg, "expected string to be RFC 3339"):
		return "api.field.datetime"
	case msg == "expected boolean", msg == "expected number", msg == "expected integer", msg == "expected string",
		msg == "expected array", msg == "expected object", strings.HasPrefix(msg, "expected string to be base64"):
		return "api.field.type." + strings.TrimPrefix(strings.Fields(msg + " x")[1], "")
	}
	return "api.field.invalid"
}

// limitOf is the number in a length or range message ("expected length <= 200" → "200"), or
// the choices of an enum.
func limitOf(msg string) string {
	if i := strings.LastIndexAny(msg, "=<>"); i >= 0 {
		return strings.TrimSpace(msg[i+1:])
	}
	if i := strings.Index(msg, "one of "); i >= 0 {
		return strings.Trim(msg[i+len("one of "):], `"`)
	}
	return ""
}

// detailField is the field a huma detail is about: a missing property is named in the
// message, its location being the object that lacks it.
func detailField(he *huma.ErrorDetail) string {
	f := fieldName(he.Location)
	const req = "expected required property "
	if strings.HasPrefix(he.Message, req) {
		name := strings.TrimSuffix(strings.TrimPrefix(he.Message, req), " to be present")
		if f != "" {
			return f + "." + name
		}
		return name
	}
	return f
}

// fieldName writes a huma location (body.title, body.files[0].name, query.limit) as the field
// the client sent.
func fieldName(loc string) string {
	for _, p := range []string{"body.", "query.", "path.", "header."} {
		if strings.HasPrefix(loc, p) {
			return loc[len(p):]
		}
	}
	if loc == "body" {
		return ""
	}
	return loc
}

// Problem writes a localized problem for a refusal outside huma: the pages' error handler for
// /api/ paths (a body or a header too large, a method the path does not take, a panic), in the
// language negotiated for the request, else in the Accept-Language header's, else in defLang.
func Problem(c *fiber.Ctx, b *i18n.Bundle, defLang string, status int, cause error) error {
	lang := callerOf(c.UserContext()).Lang
	if lang == "" {
		lang = i18n.Negotiate("", "", c.Get(fiber.HeaderAcceptLanguage), defLang)
	}
	errs := []error{}
	if cause != nil {
		errs = append(errs, cause)
	}
	p := newProblem(b, lang, status, "", errs...)
	p.Instance = c.Path()
	p.RequestID, _ = c.Locals("request_id").(string)
	if p.Status >= 500 && cause != nil {
		p.Detail = ""
	}
	body, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("api: problem: %w", err)
	}
	c.Set(fiber.HeaderContentType, ProblemType)
	c.Set(fiber.HeaderContentLanguage, lang)
	return c.Status(p.Status).Send(body)
}

// IsAPI reports whether a path is the API's, for the pages' error handler.
func IsAPI(path string) bool { return path == Prefix || strings.HasPrefix(path, Prefix+"/") }

// problem writes a localized problem for the edge's own refusals (no token, rate limit, an
// unknown path, an idempotency key in use).
func (s *server) problem(c *fiber.Ctx, status int, cause error) error {
	return Problem(c, s.Bundle, s.Config.DefaultLang, status, cause)
}
