package web_test

// Benchmarks of the incident pages against the machine's own ceilings. On the 1,000,000-incident
// database of `guichet demo --incidents 1000000`, a SQLite file or a postgres:// URL:
//
//	GUICHET_BENCH_DB=/path/big.db go test ./internal/web -run '^$' -bench 'Incident|Ceiling' -benchtime 3s
//	GUICHET_BENCH_DB=postgres://postgres@127.0.0.1:5433/guichet_bench go test ./internal/web -run '^$' -bench 'Incident|Ceiling' -benchtime 3s
//
// Without GUICHET_BENCH_DB they run on a fresh SQLite demo database with 20,000 generated
// incidents. The pages and the declare form also report their 95th percentile latency (p95-ms).

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/uptrace/bun"
)

var (
	benchOnce sync.Once
	benchD    *desk
)

// benchDesk opens the benchmark database once per process.
func benchDesk(b *testing.B) *desk {
	benchOnce.Do(func() {
		var a *app.App
		if path := os.Getenv("GUICHET_BENCH_DB"); path != "" {
			var err error
			a, err = app.Open(context.Background(), testutil.Config(path), slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				b.Fatal(err)
			}
		} else {
			dir, err := os.MkdirTemp("", "guichet-bench")
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			if a, err = app.Open(ctx, testutil.Config(filepath.Join(dir, "bench.db")), slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
				b.Fatal(err)
			}
			if err := demo.Load(ctx, a.DB, a.Identity, a.Tenancy, time.Now()); err != nil {
				b.Fatal(err)
			}
			if err := demo.Incidents(ctx, a.DB, a.Tenancy, a.SLA, 20000, time.Now(), nil); err != nil {
				b.Fatal(err)
			}
		}
		a.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
		w, err := a.Web(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		benchD = &desk{App: a, web: w, logs: &testutil.SyncBuffer{}}
	})
	return benchD
}

// benchSessions holds the session cookie of each login already made in this process: the login
// form allows ten posts a minute per address, counted in the database, so that a whole run
// logging in once per benchmark, run again within the minute, would be refused with 429.
var benchSessions sync.Map

// benchClient returns a client signed in as login, logging in once per login and process.
func benchClient(b *testing.B, login string) *testutil.Client {
	c := testutil.NewClient(b, benchDesk(b).web)
	if token, ok := benchSessions.Load(login); ok {
		c.SetCookie("guichet_session", token.(string))
		c.Get("/")
		return c
	}
	c.Login(login)
	benchSessions.Store(login, c.Cookie("guichet_session"))
	return c
}

func benchGet(b *testing.B, login, path string) {
	c := benchClient(b, login)
	if r := c.Get(path); r.Status != 200 {
		b.Fatalf("%s: %d %.300s", path, r.Status, r.Body)
	}
	var lat latencies
	for b.Loop() {
		start := time.Now()
		c.Get(path)
		lat.add(start)
	}
	lat.report(b)
}

// latencies records each iteration's duration, for a percentile beside the mean of ns/op.
type latencies []time.Duration

func (l *latencies) add(start time.Time) { *l = append(*l, time.Since(start)) }

// p95 is the duration 95% of the iterations did not exceed (nearest rank).
func (l latencies) p95() time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	return s[(len(s)*95+99)/100-1]
}

// report adds the p95 to the benchmark's line, in milliseconds.
func (l latencies) report(b *testing.B) {
	b.ReportMetric(float64(l.p95())/float64(time.Millisecond), "p95-ms")
}

func BenchmarkIncidentCustomerList(b *testing.B) { benchGet(b, "Marie.Dupont", "/incidents") }

func BenchmarkIncidentCustomerListPage5(b *testing.B) {
	benchGet(b, "Marie.Dupont", "/incidents?page=5")
}

func BenchmarkIncidentCustomerListFiltered(b *testing.B) {
	benchGet(b, "Marie.Dupont", "/incidents?status=closed&priority=P3")
}

func BenchmarkIncidentAgentQueue(b *testing.B) { benchGet(b, "Alice.Agent", "/staff/incidents") }

func BenchmarkIncidentAgentQueueBreached(b *testing.B) {
	benchGet(b, "Alice.Agent", "/staff/incidents?sla=breached&who=unassigned")
}

func BenchmarkIncidentSearchCustomer(b *testing.B) {
	benchGet(b, "Marie.Dupont", "/incidents?q=hyperviseur")
}

func BenchmarkIncidentSearchAgent(b *testing.B) {
	benchGet(b, "Alice.Agent", "/staff/incidents?q=ceph")
}

func BenchmarkIncidentSearchRare(b *testing.B) {
	benchGet(b, "Alice.Agent", "/staff/incidents?q=web-prod-042")
}

func BenchmarkIncidentPage(b *testing.B) {
	d := benchDesk(b)
	var num int64
	if err := d.DB.NewRaw("SELECT MAX(id) FROM incidents WHERE tenant_id = (SELECT id FROM tenants WHERE code = 'OCB0000001')").Scan(context.Background(), &num); err != nil {
		b.Fatal(err)
	}
	benchGet(b, "Marie.Dupont", fmt.Sprintf("/incidents/INC%07d", num))
}

