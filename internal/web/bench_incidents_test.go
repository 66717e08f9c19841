package web_test

// Benchmarks of the incident pages against the machine's own ceilings. On the 1,000,000-incident
// database of `guichet demo --incidents 1000000`:
//
//	GUICHET_BENCH_DB=/path/big.db go test ./internal/web -run '^$' -bench Incident -benchtime 3s
//
// Without GUICHET_BENCH_DB they run on a fresh demo database with 20,000 generated incidents.

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
		benchD = &desk{App: a, web: w, logs: &syncBuffer{}}
	})
	return benchD
}

func benchGet(b *testing.B, login, path string) {
	d := benchDesk(b)
	c := testutil.NewClient(b, d.web)
	c.Login(login)
	if r := c.Get(path); r.Status != 200 {
		b.Fatalf("%s: %d %.300s", path, r.Status, r.Body)
	}
	b.ResetTimer()
	for b.Loop() {
		c.Get(path)
	}
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
	d := benchDesk(b)
	c := testutil.NewClient(b, d.web)
	c.Login("John.Doe")
	c.Get("/incidents/new")
	form := url.Values{"title": {"Instance web-prod-001 ne démarre plus"}, "description": {"Depuis 9 h, l’instance reste en erreur après redémarrage."},
		"service": {"ecs"}, "region": {"eu-west-0"}, "impact": {"medium"}, "urgency": {"high"}}
	b.ResetTimer()
	for b.Loop() {
		if r := c.PostFiles("/incidents", form); r.Status != 303 {
			b.Fatalf("declare: %d %.300s", r.Status, r.Body)
		}
	}
}

// BenchmarkCeilingPlainInsert is the machine's ceiling for writing: one row of an incident's
// width inserted and committed in its own transaction, on a SQLite file with the desk's settings.
func BenchmarkCeilingPlainInsert(b *testing.B) {
	bdb, err := db.Open(filepath.Join(b.TempDir(), "plain.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer bdb.Close()
	ctx := context.Background()
	if _, err := bdb.ExecContext(ctx, `CREATE TABLE plain (id INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id BIGINT, title TEXT,
		description TEXT, status TEXT, priority TEXT, created_at TIMESTAMP, updated_at TIMESTAMP)`); err != nil {
		b.Fatal(err)
	}
	bdb.ExecContext(ctx, "CREATE INDEX plain_tenant ON plain (tenant_id, updated_at)")
	now := time.Now().UTC()
	b.ResetTimer()
	for b.Loop() {
		err := bdb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO plain (tenant_id, title, description, status, priority, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
				1, "Instance web-prod-001 ne démarre plus", "Depuis 9 h, l’instance reste en erreur après redémarrage.", "new", "P2", now, now)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
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
	for b.Loop() {
		if rows, err := plainSelect(ctx, d.DB, tenant); err != nil || len(rows) != 50 {
			b.Fatalf("%d %v", len(rows), err)
		}
	}
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
	for b.Loop() {
		if r := c.Get("/plain"); r.Status != 200 {
			b.Fatal(r.Status)
		}
	}
}
