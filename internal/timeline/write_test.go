package timeline_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

func actor(t *testing.T, idb bun.IDB, login string) tenancy.Actor {
	t.Helper()
	u, err := identity.UserByLogin(context.Background(), idb, login)
	if err != nil {
		t.Fatal(err)
	}
	return tenancy.ActorOf(u)
}

// matches are the rows of the full-text index that hold word, in rowid order.
func matches(t *testing.T, idb bun.IDB, word string) []int64 {
	t.Helper()
	ids, err := timeline.Matches(context.Background(), idb, timeline.ParseQuery(word), timeline.Scope{Notes: true}, 1<<62, 100000)
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(ids)
	return ids
}

func TestWriteRecordsAReplyOrANoteAndIndexesIt(t *testing.T) {
	a := testutil.NewApp(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	s := timeline.Subject{Kind: "incident", ID: 4242, TenantID: 3}
	marie, alice := actor(t, a.DB, "Marie.Dupont"), actor(t, a.DB, "Alice.Agent")
	file := timeline.Upload{Name: "nova.log", ContentType: "text/plain; charset=utf-8", Data: []byte("ERROR\n")}

	// A customer asking for an internal note still writes a public reply.
	r, err := timeline.Write(ctx, a.DB, s, marie, "  Toujours en panne\r\nzorglub\r\n", true, []timeline.Upload{file}, now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Kind != timeline.Reply || r.Body != "Toujours en panne\nzorglub" || len(r.Attachments) != 1 || r.Attachments[0].Internal {
		t.Fatalf("customer's entry: %+v", r)
	}
	n, err := timeline.Write(ctx, a.DB, s, alice, "hyperviseur zorglub", true, []timeline.Upload{file}, now)
	if err != nil {
		t.Fatal(err)
	}
	if n.Kind != timeline.Note || !n.Attachments[0].Internal {
		t.Fatalf("staff's note: %+v", n)
	}
	ev := timeline.NewEvent(s, alice, now, "incident.event.status", timeline.Key, "a", "b")
	ev.Body = "zorglub"
	if err := timeline.Record(ctx, a.DB, ev); err != nil {
		t.Fatal(err)
	}
	if got := matches(t, a.DB, "zorglub"); len(got) != 2 || got[0] != r.ID || got[1] != n.ID {
		t.Fatalf("index holds %v, want the reply %d and the note %d, not the event", got, r.ID, n.ID)
	}
	// Scoped: a customer of the tenant reads the reply, staff reading the tenant the note too,
	// another tenant nothing.
	for scope, want := range map[timeline.Scope][]int64{
		{TenantID: 3}:              {r.ID},
		{TenantID: 3, Notes: true}: {n.ID, r.ID},
		{TenantID: 4}:              nil,
		{TenantID: 4, Notes: true}: nil,
	} {
		got, err := timeline.Matches(ctx, a.DB, timeline.ParseQuery("zorglub"), scope, 1<<62, 10)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("scope %+v: %v %v, want %v", scope, got, err, want)
		}
	}
	// A customer's search always names its tenant.
	if _, err := timeline.Matches(ctx, a.DB, timeline.ParseQuery("zorglub"), timeline.Scope{}, 1<<62, 10); err == nil {
		t.Error("a search of every tenant's public texts was run")
	}
	// A subject the desk does not search (no tenant: a change request's) is not indexed.
	cr, err := timeline.Write(ctx, a.DB, timeline.Subject{Kind: "change", ID: 77}, alice, "zorglub", false, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if got := matches(t, a.DB, "zorglub"); slices.Contains(got, cr.ID) {
		t.Fatalf("a change's reply was indexed: %v", got)
	}

	// A refused text writes nothing: no entry, no file, no index row.
	before, _ := timeline.List(ctx, a.DB, s, true)
	for _, body := range []string{" \r\n ", strings.Repeat("a", timeline.MaxBody+1)} {
		_, err := timeline.Write(ctx, a.DB, s, alice, body, false, []timeline.Upload{file}, now)
		if es, ok := i18n.AsErrors(err); !ok || es[0].Field != "body" {
			t.Fatalf("refusal: %v", err)
		}
	}
	after, _ := timeline.List(ctx, a.DB, s, true)
	if len(after) != len(before) {
		t.Fatalf("%d entries written by refusals", len(after)-len(before))
	}
	if list, _ := timeline.List(ctx, a.DB, s, false); len(list) != 2 {
		t.Fatalf("customer's timeline: %d entries, want the reply and the event", len(list))
	}
}

// Index writes many rows in batches, in rowid order whatever the order it is given.
func TestIndexBatches(t *testing.T) {
	a := testutil.NewApp(t)
	var docs []timeline.Doc
	for i := 450; i >= 1; i-- {
		docs = append(docs, timeline.Doc{RowID: int64(1_000_000 + i), Text: "lot quokka", TenantID: 1})
	}
	docs = append(docs, timeline.TicketDoc(2_000_000, 1, "INC0000042", "Réseau lent", "quokka"))
	if err := timeline.Index(context.Background(), a.DB, docs...); err != nil {
		t.Fatal(err)
	}
	got := matches(t, a.DB, "quokka")
	if len(got) != 451 || got[0] != 1_000_001 || got[450] != 2_000_000 {
		t.Fatalf("%d rows, from %v", len(got), got[:min(3, len(got))])
	}
	if got := matches(t, a.DB, "INC0000042"); len(got) != 1 {
		t.Fatalf("ticket number: %v", got)
	}
	// Any case, with or without accents, on both databases.
	for _, q := range []string{"réseau", "RESEAU", "Réseau lent", "reseau INC0000042"} {
		if got := matches(t, a.DB, q); len(got) != 1 || got[0] != 2_000_000 {
			t.Errorf("%q finds %v", q, got)
		}
	}
	if got := matches(t, a.DB, "réseaux"); len(got) != 0 {
		t.Errorf("a longer word is another word: %v", got)
	}
}

// SQLite's full-text index is not merged by the writes that add texts (automerge is off) but by
// MergeIndex, which reports whether there was work; searches find the same texts before and
// after. On PostgreSQL there is nothing to merge.
func TestMergeIndexTakesTheMergingOutOfTheWrites(t *testing.T) {
	a := testutil.NewApp(t)
	ctx := context.Background()
	if db.IsPG(a.DB) {
		if worked, err := timeline.MergeIndex(ctx, a.DB, 100); worked || err != nil {
			t.Fatalf("PostgreSQL: %v %v", worked, err)
		}
		return
	}
	var automerge int
	if err := a.DB.NewRaw("SELECT v FROM timeline_fts_config WHERE k = 'automerge'").Scan(ctx, &automerge); err != nil || automerge != 0 {
		t.Fatalf("automerge = %d, %v; want 0", automerge, err)
	}
	segments := func() int {
		var n int
		if err := a.DB.NewRaw("SELECT count(*) FROM timeline_fts_data").Scan(ctx, &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for i := range 40 { // one write, so one segment, each
		if err := timeline.Index(ctx, a.DB, timeline.Doc{RowID: int64(5_000_000 + i), Text: "quokka wombat", TenantID: 1}); err != nil {
			t.Fatal(err)
		}
	}
	before := segments()
	worked, err := timeline.MergeIndex(ctx, a.DB, 500)
	if err != nil || !worked {
		t.Fatalf("first merge: %v %v, want work done", worked, err)
	}
	for range 50 {
		if worked, err = timeline.MergeIndex(ctx, a.DB, 500); err != nil || !worked {
			break
		}
	}
	if err != nil || worked {
		t.Fatalf("merging did not end: %v %v", worked, err)
	}
	if after := segments(); after >= before {
		t.Errorf("%d rows of index data after merging, %d before", after, before)
	}
	if got := matches(t, a.DB, "wombat quokka"); len(got) != 40 {
		t.Errorf("after merging: %d matches, want 40", len(got))
	}
}

// OptimizeIndex merges SQLite's index whole; searches find the same texts.
func TestOptimizeIndexKeepsEveryText(t *testing.T) {
	a := testutil.NewApp(t)
	ctx := context.Background()
	for i := range 30 {
		if err := timeline.Index(ctx, a.DB, timeline.Doc{RowID: int64(6_000_000 + i), Text: "ornithorynque", TenantID: 2}); err != nil {
			t.Fatal(err)
		}
	}
	if err := timeline.OptimizeIndex(ctx, a.DB); err != nil {
		t.Fatal(err)
	}
	if got := matches(t, a.DB, "ornithorynque"); len(got) != 30 || got[0] != 6_000_000 {
		t.Fatalf("after optimizing: %v", got)
	}
	if !db.IsPG(a.DB) {
		worked, err := timeline.MergeIndex(ctx, a.DB, 500)
		if err != nil || worked {
			t.Fatalf("an optimized index left merging to do: %v %v", worked, err)
		}
	}
}
