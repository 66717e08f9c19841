package load

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/guichet/guichet/internal/calendar"

	"github.com/guichet/guichet/internal/once"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Kind says which ceiling a scenario is compared with.
type Kind string

const (
	Read  Kind = "read"  // compared with the plain 50-row select rendered by a bare route
	Write Kind = "write" // compared with the plain single-row insert
)

// scenario is one kind of request, sent over and over by the workers.
type scenario struct {
	Name string
	Kind Kind
	// target builds the targeter once set-up has read the desk.
	target func(d *desk, cfg *Config) vegeta.Targeter
	// check says why an answer is not what a browser or client expects ("" when it is).
	check func(r *vegeta.Result, d *desk) string
}

// scenarios are the desk's, in the order they run: reads first, then writes (which add
// incidents and replies the reads would otherwise see).
var scenarios = []scenario{
	{"customer-list", Read, customerGet(func(*desk, *Config) string { return "/incidents" }), wantOK},
	{"filtered-list", Read, customerGet(func(_ *desk, c *Config) string { return "/incidents?" + query("status", c.Status) }), wantOK},
	{"agent-queue", Read, agentGet(func(*desk, *Config) string { return "/staff/incidents" }), wantOK},
	{"search-customer-common", Read, customerGet(func(_ *desk, c *Config) string { return "/incidents?" + query("q", c.Common) }), wantOK},
	{"search-agent-common", Read, agentGet(func(_ *desk, c *Config) string { return "/staff/incidents?" + query("q", c.Common) }), wantOK},
	{"search-rare", Read, agentGet(func(d *desk, c *Config) string { return "/staff/incidents?" + query("q", c.rare(d)) }), wantOK},
	{"incident-page", Read, customerGet(func(d *desk, _ *Config) string { return "/incidents/" + d.Incident }), wantOK},
	{"api-list", Read, apiGet(func(_ *desk, c *Config) string { return "/api/v1/incidents?" + query("tenant", c.Tenant) }), wantJSON},
	{"api-get", Read, apiGet(func(d *desk, _ *Config) string { return "/api/v1/incidents/" + d.Incident }), wantJSON},
	{"dashboard", Read, agentGet(func(*desk, *Config) string { return "/staff/reports" }), wantOK},
	{"dashboard-quarter", Read, agentGet(func(*desk, *Config) string { return "/staff/reports?period=quarter" }), wantOK},
	{"dashboard-year", Read, agentGet(func(*desk, *Config) string { return "/staff/reports?" + lastYear() }), wantOK},
	{"customer-report", Read, customerGet(func(*desk, *Config) string { return "/reports" }), wantOK},
	// The help articles the declaration form suggests as a title is typed, and the help search.
	{"help-suggest", Read, customerGet(func(*desk, *Config) string {
		return "/help/suggest?for=incident&" + query("q", "Impossible de me connecter, mot de passe oublié")
	}), wantOK},
	{"help-search", Read, customerGet(func(*desk, *Config) string { return "/help?" + query("q", "quota instances") }), wantOK},
	{"declare", Write, declareTarget, wantDeclared},
	{"reply", Write, replyTarget, wantReplied},
}

// ScenarioNames lists the scenarios in the order they run.
func ScenarioNames() []string {
	names := make([]string, len(scenarios))
	for i, s := range scenarios {
		names[i] = s.Name
	}
	return names
}

func query(k, v string) string { return url.Values{k: {v}}.Encode() }

// lastYear is the dashboard's longest period: the 366 days up to today in Paris.
func lastYear() string {
	today := calendar.ParisDate(time.Now())
	return url.Values{"period": {"custom"}, "from": {today.AddDays(-365).String()}, "to": {today.String()}}.Encode()
}

// rare is the rare word searched: -rare, else the number of the customer's demo incident
// (one incident holds it, and every demo database has one).
func (c *Config) rare(d *desk) string {
	if c.Rare != "" {
		return c.Rare
	}
	return d.Incident
}

// browserGet is a GET of path by persona p's browser: its cookies and headers.
func browserGet(p func(*desk) *persona, path func(*desk, *Config) string) func(*desk, *Config) vegeta.Targeter {
	return func(d *desk, cfg *Config) vegeta.Targeter {
		who := p(d)
		h := http.Header{}
		who.headers(h)
		h.Set("Cookie", who.cookieHeader())
		t := vegeta.Target{Method: http.MethodGet, URL: d.base.String() + path(d, cfg), Header: h}
		return vegeta.NewStaticTargeter(t)
	}
}

