package load

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// userAgent names the tool in the desk's logs.
const userAgent = "guichet-load"

// browser is one persona's browser during set-up: a cookie jar, redirects not followed (the
// tool reads each 303 itself), the persona's language.
type browser struct {
	base   *url.URL
	client *http.Client
	lang   string
}

func newBrowser(base *url.URL, lang string) *browser {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &browser{base: base, lang: lang, client: &http.Client{
		Jar:           jar,
		Transport:     &http.Transport{},
		Timeout:       60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// reply is an answer read whole.
type reply struct {
	Status   int
	Location string
	Header   http.Header
	Body     []byte
}

// url is path on the desk.
func (b *browser) url(path string) string {
	return b.base.ResolveReference(&url.URL{Path: path}).String()
}

// do sends one request and reads the whole answer.
func (b *browser) do(ctx context.Context, method, pathQuery, contentType string, body []byte) (*reply, error) {
	u, err := b.base.Parse(pathQuery)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	b.headers(req.Header)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, pathQuery, err)
	}
	return &reply{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Header: resp.Header, Body: data}, nil
}

// headers are what the persona's browser sends with every request.
func (b *browser) headers(h http.Header) {
	h.Set("User-Agent", userAgent)
	h.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	if b.lang == "fr" {
		h.Set("Accept-Language", "fr-FR,fr;q=0.9,en;q=0.5")
	} else {
		h.Set("Accept-Language", "en-GB,en;q=0.9")
	}
}

// page GETs pathQuery and wants a 200.
func (b *browser) page(ctx context.Context, pathQuery string) ([]byte, error) {
	r, err := b.do(ctx, http.MethodGet, pathQuery, "", nil)
	if err != nil {
		return nil, err
	}
	if r.Status != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s%s", pathQuery, statusText(r.Status, r.Location), bodyHint(r.Body))
	}
	return r.Body, nil
}

// submit sends f as the browser would and returns the answer, whatever its status.
func (b *browser) submit(ctx context.Context, f *form) (*reply, error) {
	body, ct, err := f.Encode()
	if err != nil {
		return nil, err
	}
	return b.do(ctx, f.Method, f.Action, ct, body)
}

// submitSeeOther sends f and wants the 303 of a form that worked; it returns where it leads.
func (b *browser) submitSeeOther(ctx context.Context, f *form) (string, error) {
	r, err := b.submit(ctx, f)
	if err != nil {
		return "", err
	}
	if r.Status != http.StatusSeeOther {
		return "", fmt.Errorf("POST %s: %s, want 303%s", f.Action, statusText(r.Status, r.Location), bodyHint(r.Body))
	}
	return r.Location, nil
}

// cookieHeader is the Cookie header the browser sends to the desk now.
func (b *browser) cookieHeader() string {
	var parts []string
	for _, c := range b.client.Jar.Cookies(b.base) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// cookie returns the value of the desk's cookie name in the jar.
func (b *browser) cookie(name string) string {
	for _, c := range b.client.Jar.Cookies(b.base) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func statusText(status int, location string) string {
	s := fmt.Sprintf("%d %s", status, http.StatusText(status))
	if location != "" {
		s += " → " + location
	}
	return s
}

var (
	tagRE   = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// bodyHint is a short, readable excerpt of an answer's body for an error message: the text of
// the page's <main> (else the whole body) without its tags, or a JSON body as it is.
func bodyHint(body []byte) string {
	s := briefBody(body, 240)
	if s == "" {
		return ""
	}
	return ": " + s
}

// briefBody is body's text, at most n characters.
func briefBody(body []byte, n int) string {
	s := string(body)
	if i := strings.Index(s, "<main"); i >= 0 {
		s = s[i:]
		if j := strings.Index(s, "</main>"); j >= 0 {
			s = s[:j]
		}
	}
	s = tagRE.ReplaceAllString(s, " ")
	s = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#39;", "'", "&quot;", `"`, "&nbsp;", " ").Replace(s)
	s = strings.TrimSpace(spaceRE.ReplaceAllString(s, " "))
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "…"
	}
	return s
}
