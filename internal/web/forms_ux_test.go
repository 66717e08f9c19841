package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var (
	postForm   = regexp.MustCompile(`(?s)<form[^>]*method="post"[^>]*>.*?</form>`)
	formAction = regexp.MustCompile(`action="([^"]*)"`)
	hiddenIn   = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	summaryRE  = regexp.MustCompile(`(?s)<div class="errors" role="alert"[^>]*>.*?</ul></div>`)
	entryRE    = regexp.MustCompile(`(?s)<li([^>]*)>(.*?)</li>`)
	linkRE     = regexp.MustCompile(`^<a href="#(f-[^"]+)">(.*)</a>$`)
)

// Every form with a required field, sent empty as a hurried user would, comes back 422 with an
// error summary whose entries follow the form's order, each naming its field by its label and
// linking to it; never a field the page does not show.
func TestEmptyFormsListErrorsInFormOrderNamingTheirField(t *testing.T) {
	d := newDesk(t)
	inc := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Instance bloquée au démarrage")
	m := d.openMajor(t, "")
	pages := map[string][]string{
		"Marie.Dupont": {"/incidents/new", "/users", "/contract/level", "/profile", "/webhooks/new", "/incidents/" + inc.Number()},
		"John.Doe":     {"/profile", "/incidents/" + inc.Number()},
		"admin":        {"/admin/users/new", "/admin/tenants/new"},
		"Alice.Agent":  {"/staff/incidents/" + inc.Number(), "/profile", "/staff/major/new", "/staff/major/" + m.Number(), "/staff/major/" + m.Number() + "/edit"},
	}
	checked := 0
	for login, paths := range pages {
		c := d.as(t, login)
		for _, path := range paths {
			page := c.Get(path)
			if page.Status != http.StatusOK {
				t.Errorf("%s: GET %s = %d", login, path, page.Status)
				continue
			}
			for _, form := range postForm.FindAllString(page.Body, -1) {
				if !strings.Contains(form, " required") || strings.Contains(form, "data-confirm") {
					continue
				}
				m := formAction.FindStringSubmatch(form)
				if m == nil {
					continue
				}
				action := html.UnescapeString(m[1])
				values := url.Values{}
				for _, h := range hiddenIn.FindAllStringSubmatch(form, -1) {
					values.Set(h[1], html.UnescapeString(h[2]))
				}
				r := c.Post(action, values)
				checked++
				where := login + " " + path + " → POST " + action
				if r.Status != http.StatusUnprocessableEntity {
					t.Errorf("%s: status %d, want 422", where, r.Status)
					continue
				}
				checkSummary(t, where, r.Body)
				c.Get(path) // the next form's CSRF token, as a browser would read it
			}
		}
	}
	if checked < 8 {
		t.Errorf("only %d forms checked: the pages lost their forms?", checked)
	}
}

// checkSummary fails unless body's error summary names and links every field it lists, in the
// order the fields come in the page.
func checkSummary(t *testing.T, where, body string) {
	t.Helper()
	sum := summaryRE.FindString(body)
	if sum == "" {
		t.Errorf("%s: no error summary", where)
		return
	}
	last := -1
	for _, e := range entryRE.FindAllStringSubmatch(sum, -1) {
		if strings.Contains(e[1], "data-unshown-field") {
			t.Errorf("%s: an error for a field the page does not show: %s", where, e[0])
			continue
		}
		l := linkRE.FindStringSubmatch(e[2])
		if l == nil {
			continue // about the whole form
		}
		at := strings.Index(body, `id="`+l[1]+`"`)
		if at < 0 {
			t.Errorf("%s: the summary links to #%s, which the page lacks", where, l[1])
		}
		if at < last {
			t.Errorf("%s: %q comes before a field above it in the form", where, html.UnescapeString(l[2]))
		}
		last = at
		label, _, ok := strings.Cut(html.UnescapeString(l[2]), ":")
		if !ok || strings.TrimSpace(label) == "" {
			t.Errorf("%s: %q does not name its field", where, html.UnescapeString(l[2]))
		}
	}
}
