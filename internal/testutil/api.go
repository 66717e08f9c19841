package testutil

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
)

// APIToken makes a personal access token of scope (identity.ScopeRead or ScopeWrite) for the
// user with login, valid thirty days, and returns its secret.
func APIToken(t testing.TB, a *app.App, login, scope string) string {
	t.Helper()
	u, err := identity.UserByLogin(context.Background(), a.DB, login)
	if err != nil {
		t.Fatalf("token for %s: %v", login, err)
	}
	secret, _, err := a.Identity.CreateToken(context.Background(), tenancy.ActorOf(u).Actor,
		identity.NewAPIToken{Name: "test " + scope, Scope: scope, Expires: time.Now().UTC().AddDate(0, 0, 30)}, false)
	if err != nil {
		t.Fatalf("token for %s: %v", login, err)
	}
	return secret
}

// APIClient calls the JSON API through app.Test with a token, and checks every answer against
// the API's OpenAPI document: a response the document does not describe fails the test.
type APIClient struct {
	t     testing.TB
	app   *fiber.App
	Token string
	Lang  string // Accept-Language, if set
	// NoCheck skips the document check (for answers to requests the document refuses).
	NoCheck bool
}

// APIResponse is an answer of the API.
type APIResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test if it cannot.
func (r APIResponse) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %.300s: %v", r.Body, err)
	}
}

// Map is the body as a JSON object.
func (r APIResponse) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// NewAPIClient returns a client sending token (none when empty).
func NewAPIClient(t testing.TB, app *fiber.App, token string) *APIClient {
	return &APIClient{t: t, app: app, Token: token}
}

// Do sends method path with body (a value encoded as JSON, a string or []byte sent as is, or
// nil) and extra headers as name, value pairs.
func (c *APIClient) Do(method, path string, body any, headers ...string) APIResponse {
	c.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			c.t.Fatal(err)
		}
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(raw))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.app.Test(req, -1)
	if err != nil {
		msg := err.Error()
		c.t.Fatalf("%s %.200s: %.300s", method, path, msg)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	r := APIResponse{Status: resp.StatusCode, Header: resp.Header, Body: out}
	if r.Status >= 500 {
		c.t.Errorf("%s %.200s: %d %.500s", method, path, r.Status, out)
	}
	if !c.NoCheck {
		c.check(method, path, raw, r)
	}
	return r
}

// Get, Post and Delete are Do with their method.
func (c *APIClient) Get(path string, headers ...string) APIResponse {
	c.t.Helper()
	return c.Do(http.MethodGet, path, nil, headers...)
}

func (c *APIClient) Post(path string, body any, headers ...string) APIResponse {
	c.t.Helper()
	return c.Do(http.MethodPost, path, body, headers...)
}

func (c *APIClient) Delete(path string, headers ...string) APIResponse {
	c.t.Helper()
	return c.Do(http.MethodDelete, path, nil, headers...)
}

// The document is read once per test binary: every desk serves the same one.
var (
	docOnce   sync.Once
	docRouter routers.Router
	docErr    error
)

// APIDocument returns the API's OpenAPI document as the desk serves it, loaded by kin-openapi.
func APIDocument(t testing.TB, app *fiber.App) *openapi3.T {
	t.Helper()
	resp, err := app.Test(httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("openapi.json: %d %.300s", resp.StatusCode, raw)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatalf("openapi.json does not load: %v", err)
	}
	return doc
}

func (c *APIClient) router() routers.Router {
	c.t.Helper()
	docOnce.Do(func() {
		doc := APIDocument(c.t, c.app)
		if docErr = doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); docErr != nil {
			return
		}
		docRouter, docErr = gorillamux.NewRouter(doc)
	})
	if docErr != nil {
		c.t.Fatalf("the OpenAPI document: %v", docErr)
	}
	return docRouter
}

// check validates an answer against the document. Answers to paths the document does not
// know (404 problems) and to methods it does not list are not checked: no operation describes
// them.
func (c *APIClient) check(method, path string, body []byte, r APIResponse) {
	c.t.Helper()
	if strings.HasPrefix(path, "/api/v1/openapi") {
		return
	}
	req := httptest.NewRequest(method, "http://desk"+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	route, params, err := c.router().FindRoute(req)
	if err != nil {
		if r.Status != http.StatusNotFound && r.Status != http.StatusMethodNotAllowed {
			c.t.Errorf("%s %.200s answered %d but the document has no such operation: %v", method, path, r.Status, err)
		}
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	// A file's bytes are checked for their status only: the document says any type.
	file := r.Status < 300 && !strings.Contains(r.Header.Get("Content-Type"), "json")
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.Status, Header: r.Header,
		Body: io.NopCloser(bytes.NewReader(r.Body)), Options: &openapi3filter.Options{IncludeResponseStatus: true, ExcludeResponseBody: file}}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		msg := err.Error()
		if len(msg) > 800 {
			msg = msg[:800] + "…"
		}
		c.t.Errorf("%s %.200s: answer %d not as documented: %s\nbody: %.400s", method, path, r.Status, msg, r.Body)
	}
}
