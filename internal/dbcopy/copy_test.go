package dbcopy_test

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/dbcopy"
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/timeline"
)

// generated is how many incidents the round trip carries beside the demo data.
const generated = 20000

// TestRoundTrip copies the demo desk with 20,000 generated incidents and a row in every table
// from SQLite to PostgreSQL and back: the copy verifies itself each way, the SQLite file that
// comes back holds exactly the rows of the first (values, types and instants as bun writes them,
// sqlite_sequence included), and the desk reads the same on all three: a user, an incident's
// page with its timeline and files, searches and the agents' queue. New rows then take ids past
// the copied ones.
func TestRoundTrip(t *testing.T) {
	testutil.NeedBothDatabases(t)
	ctx := t.Context()
	now := time.Now()
	src := testutil.NewDemoDatabase(t)
	a := openApp(t, src)
	if err := demo.Incidents(ctx, a.DB, a.Tenancy, a.SLA, generated, now, nil); err != nil {
		t.Fatal(err)
	}
	inc := addVariety(t, a)
	a.Close()

	pg := testutil.NewPostgresDatabase(t)
	progress := 0
	start := time.Now()
	rep, err := dbcopy.Copy(ctx, src, pg, dbcopy.Options{Progress: func(done, total int) {
		if done < progress || done > total {
			t.Errorf("progress went from %d to %d of %d", progress, done, total)
		}
		progress = done
	}})
	if err != nil {
		t.Fatalf("SQLite → PostgreSQL: %v", err)
	}
	t.Logf("SQLite → PostgreSQL: %d rows, %d search rows in %s (verification %s)", rep.Rows, rep.IndexRows,
		time.Since(start).Round(time.Millisecond), rep.Verify.Round(time.Millisecond))
	if progress == 0 {
		t.Error("progress never told")
	}
	rows := map[string]int64{}
	for _, tr := range rep.Tables {
		rows[tr.Name] = tr.Rows
	}
	if rows["incidents"] != generated+1 || rows["attachments"] != 2 || len(rep.Tables) != 44 {
		t.Errorf("copied %v", rows)
	}
	for name, n := range rows {
		if n == 0 {
			t.Errorf("table %s: no row to copy: the test covers less than it says", name)
		}
	}
	if slices.IndexFunc(rep.Tables, func(tr dbcopy.TableReport) bool { return tr.Name == "users" }) >
		slices.IndexFunc(rep.Tables, func(tr dbcopy.TableReport) bool { return tr.Name == "tenants" }) {
		t.Error("tenants copied before the users they reference")
	}

	back := filepath.Join(t.TempDir(), "back.db")
	start = time.Now()
	rep2, err := dbcopy.Copy(ctx, pg, back, dbcopy.Options{})
	if err != nil {
		t.Fatalf("PostgreSQL → SQLite: %v", err)
	}
	t.Logf("PostgreSQL → SQLite: %d rows, %d search rows in %s (verification %s)", rep2.Rows, rep2.IndexRows,
		time.Since(start).Round(time.Millisecond), rep2.Verify.Round(time.Millisecond))
	if !slices.Equal(rep.Tables, rep2.Tables) || rep.IndexRows != rep2.IndexRows {
		t.Errorf("the two copies differ:\n%v %d\n%v %d", rep.Tables, rep.IndexRows, rep2.Tables, rep2.IndexRows)
	}

	before, after := dump(t, src), dump(t, back)
	for name, rows := range before {
		if after[name] != rows {
			t.Errorf("table %s differs after the round trip:\n%.600s\n---\n%.600s", name, rows, after[name])
		}
	}
	if len(after) != len(before) {
		t.Errorf("%d tables after the round trip, %d before", len(after), len(before))
	}

	desks := []*app.App{openApp(t, src), openApp(t, pg), openApp(t, back)}
	var views []string
	for _, d := range desks {
		views = append(views, view(t, d, inc.ID, now))
	}
	for i, name := range []string{"PostgreSQL", "SQLite after the round trip"} {
		if views[i+1] != views[0] {
			t.Errorf("the desk reads differently on %s:\n%s\n---\n%s", name, firstDiff(views[0], views[i+1]), firstDiff(views[i+1], views[0]))
		}
	}
	for _, d := range desks[1:] {
		nextIDs(t, d, desks[0])
	}
}

