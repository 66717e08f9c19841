package load

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/once"
)

// titlePrefix starts the title of every incident the tool declares, so that set-up can tell the
// demo's incidents from the ones earlier runs left.
const titlePrefix = "guichet-load"

// apiTokens is how many API tokens the customer makes: the desk limits each token to
// GUICHET_API_RATE requests a minute (at most 100,000, about 1,700 a second), and the API
// scenarios take them in turn so that the limit is not what they measure.
const apiTokens = 4

// persona is a demo user logged in through the login form.
type persona struct {
	Login string
	*browser
}

// desk is what set-up learned of the desk, for the scenarios.
type desk struct {
	base     *url.URL
	customer *persona
	agent    *persona
	// TenantID is the customer's tenant's id, chosen as their scope.
	TenantID int64
	// Incident is a demo incident of the customer's (the first of their list that the tool did
	// not declare): the incident page, the API's incident and the default rare word.
	Incident string
	// ReplyTo is an incident declared at set-up, on which the reply scenario writes.
	ReplyTo string
	// declare and reply are the forms as the browser received them.
	declare, reply *form
	tokens         []apiToken
}

type apiToken struct{ Name, Secret string }

// login opens a session for login through the login form, as a browser does: GET /login for
// the anonymous cookie and the form's token, POST the form, follow nothing.
func login(ctx context.Context, base *url.URL, who, password, lang string) (_ *persona, err error) {
	p := &persona{Login: who, browser: newBrowser(base, lang)}
	defer func() {
		if err != nil {
			p.client.CloseIdleConnections()
		}
	}()
	page, err := p.page(ctx, "/login")
	if err != nil {
		return nil, fmt.Errorf("log in as %s: %w", who, err)
	}
	f, err := findForm(page, "/login")
	if err != nil {
		return nil, fmt.Errorf("log in as %s: %w", who, err)
	}
	f.Set("login", who)
	f.Set("password", password)
	r, err := p.submit(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("log in as %s: %w", who, err)
	}
	switch {
	case r.Status == http.StatusSeeOther && r.Location == "/login/code":
		return nil, fmt.Errorf("log in as %s: the account asks for a two-factor code; use a demo user without it", who)
	case r.Status != http.StatusSeeOther || p.cookie("guichet_session") == "":
		return nil, fmt.Errorf("log in as %s refused (%s): is the demo data loaded (guichet demo) and GUICHET_DEMO_PASSWORD right?%s",
			who, statusText(r.Status, r.Location), bodyHint(r.Body))
	}
	// The browser follows the login's 303 to the home page, which sends staff on to theirs.
	path := r.Location
	for range 5 {
		h, err := p.do(ctx, http.MethodGet, path, "", nil)
		if err != nil {
			return nil, fmt.Errorf("log in as %s: %w", who, err)
		}
		switch {
		case h.Status == http.StatusOK:
			return p, nil
		case h.Status == http.StatusSeeOther && h.Location != "/login":
			path = h.Location
		default:
			return nil, fmt.Errorf("log in as %s: GET %s: %s%s", who, path, statusText(h.Status, h.Location), bodyHint(h.Body))
		}
	}
	return nil, fmt.Errorf("log in as %s: too many redirects after the login", who)
}

// logout ends the persona's session with the logout form, as the button of every page does.
func (p *persona) logout(ctx context.Context) error {
	page, err := p.page(ctx, "/profile")
	if err != nil {
		return err
	}
	f, err := findForm(page, "/logout")
	if err != nil {
		return err
	}
	_, err = p.submitSeeOther(ctx, f)
	return err
}

// chooseScope makes tenant (its code) the customer's scope with the Périmètre form, as a
// customer of several tenants does, and returns its id.
func chooseScope(ctx context.Context, p *persona, tenant string) (int64, error) {
	page, err := p.page(ctx, "/")
	if err != nil {
		return 0, fmt.Errorf("%s's home page: %w", p.Login, err)
	}
	f, err := findForm(page, "/scope")
	if err != nil {
		return 0, fmt.Errorf("%s's home page (is %s a customer?): %w", p.Login, p.Login, err)
	}
	sel, ok := f.Field("tenant")
	if !ok {
		return 0, fmt.Errorf("%s's scope form has no tenant choice", p.Login)
	}
	var id string
	var codes []string
	for _, o := range sel.Options {
		code, _, _ := strings.Cut(o.Text, " ")
		codes = append(codes, code)
		if code == tenant {
			id = o.Value
		}
	}
	if id == "" {
		return 0, fmt.Errorf("%s is not a member of %s (their tenants: %s)", p.Login, tenant, strings.Join(codes, ", "))
	}
	f.Set("tenant", id)
	if _, err := p.submitSeeOther(ctx, f); err != nil {
		return 0, fmt.Errorf("choose %s as %s's scope: %w", tenant, p.Login, err)
	}
	var n int64
	if _, err := fmt.Sscan(id, &n); err != nil {
		return 0, fmt.Errorf("tenant id %q: %w", id, err)
	}
	return n, nil
}

