package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	gdb "github.com/guichet/guichet/internal/db"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/cloud"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/report"
	"github.com/guichet/guichet/internal/sla"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// PerTenant is about how many generated incidents a tenant receives: beyond it, Incidents
// creates extra tenants, as a large provider's desk has many customers.
const PerTenant = 20000

// genBatch is how many incidents one transaction writes.
const genBatch = 2000

// Incidents adds n incidents with realistic text and timelines (declaration, work, replies,
// resolution and closure) across the demo tenants and, when n is large, generated tenants. Most
// are closed, a few are still open, as on a real desk. progress is told after each batch.
func Incidents(ctx context.Context, db *bun.DB, ten *tenancy.Service, policy *sla.Policy, n int, now time.Time, progress func(done int)) error {
	ts, err := genTenants(ctx, db, ten, n, now)
	if err != nil {
		return err
	}
	agents, err := incident.Agents(ctx, db)
	if err != nil || len(agents) == 0 {
		return errors.Join(err, errors.New("demo: no agent to assign incidents to"))
	}
	var next struct{ inc, entry int64 }
	if err := db.NewRaw("SELECT COALESCE(MAX(id), 0) FROM incidents").Scan(ctx, &next.inc); err != nil {
		return err
	}
	if err := db.NewRaw("SELECT COALESCE(MAX(id), 0) FROM timeline_entries").Scan(ctx, &next.entry); err != nil {
		return err
	}
	g := &generator{r: rand.New(rand.NewPCG(uint64(next.inc), 42)), policy: policy, now: now.UTC(), tenants: ts, agents: agents,
		nextInc: next.inc, nextEntry: next.entry, total: n}
	for done := 0; done < n; {
		size := min(genBatch, n-done)
		b := g.batch(done, size)
		if err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error { return b.write(ctx, tx) }); err != nil {
			return err
		}
		done += size
		if progress != nil {
			progress(done)
		}
	}
	return gdb.Analyze(ctx, db)
}

// genTenant is a tenant incidents are generated on, with who reports them.
type genTenant struct {
	id        int64
	code      string
	level     sla.Level
	reporters []int64
}

