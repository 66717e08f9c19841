package web_test

// What the page crawl (crawl_test.go) and the accessibility test (browser_a11y_test.go) share:
// a desk with something on every page, the demo personas, the rules that turn the links of a
// page into the pages to visit, and the failure list both print whole.

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/major"
	"github.com/guichet/guichet/internal/tenancy"
)

// crawlLimit bounds the pages one persona's crawl visits (per language for the page crawl).
const crawlLimit = 80

// crawlPersonas are the demo users, every kind of them: the customers, the agent, the sales rep
// and the administrator.
func crawlPersonas() []demo.User { return slices.Clone(demo.Users) }

// seedCrawlDesk gives the demo desk of a something to show on each kind of page: generated
// incidents in every state (with French and English text, as customers write), an incident
// declared by each customer and worked by the agent (public reply and internal note), change
// requests pending approval, approved by the sales rep and pre-approved, and a pending contract
// request.
func seedCrawlDesk(t *testing.T, a *app.App) {
	t.Helper()
	ctx := context.Background()
	if err := demo.Incidents(ctx, a.DB, a.Tenancy, a.SLA, 40, time.Now(), nil); err != nil {
		t.Fatalf("generate incidents: %v", err)
	}
	user := func(login string) tenancy.Actor {
		u, err := identity.UserByLogin(ctx, a.DB, login)
		if err != nil {
			t.Fatalf("user %s: %v", login, err)
		}
		return tenancy.ActorOf(u)
	}
	tenant := func(code string) *tenancy.Tenant {
		tn, err := tenancy.TenantByCode(ctx, a.DB, code)
		if err != nil {
			t.Fatalf("tenant %s: %v", code, err)
		}
		return tn
	}
	alice := user("Alice.Agent")
	for _, x := range []struct{ login, code, title, description string }{
		{"Marie.Dupont", "OCB0000001", "Serveur web injoignable", "Depuis ce matin, le site ne répond plus sur le port 443."},
		{"John.Doe", "OCB0000001", "Backups failing", "The nightly backup of our database fails since Monday."},
		{"Paul.Martin", "OCB0000004", "Facture incohérente", "La facture du mois compte deux fois le même volume."},
	} {
		inc, err := a.Incidents.Declare(ctx, user(x.login), tenant(x.code).ID, incident.Draft{Title: x.title, Description: x.description,
			Service: "ecs", Region: "eu-west-0", Impact: "medium", Urgency: "medium"})
		if err != nil {
			t.Fatalf("%s declares on %s: %v", x.login, x.code, err)
		}
		if x.login != "Marie.Dupont" {
			continue
		}
		// An outage on OCB0000001, her incident linked, with an update: the banners, the
		// status pages and the staff's pages of major incidents.
		m, err := a.Majors.Open(ctx, alice, major.Draft{TitleFR: "Panne du calcul à Paris", TitleEN: "Compute outage in Paris",
			DescriptionFR: "Des instances ECS de Paris ne démarrent plus.", DescriptionEN: "Some ECS instances in Paris do not start.",
			Services: []string{"ecs"}, Regions: []string{"eu-west-0"}, Tenants: "OCB0000001"})
		if err != nil {
			t.Fatalf("open a major incident: %v", err)
		}
		if _, err := a.Majors.Link(ctx, alice, m.ID, "numbers", []int64{inc.ID}); err != nil {
			t.Fatalf("link %d: %v", inc.ID, err)
		}
		if _, err := a.Majors.Post(ctx, alice, m.ID, major.UpdateDraft{State: "identified", BodyFR: "Un hyperviseur est en cause.",
			BodyEN: "A hypervisor is at fault."}); err != nil {
			t.Fatalf("post an update: %v", err)
		}
		inc, err = a.Incidents.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Take, Version: inc.Version})
		if err != nil {
			t.Fatalf("Alice takes %d: %v", inc.ID, err)
		}
		for _, internal := range []bool{false, true} {
			if _, err := a.Incidents.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Reply, Internal: internal,
				Body: "Nous regardons les journaux du répartiteur."}); err != nil {
				t.Fatalf("Alice replies on %d: %v", inc.ID, err)
			}
		}
	}
	sophie := user("Sophie.Commerciale")
	for i, code := range []string{"OCB0000001", "OCB0000001", "OCB0000004"} {
		tn := tenant(code)
		ref, err := identity.UserByID(ctx, a.DB, tn.ReferentID)
		if err != nil {
			t.Fatal(err)
		}
		requested := "45" // more than twice the current quota: a sales rep decides
		if i == 2 {
			requested = "15" // approved at once
		}
		r, err := a.Changes.Submit(ctx, tenancy.ActorOf(ref), tn.ID, "ecs_instances", map[string]string{
			"region": "eu-west-0", "current": "10", "requested": requested, "justification": "Montée en charge"})
		if err != nil {
			t.Fatalf("submit a change on %s: %v", code, err)
		}
		if i == 0 {
			if _, err := a.Changes.Act(ctx, sophie, r.ID, change.StepInput{Action: change.Approve, Version: r.Version}); err != nil {
				t.Fatalf("approve change %d: %v", r.ID, err)
			}
		}
	}
	t2 := tenant("OCB0000002")
	r := &contract.Request{TenantID: t2.ID, Kind: contract.MultiTenantBill, RequesterID: t2.ReferentID}
	if err := contract.InsertRequest(ctx, a.DB, r, time.Now()); err != nil {
		t.Fatalf("contract request: %v", err)
	}
}