// listRowRE reads a row of the customer's incident list: its number and title.
var listRowRE = regexp.MustCompile(`<td><a href="/incidents/(INC[0-9]+)">INC[0-9]+</a></td>\s*<td[^>]*>(?:<span[^>]*>)?([^<]*)(?:</span>)?</td>`)

// listedIncident is an incident of a list page.
type listedIncident struct{ Number, Title string }

func listedIncidents(page []byte) []listedIncident {
	var out []listedIncident
	for _, m := range listRowRE.FindAllSubmatch(page, -1) {
		out = append(out, listedIncident{string(m[1]), html.UnescapeString(string(m[2]))})
	}
	return out
}

// demoStatuses are where demoIncident looks, in turn: the tool's declarations stay new, and
// after a few runs fill the first pages of the unfiltered list.
var demoStatuses = []string{"in_progress", "pending_customer", "resolved", "closed"}

// demoIncident is an incident of the demo in the customer's list: the latest updated of the
// first of demoStatuses that has one.
func demoIncident(ctx context.Context, p *persona) (string, error) {
	for _, status := range demoStatuses {
		page, err := p.page(ctx, "/incidents?"+query("status", status))
		if err != nil {
			return "", err
		}
		for _, inc := range listedIncidents(page) {
			if !strings.HasPrefix(inc.Title, titlePrefix) {
				return inc.Number, nil
			}
		}
	}
	return "", fmt.Errorf("%s's incident list has no incident of the demo in progress, waiting, resolved or closed: load some with guichet demo --incidents N", p.Login)
}

// checkStatus makes sure the list's status filter offers status.
func checkStatus(ctx context.Context, p *persona, status string) error {
	page, err := p.page(ctx, "/incidents")
	if err != nil {
		return err
	}
	f, err := findForm(page, "/incidents")
	if err != nil {
		return err
	}
	sel, ok := f.Field("status")
	if !ok {
		return fmt.Errorf("the incident list's filter has no status")
	}
	var values []string
	for _, o := range sel.Options {
		if o.Value == status {
			return nil
		}
		if o.Value != "" {
			values = append(values, o.Value)
		}
	}
	return fmt.Errorf("-status %q: the list's filter offers %s", status, strings.Join(values, ", "))
}

// declareForm reads the "Report an incident" form and fills it as a customer would: a title,
// a description, the first service offered; region, impact and urgency stay as proposed. The
// customer's browser runs the form's script, which offers the help articles as the title is
// typed (suggested): Valider declares at once.
func declareForm(ctx context.Context, p *persona) (*form, error) {
	page, err := p.page(ctx, "/incidents/new")
	if err != nil {
		return nil, err
	}
	f, err := findForm(page, "/incidents")
	if err != nil {
		return nil, err
	}
	if f.Method != http.MethodPost {
		return nil, fmt.Errorf("the declaration form is not posted")
	}
	f.Set("title", titlePrefix+": instance web-prod-001 ne démarre plus")
	f.Set("description", "Depuis ce matin, l’instance reste en erreur après chaque redémarrage ; la console n’affiche rien.")
	f.Set("suggested", "1")
	if sel, ok := f.Field("service"); ok {
		for _, o := range sel.Options {
			if o.Value != "" {
				f.Set("service", o.Value)
				break
			}
		}
	}
	return f, nil
}

// declaredRE is where a declaration that worked leads.
var declaredRE = regexp.MustCompile(`^/incidents/(INC[0-9]+)/declared$`)

// declareOne declares an incident with f and a fresh one-time token; it returns its number.
func declareOne(ctx context.Context, p *persona, f *form, title string) (string, error) {
	g := f.Clone()
	g.Set(once.Field, once.NewToken())
	g.Set("title", title)
	loc, err := p.submitSeeOther(ctx, g)
	if err != nil {
		return "", err
	}
	m := declaredRE.FindStringSubmatch(loc)
	if m == nil {
		return "", fmt.Errorf("the declaration led to %s", loc)
	}
	return m[1], nil
}

// replyForm reads the reply form of the customer's incident number.
func replyForm(ctx context.Context, p *persona, number string) (*form, error) {
	page, err := p.page(ctx, "/incidents/"+number)
	if err != nil {
		return nil, err
	}
	f, err := findForm(page, "/incidents/"+number+"/reply")
	if err != nil {
		return nil, fmt.Errorf("incident %s: %w", number, err)
	}
	f.Set("body", "Toujours le même problème de notre côté, merci de nous tenir informés.")
	return f, nil
}

// tokenSecretRE reads the secret the token page shows once.
var tokenSecretRE = regexp.MustCompile(`<code id="token-secret">([^<]+)</code>`)