// BenchmarkIncidentDeclareForm posts the "Déclarer un incident" form as a browser does
// (multipart, with its CSRF token), through the whole stack: session, scope, rights, incident,
// timeline, SLA, search index and two mails rendered into the outbox, in one transaction.
func BenchmarkIncidentDeclareForm(b *testing.B) {
	c := benchClient(b, "John.Doe")
	c.Get("/incidents/new")
	form := url.Values{"title": {"Instance web-prod-001 ne démarre plus"}, "description": {"Depuis 9 h, l’instance reste en erreur après redémarrage."},
		"service": {"ecs"}, "region": {"eu-west-0"}, "impact": {"medium"}, "urgency": {"high"}}
	var lat latencies
	for b.Loop() {
		start := time.Now()
		if r := c.PostFiles("/incidents", form); r.Status != 303 {
			b.Fatalf("declare: %d %.300s", r.Status, r.Body)
		}
		lat.add(start)
	}
	lat.report(b)
}

// BenchmarkCeilingPlainInsert is the machine's ceiling for writing: one row of an incident's
// width inserted and committed in its own transaction. On SQLite, into a fresh file with the
// desk's settings; when GUICHET_BENCH_DB names a PostgreSQL database, into a table of the same
// shape created in that database (through the desk's own connection pool) and dropped at the end.
func BenchmarkCeilingPlainInsert(b *testing.B) {
	ctx := context.Background()
	var bdb *bun.DB
	table, pk, ts := "plain", "INTEGER PRIMARY KEY AUTOINCREMENT", "TIMESTAMP"
	if db.IsPostgres(os.Getenv("GUICHET_BENCH_DB")) {
		bdb = benchDesk(b).DB
		table, pk, ts = "bench_plain_insert", "BIGSERIAL PRIMARY KEY", "TIMESTAMPTZ"
		// A table left by an interrupted run is dropped, so every run starts empty.
		if _, err := bdb.ExecContext(ctx, "DROP TABLE IF EXISTS "+table); err != nil {
			b.Fatal(err)
		}
		defer func() {
			if _, err := bdb.ExecContext(ctx, "DROP TABLE IF EXISTS "+table); err != nil {
				b.Error(err)
			}
		}()
	} else {
		var err error
		if bdb, err = db.Open(filepath.Join(b.TempDir(), "plain.db")); err != nil {
			b.Fatal(err)
		}
		defer bdb.Close()
	}
	if _, err := bdb.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+table+" (id "+pk+", tenant_id BIGINT, title TEXT, "+
		"description TEXT, status TEXT, priority TEXT, created_at "+ts+", updated_at "+ts+")"); err != nil {
		b.Fatal(err)
	}
	if _, err := bdb.ExecContext(ctx, "CREATE INDEX IF NOT EXISTS "+table+"_tenant ON "+table+" (tenant_id, updated_at)"); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	insert := "INSERT INTO " + table + " (tenant_id, title, description, status, priority, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
	var lat latencies
	for b.Loop() {
		start := time.Now()
		err := bdb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.ExecContext(ctx, insert,
				1, "Instance web-prod-001 ne démarre plus", "Depuis 9 h, l’instance reste en erreur après redémarrage.", "new", "P2", now, now)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		lat.add(start)
	}
	lat.report(b)
}

func benchTenant(b *testing.B, d *desk) int64 {
	t, err := tenancy.TenantByCode(context.Background(), d.DB, "OCB0000001")
	if err != nil {
		b.Fatal(err)
	}
	return t.ID
}

type plainRow struct {
	ID        int64
	Title     string
	Status    string
	Priority  string
	UpdatedAt time.Time
}

var naive = template.Must(template.New("list").Parse(`<!DOCTYPE html><html><body><table>
{{ range . }}<tr><td><a href="/incidents/{{ .ID }}">{{ .ID }}</a></td><td>{{ .Title }}</td><td>{{ .Status }}</td><td>{{ .Priority }}</td><td>{{ .UpdatedAt.Format "2006-01-02 15:04" }}</td></tr>
{{ end }}</table></body></html>`))

func plainSelect(ctx context.Context, idb bun.IDB, tenant int64) ([]plainRow, error) {
	var rows []plainRow
	err := idb.NewRaw("SELECT id, title, status, priority, updated_at FROM incidents WHERE tenant_id = ? ORDER BY updated_at DESC, id DESC LIMIT 50", tenant).
		Scan(ctx, &rows)
	return rows, err
}

// BenchmarkCeilingPlainSelect50 is the machine's ceiling for reading: the 50 latest incidents of
// a tenant read with a plain query, without HTTP.
func BenchmarkCeilingPlainSelect50(b *testing.B) {
	d := benchDesk(b)
	tenant := benchTenant(b, d)
	ctx := context.Background()
	var lat latencies
	for b.Loop() {
		start := time.Now()
		if rows, err := plainSelect(ctx, d.DB, tenant); err != nil || len(rows) != 50 {
			b.Fatalf("%d %v", len(rows), err)
		}
		lat.add(start)
	}
	lat.report(b)
}

// BenchmarkCeilingPlainSelect50Render is the reference the list pages are held to: the same
// plain select plus a naive html/template render, served by a bare Fiber route through app.Test,
// so that it pays the same HTTP cost as the desk's pages.
func BenchmarkCeilingPlainSelect50Render(b *testing.B) {
	d := benchDesk(b)
	tenant := benchTenant(b, d)
	bare := fiber.New(fiber.Config{DisableStartupMessage: true})
	bare.Get("/plain", func(c *fiber.Ctx) error {
		rows, err := plainSelect(c.UserContext(), d.DB, tenant)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := naive.Execute(&buf, rows); err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return c.Send(buf.Bytes())
	})
	c := testutil.NewClient(b, bare)
	var lat latencies
	for b.Loop() {
		start := time.Now()
		if r := c.Get("/plain"); r.Status != 200 {
			b.Fatal(r.Status)
		}
		lat.add(start)
	}
	lat.report(b)
}