// view is what the desk shows of itself, as text: a user, the incident's page (with its
// timeline and files, as staff and as the customer) and a generated one's, searches, and the
// first pages of the agents' queue.
func view(t *testing.T, a *app.App, incID int64, now time.Time) string {
	t.Helper()
	ctx := t.Context()
	var b strings.Builder
	u, err := identity.UserByLogin(ctx, a.DB, "John.Doe")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "user %d %s %s %v %s %s %v %v %d %d\n", u.ID, u.Login, u.Email, u.Active, u.CreatedAt.UTC(), u.UpdatedAt.UTC(),
		utc(u.LockedAt), utc(u.TOTPEnabledAt), u.TOTPLastStep, u.FailedLogins)
	for _, who := range []string{"Alice.Agent", "John.Doe"} {
		reader := actor(t, a, who)
		for _, id := range []int64{incID, 3} {
			inc, err := a.Incidents.Get(ctx, reader, id)
			if err != nil {
				t.Fatalf("%s reads incident %d: %v", who, id, err)
			}
			fmt.Fprintf(&b, "%s sees %s %q %s %s %s %s %v %v %s\n", who, inc.Number(), inc.Title, inc.Status, inc.Priority,
				inc.SLADueAt.UTC(), inc.CreatedAt.UTC(), inc.AssigneeName, inc.FRBreachNotified, inc.Description)
			es, err := a.Incidents.Timeline(ctx, reader, inc)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range es {
				fmt.Fprintf(&b, "  %d %s %s %s→%s %q by %s at %s\n", e.ID, e.Kind, e.Event, e.From, e.To, e.Body, e.ActorName, e.CreatedAt.UTC())
				for _, f := range e.Attachments {
					full, err := timeline.AttachmentByID(ctx, a.DB, f.ID)
					if err != nil {
						t.Fatal(err)
					}
					fmt.Fprintf(&b, "    file %d %s %s %d %v %x\n", f.ID, f.Name, f.ContentType, f.Size, f.Internal, full.Data)
				}
			}
		}
	}
	for _, word := range []string{"hyperviseur", "xylographe", "zeppelin", "Réseau", "INC0000007", "INC0000007 disque"} {
		found, more, err := incident.List(ctx, a.DB, incident.Filter{Text: word, Staff: true}, paging.Number(1), now)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "search %q: %d %v %v\n", word, len(found), more, ids(found))
		matches, err := timeline.Matches(ctx, a.DB, timeline.ParseQuery(word), timeline.Scope{Notes: true}, math.MaxInt64, 1000)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "  index: %v\n", matches)
	}
	for page := 1; page <= 3; page++ {
		queue, _, err := incident.List(ctx, a.DB, incident.Filter{Queue: true}, paging.Number(page), now)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range queue {
			fmt.Fprintf(&b, "queue %d %s %s %s\n", q.ID, q.SLADueAt.UTC(), q.Status, q.AssigneeName)
		}
	}
	return b.String()
}

func utc(t *time.Time) string {
	if t == nil {
		return "nil"
	}
	return t.UTC().String()
}

func ids(incs []incident.Incident) []int64 {
	out := make([]int64, len(incs))
	for i, inc := range incs {
		out[i] = inc.ID
	}
	return out
}

// firstDiff is a's text from a few lines before its first difference with b.
func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range la {
		if i >= len(lb) || la[i] != lb[i] {
			return strings.Join(la[max(0, i-2):min(len(la), i+3)], "\n")
		}
	}
	return "(a prefix of the other)"
}

// nextIDs declares an incident on the copy: it takes the id after the source's largest, and
// the copy's outbox numbering goes on where the source's stood (past a deleted row).
func nextIDs(t *testing.T, copied, source *app.App) {
	t.Helper()
	ctx := t.Context()
	var lastInc, lastEntry, lastOutbox int64
	for _, q := range []struct {
		sql string
		v   *int64
	}{{"SELECT MAX(id) FROM incidents", &lastInc}, {"SELECT MAX(id) FROM timeline_entries", &lastEntry}, {"SELECT MAX(id) FROM outbox", &lastOutbox}} {
		if err := source.DB.NewRaw(q.sql).Scan(ctx, q.v); err != nil {
			t.Fatal(err)
		}
	}
	inc, err := copied.Incidents.Declare(ctx, actor(t, copied, "John.Doe"), tenantID(t, copied, "OCB0000001"), incident.Draft{
		Title: "Après la copie", Description: "Premier incident sur la copie.", Service: "ecs", Region: "eu-west-0", Impact: "low", Urgency: "low"})
	if err != nil {
		t.Fatalf("declare on the copy: %v", err)
	}
	if inc.ID != lastInc+1 {
		t.Errorf("new incident %d, want %d", inc.ID, lastInc+1)
	}
	es, err := copied.Incidents.Timeline(ctx, actor(t, copied, "John.Doe"), inc)
	if err != nil || len(es) != 1 || es[0].ID != lastEntry+1 {
		t.Errorf("new incident's timeline %v %v, want entry %d", es, err, lastEntry+1)
	}
	var outbox []int64
	if err := copied.DB.NewRaw("SELECT id FROM outbox WHERE id > ? ORDER BY id", lastOutbox).Scan(ctx, &outbox); err != nil {
		t.Fatal(err)
	}
	// The source's last outbox row was deleted: its id is not given again.
	if len(outbox) == 0 || outbox[0] != lastOutbox+2 {
		t.Errorf("new outbox rows %v, want the first at %d", outbox, lastOutbox+2)
	}
	found, _, err := incident.List(ctx, copied.DB, incident.Filter{Text: "premier copie", Staff: true}, paging.Number(1), time.Now())
	if err != nil || len(found) != 1 || found[0].ID != inc.ID {
		t.Errorf("search for the new incident: %v %v", ids(found), err)
	}
}