// genTenants returns the demo tenants and as many generated ones as n calls for.
func genTenants(ctx context.Context, db *bun.DB, ten *tenancy.Service, n int, now time.Time) ([]genTenant, error) {
	var out []genTenant
	add := func(code string, reporters ...string) error {
		t, err := tenancy.TenantByCode(ctx, db, code)
		if err != nil {
			return err
		}
		levels, err := contract.CurrentLevels(ctx, db, []int64{t.ID}, calendar.ParisDate(now))
		if err != nil {
			return err
		}
		gt := genTenant{id: t.ID, code: code, level: sla.Level(levels[t.ID])}
		for _, login := range reporters {
			u, err := identity.UserByLogin(ctx, db, login)
			if err != nil {
				return err
			}
			gt.reporters = append(gt.reporters, u.ID)
		}
		out = append(out, gt)
		return nil
	}
	for _, c := range []struct{ code, who string }{{"OCB0000001", "Marie.Dupont John.Doe"}, {"OCB0000002", "Marie.Dupont"},
		{"OCB0000003", "Marie.Dupont"}, {"OCB0000004", "Paul.Martin"}} {
		if err := add(c.code, strings.Fields(c.who)...); err != nil {
			return nil, err
		}
	}
	levels := contract.Levels()
	for i := 1; len(out)*PerTenant < n; i++ {
		code, login := fmt.Sprintf("OCB1%06d", i), fmt.Sprintf("client.%06d", i)
		if _, err := tenancy.TenantByCode(ctx, db, code); errors.Is(err, apperr.ErrNotFound) {
			u := &identity.User{Login: login, Email: login + "@example.net", DisplayName: fmt.Sprintf("Client %06d", i),
				Lang: []string{"fr", "en"}[i%2], Kind: identity.Customer, Active: true}
			if err := identity.InsertUser(ctx, db, u); err != nil {
				return nil, err
			}
			from := calendar.ParisDate(now).AddMonths(-(i % 12)).String()[:8] + "01"
			if _, err := contract.Onboard(ctx, db, ten, tenancy.System, contract.NewTenant{Code: code,
				Name: fmt.Sprintf("Client %06d — Production", i), ReferentLogin: login, OwnerLogin: login,
				SalesRepLogin: "Sophie.Commerciale", Level: string(levels[i%len(levels)]), EffectiveFrom: from}); err != nil {
				return nil, err
			}
		} else if err != nil {
			return nil, err
		}
		if err := add(code, login); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// generator makes incidents, oldest first, spread over the two years before now.
type generator struct {
	r                  *rand.Rand
	policy             *sla.Policy
	now                time.Time
	tenants            []genTenant
	agents             []identity.User
	nextInc, nextEntry int64
	total              int
}

// genRows is one batch, ready to insert.
type genRows struct {
	incidents []incident.Incident
	facts     []report.Fact
	entries   []timeline.Entry
	docs      []timeline.Doc
}

func (g *generator) batch(from, size int) *genRows {
	b := &genRows{}
	span := 730 * 24 * time.Hour
	for k := range size {
		i := from + k
		// Declarations come evenly over two years; the last few hundred are recent and open.
		created := g.now.Add(-span + time.Duration(float64(span)*float64(i)/float64(g.total))).Add(-time.Duration(g.r.IntN(3600)) * time.Second)
		g.incident(b, created)
	}
	return b
}

func (g *generator) incident(b *genRows, created time.Time) {
	g.nextInc++
	t := g.tenants[g.r.IntN(len(g.tenants))]
	svc := cloud.Services()[g.r.IntN(len(cloud.Services()))].Code
	impact, urgency := incident.Levels[g.r.IntN(3)], incident.Levels[g.r.IntN(3)]
	title, desc := g.text(svc)
	inc := incident.Incident{ID: g.nextInc, TenantID: t.id, ReporterID: t.reporters[g.r.IntN(len(t.reporters))],
		Title: title, Description: desc, Service: svc, Region: cloud.Regions()[g.r.IntN(3)].Code,
		Impact: impact, Urgency: urgency, Priority: incident.PriorityFor(impact, urgency), Status: incident.New,
		Level: t.level, Version: 1, CreatedAt: created, UpdatedAt: created}
	if inc.Level == "" {
		inc.Level = sla.Basic
	}
	var es []timeline.Entry
	at := created
	add := func(kind timeline.Kind, actor *int64, event, from, to, body string, vt timeline.ValueType) {
		g.nextEntry++
		es = append(es, timeline.Entry{ID: g.nextEntry, SubjectKind: incident.SubjectKind, SubjectID: inc.ID, Kind: kind,
			Event: event, ValueType: vt, From: from, To: to, Body: body, ActorID: actor, CreatedAt: at, TenantID: inc.TenantID})
	}
	status := func(actor *int64, to incident.Status, body string) {
		add(timeline.Event, actor, incident.EventStatus, incident.StatusKey(inc.Status), incident.StatusKey(to), body, timeline.Key)
		inc.Status, inc.Version = to, inc.Version+1
	}
	reporter := &inc.ReporterID
	add(timeline.Event, reporter, incident.EventCreated, "", string(inc.Priority), "", timeline.Text)
	b.docs = append(b.docs, incident.SearchDoc(&inc, g.nextEntry))
	age := g.now.Sub(created)
	fate := g.r.IntN(100)
	switch {
	case fate < 2 && age > time.Hour:
		at = at.Add(time.Duration(5+g.r.IntN(30)) * time.Minute)
		status(reporter, incident.Cancelled, "")
	case age < 20*time.Minute || (age < 48*time.Hour && fate < 30):
		// still new
	default:
		agent := g.agents[g.r.IntN(len(g.agents))]
		inc.AssigneeID = &agent.ID
		at = at.Add(time.Duration(3+g.r.IntN(90)) * time.Minute)
		add(timeline.Event, &agent.ID, incident.EventAssigned, "", agent.DisplayName, "", timeline.Text)
		status(&agent.ID, incident.InProgress, "")
		at = at.Add(time.Duration(1+g.r.IntN(30)) * time.Minute)
		add(timeline.Reply, &agent.ID, "", "", "", staffReplies[g.r.IntN(len(staffReplies))], "")
		if g.r.IntN(3) == 0 {
			add(timeline.Note, &agent.ID, "", "", "", notes[g.r.IntN(len(notes))]+" "+g.host(), "")
		}
		if g.r.IntN(4) == 0 {
			at = at.Add(time.Duration(10+g.r.IntN(120)) * time.Minute)
			status(&agent.ID, incident.PendingCustomer, "")
			at = at.Add(time.Duration(30+g.r.IntN(600)) * time.Minute)
			add(timeline.Reply, reporter, "", "", "", customerReplies[g.r.IntN(len(customerReplies))], "")
			status(reporter, incident.InProgress, "")
		}
		resolveAt := at.Add(time.Duration(30+g.r.IntN(72*60)) * time.Minute)
		if age > 3*24*time.Hour && resolveAt.Before(g.now) {
			at = resolveAt
			status(&agent.ID, incident.Resolved, resolutions[g.r.IntN(len(resolutions))])
			r := at
			inc.ResolvedAt = &r
			if closeAt := at.Add(incident.ReopenWindow); closeAt.Before(g.now) {
				at = closeAt
				status(nil, incident.Closed, "")
			}
		}
	}
	inc.UpdatedAt = at
	ev, err := g.policy.Evaluate(inc.Level, incident.SLATimeline(&inc, es), g.now)
	if err == nil {
		// Breaches of old incidents count as told: the demo does not mail about the past.
		inc.FRBreachNotified, inc.ResBreachNotified = ev.FirstResponse.State == sla.Breached, ev.Resolution.State == sla.Breached
		inc.Derive(ev)
		b.facts = append(b.facts, report.FactOf(&inc, ev))
	}
	b.incidents = append(b.incidents, inc)
	b.entries = append(b.entries, es...)
}

// write inserts a batch and its search index rows: the rows Record and Declare would write,
// through timeline.Index, which writes them in the order they were written.
func (b *genRows) write(ctx context.Context, tx bun.Tx) error {
	if _, err := tx.NewInsert().Model(&b.incidents).Exec(ctx); err != nil {
		return err
	}
	if _, err := tx.NewInsert().Model(&b.entries).Exec(ctx); err != nil {
		return err
	}
	for i := range b.entries {
		if d, ok := timeline.EntryDoc(&b.entries[i]); ok {
			b.docs = append(b.docs, d)
		}
	}
	if err := timeline.Index(ctx, tx, b.docs...); err != nil {
		return err
	}
	// Their report rows, computed from what was generated, as the report job would.
	if err := report.Write(ctx, tx, b.facts); err != nil {
		return err
	}
	// The rows carry their ids: PostgreSQL's sequences must move past them, or the next
	// incident declared would take an id already used.
	return gdb.ResetSequences(ctx, tx, "incidents", "timeline_entries")
}
