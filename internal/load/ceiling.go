package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/db"
	vegeta "github.com/tsenart/vegeta/v12/lib"
	"github.com/uptrace/bun"
)

// ceilingTable is the scratch table of the insert ceiling, created at start and dropped at the
// end (a table left by an interrupted run is dropped first).
const ceilingTable = "guichet_load_ceiling"

// ceiling is what the machine does without the desk: a bare Fiber server on the desk's
// database, opened with db.Open (the same pragmas and pool), serving a plain 50-row select
// rendered by a naive template, and a plain single-row insert.
type ceiling struct {
	db     *bun.DB
	app    *fiber.App
	ln     net.Listener
	base   string
	tenant int64
	table  bool // the scratch table exists
}

type ceilingRow struct {
	ID        int64
	Title     string
	Status    string
	Priority  string
	UpdatedAt time.Time
}

var naivePage = template.Must(template.New("list").Parse(`<!DOCTYPE html><html><body><table>
{{ range . }}<tr><td><a href="/incidents/{{ .ID }}">{{ .ID }}</a></td><td>{{ .Title }}</td><td>{{ .Status }}</td><td>{{ .Priority }}</td><td>{{ .UpdatedAt.Format "2006-01-02 15:04" }}</td></tr>
{{ end }}</table></body></html>`))

// startCeiling opens dsn, reads tenant's id, creates the scratch table and serves on a free
// loopback port.
func startCeiling(ctx context.Context, dsn, tenant string) (*ceiling, error) {
	bdb, err := db.Open(dsn)
	if err != nil {
		return nil, err
	}
	c := &ceiling{db: bdb}
	if err := bdb.NewRaw("SELECT id FROM tenants WHERE code = ?", tenant).Scan(ctx, &c.tenant); err != nil {
		c.close(ctx)
		return nil, fmt.Errorf("ceiling: tenant %s in the database: %w", tenant, err)
	}
	if err := c.createTable(ctx); err != nil {
		c.close(ctx)
		return nil, err
	}
	c.app = fiber.New(fiber.Config{DisableStartupMessage: true})
	c.app.Get("/ceiling/select", c.selectPage)
	c.app.Post("/ceiling/insert", c.insert)
	if c.ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		c.close(ctx)
		return nil, err
	}
	c.base = "http://" + c.ln.Addr().String()
	go c.app.Listener(c.ln) //nolint:errcheck // ends with Shutdown
	return c, nil
}

// createTable makes the scratch table with the dialect's types.
func (c *ceiling) createTable(ctx context.Context) error {
	pk, ts := "INTEGER PRIMARY KEY AUTOINCREMENT", "TIMESTAMP"
	if db.IsPG(c.db) {
		pk, ts = "BIGSERIAL PRIMARY KEY", "TIMESTAMPTZ"
	}
	if _, err := c.db.ExecContext(ctx, "DROP TABLE IF EXISTS "+ceilingTable); err != nil {
		return fmt.Errorf("ceiling: %w", err)
	}
	if _, err := c.db.ExecContext(ctx, "CREATE TABLE "+ceilingTable+" (id "+pk+", title TEXT NOT NULL, body TEXT NOT NULL, created_at "+ts+" NOT NULL)"); err != nil {
		return fmt.Errorf("ceiling: create %s: %w", ceilingTable, err)
	}
	c.table = true
	return nil
}

func (c *ceiling) selectPage(fc *fiber.Ctx) error {
	var rows []ceilingRow
	if err := c.db.NewRaw("SELECT id, title, status, priority, updated_at FROM incidents WHERE tenant_id = ? ORDER BY updated_at DESC, id DESC LIMIT 50", c.tenant).
		Scan(fc.UserContext(), &rows); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := naivePage.Execute(&buf, rows); err != nil {
		return err
	}
	fc.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return fc.Send(buf.Bytes())
}

func (c *ceiling) insert(fc *fiber.Ctx) error {
	if _, err := c.db.NewRaw("INSERT INTO "+ceilingTable+" (title, body, created_at) VALUES (?, ?, ?)",
		fc.FormValue("title"), fc.FormValue("body"), time.Now().UTC()).Exec(fc.UserContext()); err != nil {
		return err
	}
	return fc.Redirect("/ceiling/select", fiber.StatusSeeOther)
}

// selectTarget and insertTarget are the ceilings' requests.
func (c *ceiling) selectTarget() vegeta.Targeter {
	return vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: c.base + "/ceiling/select",
		Header: http.Header{"User-Agent": {userAgent}}})
}

func (c *ceiling) insertTarget() vegeta.Targeter {
	body := []byte(url.Values{"title": {"Instance web-prod-001 ne démarre plus"},
		"body": {"Depuis ce matin, l’instance reste en erreur après chaque redémarrage ; la console n’affiche rien."}}.Encode())
	return vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodPost, URL: c.base + "/ceiling/insert", Body: body,
		Header: http.Header{"User-Agent": {userAgent}, "Content-Type": {"application/x-www-form-urlencoded"}}})
}

func ceilingSelectOK(r *vegeta.Result) string {
	if r.Code != http.StatusOK {
		return unexpected(r)
	}
	return ""
}

func ceilingInsertOK(r *vegeta.Result) string {
	if r.Code != http.StatusSeeOther {
		return unexpected(r)
	}
	return ""
}

// close stops the server, drops the scratch table and closes the database.
func (c *ceiling) close(ctx context.Context) error {
	var errs []error
	if c.app != nil {
		errs = append(errs, c.app.ShutdownWithTimeout(10*time.Second))
	}
	if c.table {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if _, err := c.db.ExecContext(ctx, "DROP TABLE IF EXISTS "+ceilingTable); err != nil {
			errs = append(errs, fmt.Errorf("ceiling: drop %s: %w", ceilingTable, err))
		}
	}
	errs = append(errs, c.db.Close())
	return errors.Join(errs...)
}