// makeToken makes a write API token named name with the profile page's form, lasting until
// tomorrow (UTC, as the desk counts).
func makeToken(ctx context.Context, p *persona, name string) (apiToken, error) {
	page, err := p.page(ctx, "/profile")
	if err != nil {
		return apiToken{}, err
	}
	f, err := findForm(page, "/profile/tokens")
	if err != nil {
		return apiToken{}, err
	}
	expires := time.Now().UTC().AddDate(0, 0, 1)
	if fl, ok := f.Field("expires"); ok {
		if first, err := time.Parse(time.DateOnly, fl.Attrs["min"]); err == nil {
			expires = first.AddDate(0, 0, 1)
		}
	}
	f.Set("name", name)
	f.Set("scope", "write")
	f.Set("expires", expires.Format(time.DateOnly))
	r, err := p.submit(ctx, f)
	if err != nil {
		return apiToken{}, err
	}
	m := tokenSecretRE.FindSubmatch(r.Body)
	if r.Status != http.StatusOK || m == nil {
		return apiToken{}, fmt.Errorf("make an API token: %s%s", statusText(r.Status, r.Location), bodyHint(r.Body))
	}
	return apiToken{Name: name, Secret: html.UnescapeString(string(m[1]))}, nil
}

// revokeTokens revokes the named tokens with their revoke forms on the profile page.
func revokeTokens(ctx context.Context, p *persona, names []string) error {
	for _, name := range names {
		page, err := p.page(ctx, "/profile")
		if err != nil {
			return err
		}
		re := regexp.MustCompile(`(?s)<td[^>]*>` + regexp.QuoteMeta(html.EscapeString(name)) + `</td>.*?<form method="post" action="(/profile/tokens/[0-9]+/revoke)"`)
		m := re.FindSubmatch(page)
		if m == nil {
			return fmt.Errorf("token %q: no revoke form on the profile page", name)
		}
		f, err := findForm(page, string(m[1]))
		if err != nil {
			return err
		}
		if _, err := p.submitSeeOther(ctx, f); err != nil {
			return fmt.Errorf("revoke token %q: %w", name, err)
		}
	}
	return nil
}

// prepare logs the personas in and reads what the scenarios need. The customer's scope becomes
// cfg.Tenant, an incident is declared for the replies, and API tokens are made. Whatever it
// returns, even with an error, finish undoes: the tokens are revoked, the sessions ended.
func prepare(ctx context.Context, base *url.URL, cfg *Config, stamp string) (*desk, error) {
	d := &desk{base: base}
	var err error
	if d.customer, err = login(ctx, base, cfg.Customer, cfg.Password, "fr"); err != nil {
		return d, err
	}
	if d.agent, err = login(ctx, base, cfg.Agent, cfg.Password, "en"); err != nil {
		return d, err
	}
	if _, err := d.agent.page(ctx, "/staff/incidents"); err != nil {
		return d, fmt.Errorf("%s's queue: %w", cfg.Agent, err)
	}
	if d.TenantID, err = chooseScope(ctx, d.customer, cfg.Tenant); err != nil {
		return d, err
	}
	if err := checkStatus(ctx, d.customer, cfg.Status); err != nil {
		return d, err
	}
	if d.Incident, err = demoIncident(ctx, d.customer); err != nil {
		return d, err
	}
	if d.declare, err = declareForm(ctx, d.customer); err != nil {
		return d, fmt.Errorf("declaration form: %w", err)
	}
	if _, ok := d.declare.Field(once.Field); !ok {
		return d, fmt.Errorf("the declaration form carries no one-time token (%s)", once.Field)
	}
	if d.ReplyTo, err = declareOne(ctx, d.customer, d.declare, titlePrefix+": replies of the run "+stamp); err != nil {
		return d, fmt.Errorf("declare the incident replied to: %w", err)
	}
	if d.reply, err = replyForm(ctx, d.customer, d.ReplyTo); err != nil {
		return d, err
	}
	for i := range apiTokens {
		t, err := makeToken(ctx, d.customer, fmt.Sprintf("%s %s #%d", titlePrefix, stamp, i+1))
		if err != nil {
			return d, err
		}
		d.tokens = append(d.tokens, t)
	}
	return d, nil
}

// finish revokes the run's API tokens and logs the personas out.
func (d *desk) finish(ctx context.Context) error {
	var errs []string
	if d.customer != nil {
		var names []string
		for _, t := range d.tokens {
			names = append(names, t.Name)
		}
		if err := revokeTokens(ctx, d.customer, names); err != nil {
			errs = append(errs, err.Error())
		}
	}
	for _, p := range []*persona{d.customer, d.agent} {
		if p == nil {
			continue
		}
		if err := p.logout(ctx); err != nil {
			errs = append(errs, fmt.Sprintf("log %s out: %v", p.Login, err))
		}
		p.client.CloseIdleConnections()
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}
