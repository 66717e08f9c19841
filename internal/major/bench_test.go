package major_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/major"
	"github.com/guichet/guichet/internal/sla"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// seedChunk is how many rows one statement of the seeding writes.
const seedChunk = 1000

// seedIncidents writes n open incidents on ECS in eu-west-0, declared at now, each by a
// reporter of its own (the worst case for the mail: one message per incident), spread over the
// demo's four tenants and both languages, with their creation event and search index row, as
// Declare writes them, a chunk per transaction.
func seedIncidents(b *testing.B, a *app.App, n int, now time.Time) {
	b.Helper()
	ctx := context.Background()
	var tenants []int64
	for _, code := range []string{t1, t2, t3, t4} {
		tn, err := tenancy.TenantByCode(ctx, a.DB, code)
		if err != nil {
			b.Fatal(err)
		}
		tenants = append(tenants, tn.ID)
	}
	var first int64
	if err := a.DB.NewRaw("SELECT COALESCE(MAX(id), 0) FROM users").Scan(ctx, &first); err != nil {
		b.Fatal(err)
	}
	for done := 0; done < n; done += seedChunk {
		size := min(seedChunk, n-done)
		err := a.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			users := make([]identity.User, size)
			for i := range users {
				login := fmt.Sprintf("bench.%d.%06d", first, done+i)
				users[i] = identity.User{Login: login, LoginKey: identity.LoginKey(login), Email: login + "@example.net",
					DisplayName: "Client " + strconv.Itoa(done+i), Lang: []string{"fr", "en"}[i%2], Kind: identity.Customer,
					Active: true, CreatedAt: now, UpdatedAt: now}
			}
			if _, err := tx.NewInsert().Model(&users).Exec(ctx); err != nil {
				return err
			}
			ms := make([]tenancy.Membership, size)
			incs := make([]incident.Incident, size)
			for i, u := range users {
				tenant := tenants[(done+i)%len(tenants)]
				ms[i] = tenancy.Membership{TenantID: tenant, UserID: u.ID, Rights: tenancy.Rights{Incidents: true}, CreatedAt: now}
				incs[i] = incident.Incident{TenantID: tenant, ReporterID: u.ID, Title: "Volumes inaccessibles",
					Description: "Nos volumes EVS ne répondent plus depuis ce matin.", Service: "ecs", Region: "eu-west-0",
					Impact: incident.High, Urgency: incident.Medium, Priority: sla.P2, Status: incident.New, Level: sla.Business,
					Version: 1, CreatedAt: now, UpdatedAt: now}
				ev, err := a.SLA.Evaluate(sla.Business, sla.Timeline{{At: now, Kind: sla.Created, Priority: sla.P2}}, now)
				if err != nil {
					return err
				}
				incs[i].Derive(ev)
			}
			if _, err := tx.NewInsert().Model(&ms).Exec(ctx); err != nil {
				return err
			}
			if _, err := tx.NewInsert().Model(&incs).Exec(ctx); err != nil {
				return err
			}
			es := make([]*timeline.Entry, size)
			for i := range incs {
				reporter := tenancy.Actor{Actor: identity.Actor{UserID: incs[i].ReporterID, Kind: identity.Customer}}
				es[i] = timeline.NewEvent(incs[i].Subject(), reporter, now, incident.EventCreated, timeline.Text, "", string(sla.P2))
			}
			if err := timeline.RecordAll(ctx, tx, es); err != nil {
				return err
			}
			docs := make([]timeline.Doc, size)
			for i := range incs {
				docs[i] = incident.SearchDoc(&incs[i], es[i].ID)
			}
			return timeline.Index(ctx, tx, docs...)
		})
		if err != nil {
			b.Fatalf("seed incidents %d–%d: %v", done, done+size, err)
		}
	}
}

// BenchmarkLinkAndResolve links n open incidents to a major incident (LinkMatching) and
// resolves it (Post, whose fan-out resolves each of them, writes their timeline entries and
// mails each reporter in their language): the two actions of an agent on a large outage.
// Run it once per size: -benchtime=1x.
func BenchmarkLinkAndResolve(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			a := testutil.NewApp(b)
			ctx := context.Background()
			alice, err := identity.UserByLogin(ctx, a.DB, "Alice.Agent")
			if err != nil {
				b.Fatal(err)
			}
			agent := tenancy.ActorOf(alice)
			var link, resolve time.Duration
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				now := time.Now().UTC()
				seedIncidents(b, a, n, now)
				m, err := a.Majors.Open(ctx, agent, majorDraft())
				if err != nil {
					b.Fatal(err)
				}
				mails := testutil.Count(b, a.DB, "outbox", "kind = ?", "major_resolved")
				b.StartTimer()

				start := time.Now()
				linked, err := a.Majors.LinkMatching(ctx, agent, m.ID)
				if err != nil || linked != n {
					b.Fatalf("linked %d, %v; want %d", linked, err, n)
				}
				link += time.Since(start)
				start = time.Now()
				u, err := a.Majors.Post(ctx, agent, m.ID, major.UpdateDraft{State: string(major.Resolved), BodyFR: resolvedFR, BodyEN: resolvedEN})
				if err != nil {
					b.Fatal(err)
				}
				resolve += time.Since(start)

				b.StopTimer()
				if got := testutil.Count(b, a.DB, "incidents", "major_id = ? AND status = ?", m.ID, incident.Resolved); got != n {
					b.Fatalf("%d of %d linked incidents resolved", got, n)
				}
				if got := testutil.Count(b, a.DB, "outbox", "kind = ?", "major_resolved") - mails; got != n {
					b.Fatalf("%d resolution mails for %d reporters", got, n)
				}
				if got := testutil.Count(b, a.DB, "major_incident_updates", "id = ? AND fanout_done = ?", u.ID, true); got != 1 {
					b.Fatal("the fan-out did not finish")
				}
				b.StartTimer()
			}
			b.ReportMetric(link.Seconds()/float64(b.N), "link-s/op")
			b.ReportMetric(resolve.Seconds()/float64(b.N), "resolve-s/op")
		})
	}
}
