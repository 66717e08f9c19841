package dbcopy_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/canned"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/help"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/inbound"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/major"
	"github.com/guichet/guichet/internal/report"
	"github.com/guichet/guichet/internal/subscription"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// openApp opens the desk at dsn, closed when t ends.
func openApp(t *testing.T, dsn string) *app.App {
	t.Helper()
	a, err := app.Open(t.Context(), testutil.Config(dsn), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// openDB opens the database at dsn, closed when t ends.
func openDB(t *testing.T, dsn string) *bun.DB {
	t.Helper()
	bdb, err := db.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bdb.Close() })
	return bdb
}

func actor(t *testing.T, a *app.App, login string) tenancy.Actor {
	t.Helper()
	u, err := identity.UserByLogin(t.Context(), a.DB, login)
	if err != nil {
		t.Fatal(err)
	}
	return tenancy.ActorOf(u)
}

func tenantID(t *testing.T, a *app.App, code string) int64 {
	t.Helper()
	tn, err := tenancy.TenantByCode(t.Context(), a.DB, code)
	if err != nil {
		t.Fatal(err)
	}
	return tn.ID
}

// everyByte is binary content with every byte value, behind a PNG signature.
func everyByte() []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	for i := range 256 {
		b = append(b, byte(i))
	}
	return b
}