func customerGet(path func(*desk, *Config) string) func(*desk, *Config) vegeta.Targeter {
	return browserGet(func(d *desk) *persona { return d.customer }, path)
}

func agentGet(path func(*desk, *Config) string) func(*desk, *Config) vegeta.Targeter {
	return browserGet(func(d *desk) *persona { return d.agent }, path)
}

// apiGet is a GET of path with the customer's API tokens, taken in turn.
func apiGet(path func(*desk, *Config) string) func(*desk, *Config) vegeta.Targeter {
	return func(d *desk, cfg *Config) vegeta.Targeter {
		var ts []vegeta.Target
		for _, tok := range d.tokens {
			h := http.Header{}
			h.Set("User-Agent", userAgent)
			h.Set("Accept", "application/json")
			h.Set("Authorization", "Bearer "+tok.Secret)
			ts = append(ts, vegeta.Target{Method: http.MethodGet, URL: d.base.String() + path(d, cfg), Header: h})
		}
		return vegeta.NewStaticTargeter(ts...)
	}
}

// formTarget posts form f as the persona's browser, each time with the values edit sets.
func formTarget(p *persona, base string, f *form, edit func(g *form, n int64)) vegeta.Targeter {
	h := http.Header{}
	p.headers(h)
	cookie := p.cookieHeader()
	var n atomic.Int64
	return func(t *vegeta.Target) error {
		g := f.Clone()
		edit(g, n.Add(1))
		body, ct, err := g.Encode()
		if err != nil {
			return err
		}
		hh := h.Clone()
		hh.Set("Cookie", cookie)
		hh.Set("Content-Type", ct)
		*t = vegeta.Target{Method: http.MethodPost, URL: base + g.Action, Body: body, Header: hh}
		return nil
	}
}

// declareTarget posts the declaration form, each time a new declaration: a fresh one-time
// token, as the page gives each form it shows.
func declareTarget(d *desk, _ *Config) vegeta.Targeter {
	return formTarget(d.customer, d.base.String(), d.declare, func(g *form, n int64) {
		g.Set(once.Field, once.NewToken())
		g.Set("title", fmt.Sprintf("%s: instance web-prod-%03d ne démarre plus", titlePrefix, n%1000))
	})
}

// replyTarget posts a public reply on the incident set-up declared.
func replyTarget(d *desk, _ *Config) vegeta.Targeter {
	return formTarget(d.customer, d.base.String(), d.reply, func(g *form, n int64) {
		g.Set("body", "Réponse n° "+strconv.FormatInt(n, 10)+" : toujours le même problème de notre côté.")
	})
}

// wantOK wants the page: a 200 (a 303 to the login page is a failure, not a success).
func wantOK(r *vegeta.Result, _ *desk) string {
	if r.Code != http.StatusOK {
		return unexpected(r)
	}
	return ""
}

// wantJSON wants a 200 of JSON.
func wantJSON(r *vegeta.Result, d *desk) string {
	if s := wantOK(r, d); s != "" {
		return s
	}
	if ct := r.Headers.Get("Content-Type"); ct != "application/json" && !startsWith(ct, "application/json;") {
		return "200 with Content-Type " + ct
	}
	return ""
}

// wantDeclared wants the 303 to the new incident's confirmation.
func wantDeclared(r *vegeta.Result, _ *desk) string {
	if r.Code != http.StatusSeeOther || !declaredRE.MatchString(r.Headers.Get("Location")) {
		return unexpected(r)
	}
	return ""
}

// wantReplied wants the 303 back to the incident replied to.
func wantReplied(r *vegeta.Result, d *desk) string {
	if r.Code != http.StatusSeeOther || r.Headers.Get("Location") != "/incidents/"+d.ReplyTo {
		return unexpected(r)
	}
	return ""
}

// unexpected names an answer that is not the one wanted.
func unexpected(r *vegeta.Result) string {
	if r.Code == 0 {
		return r.Error // the request failed: no answer
	}
	s := fmt.Sprintf("%d %s", r.Code, http.StatusText(int(r.Code)))
	if loc := r.Headers.Get("Location"); loc != "" {
		s += " → " + loc
	}
	return s
}

func startsWith(s, prefix string) bool { return len(s) >= len(prefix) && s[:len(prefix)] == prefix }
