package testutil

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/demo"
)

// Client talks to a Fiber app through app.Test the way a browser does: it keeps cookies and
// sends back the CSRF token of the last page it read.
type Client struct {
	t       testing.TB
	app     *fiber.App
	cookies map[string]string
	csrf    string
	Lang    string // Accept-Language sent with every request, if set
}

// Response is a read answer.
type Response struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

// File is a file sent with PostFiles.
type File struct {
	Field, Name string
	Data        []byte
}

// NewClient returns a client with no cookies.
func NewClient(t testing.TB, app *fiber.App) *Client {
	return &Client{t: t, app: app, cookies: map[string]string{}}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// Get reads path.
func (c *Client) Get(path string) Response {
	return c.do(httptest.NewRequest(http.MethodGet, path, nil))
}

// Post submits form to path with the CSRF token of the last page read (fetching /login first
// when no page was read yet).
func (c *Client) Post(path string, form url.Values) Response {
	if c.csrf == "" {
		c.Get("/login")
	}
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	if _, ok := f["_csrf"]; !ok {
		f.Set("_csrf", c.csrf)
	}
	return c.PostRaw(path, f)
}

// PostFiles submits form and files as multipart/form-data, as a browser sends a form with a
// file input, with the CSRF token of the last page read.
func (c *Client) PostFiles(path string, form url.Values, files ...File) Response {
	c.t.Helper()
	if c.csrf == "" {
		c.Get("/login")
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if _, ok := form["_csrf"]; !ok {
		w.WriteField("_csrf", c.csrf)
	}
	for k, vs := range form {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	for _, f := range files {
		fw, err := w.CreateFormFile(f.Field, f.Name)
		if err != nil {
			c.t.Fatal(err)
		}
		fw.Write(f.Data)
	}
	w.Close()
	req := httptest.NewRequest(http.MethodPost, path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

// PostRaw submits form as is, without adding a CSRF token.
func (c *Client) PostRaw(path string, form url.Values) Response {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// Send sends req as is, with the client's cookies.
func (c *Client) Send(req *http.Request) Response { return c.do(req) }

func (c *Client) do(req *http.Request) Response {
	c.t.Helper()
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	if c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	resp, err := c.app.Test(req, -1)
	if err != nil {
		msg := err.Error()
		if len(msg) > 300 {
			msg = msg[:300] + "…"
		}
		c.t.Fatalf("%s %.200s: %s", req.Method, req.URL, msg)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	if m := csrfField.FindStringSubmatch(string(body)); m != nil {
		c.csrf = m[1]
	}
	return Response{Status: resp.StatusCode, Body: string(body), Location: resp.Header.Get("Location"), Header: resp.Header}
}

// CSRF returns the token of the last page read.
func (c *Client) CSRF() string { return c.csrf }

// Cookie returns the value of the named cookie the client holds.
func (c *Client) Cookie(name string) string { return c.cookies[name] }

// SetCookie sets a cookie as if the server had.
func (c *Client) SetCookie(name, value string) { c.cookies[name] = value }

// Login logs in with the demo password and fails the test unless it succeeds.
func (c *Client) Login(login string) {
	c.t.Helper()
	r := c.Post("/login", url.Values{"login": {login}, "password": {demo.Password}})
	if r.Status != http.StatusSeeOther || r.Location != "/" {
		c.t.Fatalf("login %s: status %d, location %q, body %.300s", login, r.Status, r.Location, r.Body)
	}
	// Read the landing page, following the staff's redirect, as the browser would: its forms
	// carry the token bound to the new session.
	for path, i := "/", 0; path != "" && i < 3; i++ {
		path = c.Get(path).Location
	}
}

// Clone returns a client holding the same cookies and CSRF token, as a second tab of the same
// browser: the two may send at the same time.
func (c *Client) Clone() *Client {
	d := &Client{t: c.t, app: c.app, cookies: make(map[string]string, len(c.cookies)), csrf: c.csrf, Lang: c.Lang}
	for k, v := range c.cookies {
		d.cookies[k] = v
	}
	return d
}