// addVariety writes, with the program's own services, a row in every table the demo data
// leaves empty, with NULLs and values of every kind: an incident with attachments, a reply and
// an internal note, a change request, a contract request, an invitation, a session, a password
// link, failed logins, recovery codes, a job's run and a setting. It returns the incident. The
// last outbox row is then deleted, so that the outbox's numbering stands past its largest id.
func addVariety(t *testing.T, a *app.App) *incident.Incident {
	t.Helper()
	ctx := t.Context()
	john, marie, alice := actor(t, a, "John.Doe"), actor(t, a, "Marie.Dupont"), actor(t, a, "Alice.Agent")
	t1, t3 := tenantID(t, a, "OCB0000001"), tenantID(t, a, "OCB0000003")
	inc, err := a.Incidents.Declare(ctx, john, t1, incident.Draft{Title: "Réseau coupé : « l’instance » ne répond plus 'ni' \"là\" 🚀",
		Description: "Depuis 9 h le xylophone-42 de l’hyperviseur ne répond plus.\nSeconde ligne ; œuvre Ærø.",
		Service:     "ecs", Region: "eu-west-0", Impact: "high", Urgency: "high", Phone: "+33 1 23 45 67 89", FormToken: "form-token-1",
		Files: []timeline.Upload{{Name: "écran.png", ContentType: "image/png", Data: everyByte()}}})
	if err != nil {
		t.Fatal(err)
	}
	if inc, err = a.Incidents.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Take, Version: inc.Version}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Incidents.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Reply, Body: "Nous regardons le zeppelin.",
		Files: []timeline.Upload{{Name: "trace.log", ContentType: "text/plain; charset=utf-8", Data: []byte("ligne 1\nligne 2\n")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Incidents.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Reply, Body: "Note interne : xylographe suspect.", Internal: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Changes.Submit(ctx, marie, t1, "vpcs", map[string]string{"region": "eu-west-1", "current": "5", "requested": "6", "justification": "Croissance"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Contracts.File(ctx, marie, t3, contract.Form{Kind: contract.SupportLevel, Level: "premium"}); err != nil {
		t.Fatal(err)
	}
	// A major incident of one tenant, the incident linked, a referent following it, an update
	// fanned out (its mail and who was told).
	m, err := a.Majors.Open(ctx, alice, major.Draft{TitleFR: "Panne « réseau »", TitleEN: "Network \"outage\"",
		DescriptionFR: "Ligne 1\nLigne 2 ; Ærø", DescriptionEN: "Line 1", Services: []string{"ecs"}, Regions: []string{"eu-west-0"},
		Tenants: "OCB0000001"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Majors.Link(ctx, alice, m.ID, "numbers", []int64{inc.ID}); err != nil {
		t.Fatal(err)
	}
	if err := a.Majors.Follow(ctx, marie, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Majors.Post(ctx, alice, m.ID, major.UpdateDraft{State: "identified", BodyFR: "Cause trouvée.", BodyEN: "Cause found."}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Canned.Create(ctx, alice, canned.Draft{Name: "Accusé « reçu »", TextFR: "Bonjour {customer_name},\nLigne 2 ; Ærø",
		TextEN: "Hello {customer_name}", Action: canned.Pending}); err != nil {
		t.Fatal(err)
	}
	// A help article in both languages, saved twice, viewed, voted on and given as an answer.
	art, err := a.Help.Create(ctx, alice, help.Input{Category: help.Access, Visibility: help.Customers, State: help.Draft,
		TitleFR: "Compte « bloqué »", BodyFR: "## Étapes\n\n1. Ærø ; **Mot de passe oublié**", TitleEN: "Locked account", BodyEN: "Use *Forgot password*."}, 0)
	if err != nil {
		t.Fatal(err)
	}
	in := help.Input{Category: help.Access, Visibility: help.Customers, State: help.Published,
		TitleFR: art.TitleFR, BodyFR: art.BodyFR, TitleEN: art.TitleEN, BodyEN: art.BodyEN}
	if _, err := a.Help.Update(ctx, alice, art.ID, art.Version, in); err != nil {
		t.Fatal(err)
	}
	if err := a.Help.Viewed(ctx, marie, art.ID, t1); err != nil {
		t.Fatal(err)
	}
	if err := a.Help.Deflect(ctx, marie, art.ID, help.FromIncident, t1); err != nil {
		t.Fatal(err)
	}
	// Service orders: an Alliance region ordered and granted, a Workspace reservation made at
	// once, two of its desktops cancelled.
	region, err := a.Changes.Order(ctx, marie, t1, "alliance", map[string]string{"region": "alliance-sg-1", "contact": "Ærø « ops »"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if region, err = a.Changes.Act(ctx, alice, region.ID, change.StepInput{Action: change.Schedule, Version: region.Version, Date: time.Now().Format(time.DateOnly)}); err != nil {
		t.Fatal(err)
	}
	if _, err = a.Changes.Act(ctx, alice, region.ID, change.StepInput{Action: change.Implement, Version: region.Version}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Changes.Order(ctx, marie, t1, "workspace", map[string]string{"region": "eu-west-1", "template": "workspace-graphics", "instances": "3", "term": "36"}, ""); err != nil {
		t.Fatal(err)
	}
	subs, err := a.Subscriptions.List(ctx, marie, t1)
	if err != nil || len(subs) == 0 {
		t.Fatalf("subscriptions: %v %v", subs, err)
	}
	if _, err := a.Subscriptions.Cancel(ctx, marie, subs[0].ID, subscription.CancelInput{Instances: "2", Version: subs[0].Version}); err != nil {
		t.Fatal(err)
	}
	if err := a.Tenancy.Invite(ctx, marie, t1, tenancy.NewInvitation{Email: "lea@example.fr", Lang: "en", Rights: tenancy.Rights{Incidents: true}}); err != nil {
		t.Fatal(err)
	}
	u, err := identity.UserByLogin(ctx, a.DB, "John.Doe")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Identity.StartSession(ctx, u); err != nil {
		t.Fatal(err)
	}
	if _, err := identity.NewPasswordLink(ctx, a.DB, u, identity.PurposeReset, time.Now()); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		a.Identity.Authenticate(ctx, "John.Doe", "not the password") //nolint:errcheck // failing is the point
		if _, err := a.Identity.Throttle(ctx, "login", "192.0.2.7", 10, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	// A reply by mail (inbound_messages, and an entry via email) and a read of the mailbox.
	a.Config.ReplyTo = &mail.Address{Address: "support@desk.example.com"}
	book, err := a.ReplyBook(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a.Inbound.Book = book
	raw := "From: " + u.Email + "\r\nTo: " + book.For(fmt.Sprintf("incident-%d", inc.ID), u.ID) +
		"\r\nSubject: Re: réseau\r\nMessage-ID: <copy-1@client.example.net>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nRéponse par e-mail.\r\n"
	if out, err := a.Inbound.Handle(ctx, []byte(raw), inbound.SourcePipe); err != nil || out.Status != inbound.Handled {
		t.Fatalf("reply by mail: %+v, %v", out, err)
	}
	if err := inbound.RecordFetch(ctx, a.DB, inbound.SourceIMAP, time.Now(), 1, errors.New("i/o timeout")); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	// The report rows of the incidents (one still marked), and a month's report mail sent.
	if _, err := report.Refresh(ctx, a.DB, a.SLA, now, nil); err != nil {
		t.Fatal(err)
	}
	if err := incident.MarkReport(ctx, a.DB, inc.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Reports.SendMonthly(ctx, now.AddDate(0, 1, 0)); err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"INSERT INTO recovery_codes (user_id, code_hash, created_at, used_at) VALUES (?, 'a1', ?, NULL), (?, 'b2', ?, ?)", []any{u.ID, now, u.ID, now, now.Add(time.Minute)}},
		{"INSERT INTO job_runs (name, next_run_at, last_run_by) VALUES ('close_resolved', ?, 'host-1')", []any{now}},
		{"INSERT INTO settings (name, value) VALUES ('csrf_secret', 'c2VjcmV0')", nil},
		{"UPDATE users SET totp_secret = 'JBSWY3DPEHPK3PXP', totp_enabled_at = ?, totp_last_step = 1234567, locked_at = ? WHERE id = ?", []any{now, now, u.ID}},
		{"DELETE FROM outbox WHERE id = (SELECT MAX(id) FROM outbox)", nil},
		// An API token with the response it keeps for an idempotency key, and a webhook with a
		// delivery pending.
		{"INSERT INTO api_tokens (user_id, name, prefix, token_hash, scope, created_at, expires_at, last_used_at) VALUES (?, 'Zabbix', 'gch_abcdef', ?, 'write', ?, ?, ?)",
			[]any{u.ID, strings.Repeat("a", 64), now, now.Add(24 * time.Hour), now}},
		{"INSERT INTO api_idempotency (token_id, idem_key, request, status, headers, body, created_at) VALUES ((SELECT MAX(id) FROM api_tokens), 'alert-1', ?, 201, '{}', '{\"number\":\"INC0000001\"}', ?)",
			[]any{strings.Repeat("b", 64), now}},
		{"INSERT INTO webhooks (tenant_id, url, secret, events, description, active, version, created_by, created_at, updated_at) VALUES (?, 'https://hooks.example.com/guichet', 'whsec_x', 'incident.*', 'Chat', ?, 1, ?, ?, ?)",
			[]any{inc.TenantID, true, u.ID, now, now}},
		{"INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload, status, attempts, next_attempt_at, deadline_at, last_status, last_error, created_at, updated_at) VALUES ((SELECT MAX(id) FROM webhooks), 'evt_1', 'incident.declared', '{}', 'pending', 1, ?, ?, 500, 'boom', ?, ?)",
			[]any{now, now.Add(24 * time.Hour), now, now}},
	} {
		if _, err := a.DB.NewRaw(q.sql, q.args...).Exec(ctx); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	// A file kept for a form that came back with an error, with bytes no text encoding keeps.
	var session string
	if err := a.DB.NewRaw("SELECT MIN(id_hash) FROM sessions").Scan(ctx, &session); err != nil || session == "" {
		t.Fatalf("a session to keep a file for: %q, %v", session, err)
	}
	if _, err := timeline.Keep(ctx, a.DB, timeline.Owner{SessionHash: session, UserID: u.ID},
		[]timeline.Upload{{Name: "capture.png", ContentType: "image/png", Data: []byte("\x89PNG\r\n\x1a\n\x00\xff")}}, now); err != nil {
		t.Fatal(err)
	}
	return inc
}

// dump reads every table of a SQLite file but the migration bookkeeping and the search index,
// sqlite_sequence included, as SQLite quotes values (types included: 1 and '1' differ), rows
// in primary key order; the access version, which only has to move, is left out.
func dump(t *testing.T, path string) map[string]string {
	t.Helper()
	bdb := openDB(t, path)
	ctx := t.Context()
	var names []string
	if err := bdb.NewRaw("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' "+
		"AND name NOT IN ('sqlite_schema', 'schema_migrations', 'access_version') ORDER BY name").Scan(ctx, &names); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, name := range names {
		var cols []string
		if err := bdb.NewRaw("SELECT name FROM pragma_table_info(?) ORDER BY cid", name).Scan(ctx, &cols); err != nil {
			t.Fatal(err)
		}
		for i, c := range cols {
			cols[i] = "quote(" + c + ")"
		}
		var rows []string
		if err := bdb.NewRaw("SELECT "+strings.Join(cols, " || ',' || ")+" FROM "+name+" ORDER BY 1").Scan(ctx, &rows); err != nil {
			t.Fatal(err)
		}
		out[name] = strings.Join(rows, "\n")
	}
	return out
}

// count counts a table's rows.
func count(t *testing.T, idb bun.IDB, table string) int {
	t.Helper()
	return testutil.Count(t, idb, table, "1 = 1")
}