var (
	// ticketNumber is a ticket's number as paths carry it (INC0000001, CHG0000002…).
	ticketNumber = regexp.MustCompile(`^[A-Z]{2,5}[0-9]{4,}$`)
	allDigits    = regexp.MustCompile(`^[0-9]+$`)
)

// routePattern is what pages of one route share: numbers and ticket numbers in the path become
// {n}, the query keeps its parameter names only. The crawl visits one page per pattern.
func routePattern(u *url.URL) string {
	segs := strings.Split(u.Path, "/")
	for i, s := range segs {
		if allDigits.MatchString(s) || ticketNumber.MatchString(s) {
			segs[i] = "{n}"
		}
	}
	p := strings.Join(segs, "/")
	if q := u.Query(); len(q) > 0 {
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		p += "?" + strings.Join(keys, "&")
	}
	return p
}

// crawlable resolves link, found on page base, and says whether the crawl follows it: a
// same-origin page, not a download (attachments, mails' originals, raw messages, exports), not
// a message shown as it was written (a mail's HTML, in its recipient's language), not a static
// file, and not an action (log out, language: /lang, or a page's ?lang= switch).
func crawlable(base *url.URL, link string) (*url.URL, bool) {
	link = strings.TrimSpace(link)
	if link == "" || strings.HasPrefix(link, "#") {
		return nil, false
	}
	u, err := base.Parse(link)
	if err != nil || u.Scheme != base.Scheme || u.Host != base.Host {
		return nil, false
	}
	u.Fragment, u.RawFragment = "", ""
	p := u.Path
	for _, prefix := range []string{"/static/", "/attachments/", "/staff/original/", "/logout", "/lang", "/login", "/password/", "/invitation/"} {
		if strings.HasPrefix(p, prefix) {
			return nil, false
		}
	}
	if strings.HasSuffix(p, ".csv") || strings.Contains(p, "/export") || strings.HasSuffix(p, "/raw") || strings.HasSuffix(p, "/html") {
		return nil, false
	}
	if u.Query().Has("lang") {
		return nil, false
	}
	return u, true
}

// crawlQueue is a breadth-first queue of pages, one per route pattern, at most crawlLimit.
type crawlQueue struct {
	seen  map[string]bool
	queue []*url.URL
	taken int
}

func newCrawlQueue(start ...*url.URL) *crawlQueue {
	q := &crawlQueue{seen: map[string]bool{}}
	for _, u := range start {
		q.add(u)
	}
	return q
}

// add queues u unless a page of its pattern was queued already.
func (q *crawlQueue) add(u *url.URL) {
	if p := routePattern(u); !q.seen[p] {
		q.seen[p] = true
		q.queue = append(q.queue, u)
	}
}

// see records the pattern of a page reached by a redirect, so that it is not visited again.
func (q *crawlQueue) see(u *url.URL) { q.seen[routePattern(u)] = true }

// next is the next page to visit, or nil once the queue is empty or the limit reached.
func (q *crawlQueue) next() *url.URL {
	if len(q.queue) == 0 || q.taken >= crawlLimit {
		return nil
	}
	u := q.queue[0]
	q.queue = q.queue[1:]
	q.taken++
	return u
}

// pageFailure is one thing wrong on one page, as both tests print it.
type pageFailure struct {
	Check   string // what failed: an axe rule id, "width", "raw key", "wrong language", "status"
	Pattern string // the page's route pattern
	Who     string // persona, language, width
	Page    string // the page's address
	Detail  string
}

// failureList collects failures, once each, and prints them all, grouped by check and page.
// Several goroutines may add to it.
type failureList struct {
	mu sync.Mutex
	fs map[pageFailure]bool
}

func (l *failureList) add(f pageFailure) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fs == nil {
		l.fs = map[pageFailure]bool{}
	}
	l.fs[f] = true
}

// report prints every failure, sorted by check, page pattern, persona and detail.
func (l *failureList) report(t *testing.T, what string) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fs) == 0 {
		return
	}
	fs := make([]pageFailure, 0, len(l.fs))
	for f := range l.fs {
		fs = append(fs, f)
	}
	sort.Slice(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Check != b.Check {
			return a.Check < b.Check
		}
		if a.Pattern != b.Pattern {
			return a.Pattern < b.Pattern
		}
		if a.Who != b.Who {
			return a.Who < b.Who
		}
		return a.Detail < b.Detail
	})
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d failures\n", what, len(fs))
	check, pattern := "", ""
	for _, f := range fs {
		if f.Check != check {
			check, pattern = f.Check, ""
			fmt.Fprintf(&b, "\n== %s\n", f.Check)
		}
		if f.Pattern != pattern {
			pattern = f.Pattern
			fmt.Fprintf(&b, "  %s\n", f.Pattern)
		}
		fmt.Fprintf(&b, "    [%s] %s: %s\n", f.Who, f.Page, f.Detail)
	}
	t.Error(b.String())
}

// clip shortens s to n runes for a failure's detail.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
