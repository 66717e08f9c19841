package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/testutil"
)

// written counts what a step could write: the subject's timeline entries, the outbox and the
// version of the object.
func written(t *testing.T, d *desk, kind, table string, id int64) [3]int {
	t.Helper()
	return [3]int{countRows(t, d, "timeline_entries", "subject_kind = ? AND subject_id = ?", kind, id),
		countRows(t, d, "outbox", "1 = 1"), countRows(t, d, table, "id = ? AND version = 1", id)}
}

// TestStaleStepsAnswer409WithTheInputKept: one convention for incidents, changes and contract
// requests. A state or field change sent from a page that is no longer current, or from a form
// without a readable version, answers 409 on the page, with the kind's message, the input kept
// and nothing written.
func TestStaleStepsAnswer409WithTheInputKept(t *testing.T) {
	d := newDesk(t)
	stale := []url.Values{{}, {"version": {"x"}}, {"version": {"0"}}, {"version": {"2"}}}
	with := func(v url.Values, k, val string) url.Values {
		out := url.Values{k: {val}}
		for k, x := range v {
			out[k] = x
		}
		return out
	}

	t.Run("incident", func(t *testing.T) {
		inc := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Console injoignable")
		alice := d.as(t, "Alice.Agent")
		page := "/staff/incidents/" + inc.Number()
		alice.Get(page)
		before := written(t, d, "incident", "incidents", inc.ID)
		for _, v := range stale {
			v = with(with(v, "priority", "P1"), "reason", "Toute la production est touchée")
			r := alice.Post(page+"/priority", v)
			wantStatus(t, "priority "+v.Encode(), r, 409)
			wantBody(t, "priority", r, "This incident changed since you opened it", "Toute la production est touchée", `name="version" value="1"`)
		}
		if after := written(t, d, "incident", "incidents", inc.ID); after != before {
			t.Fatalf("stale steps wrote: %v, then %v", before, after)
		}
	})

	t.Run("change", func(t *testing.T) {
		r := mustChange(t, d, d.tenant(t, "OCB0000001").ID, "ecs_instances", "10", "500")
		sophie, marie := d.as(t, "Sophie.Commerciale"), d.as(t, "Marie.Dupont")
		path := "/changes/" + id(r.ID)
		sophie.Get("/staff" + path)
		before := written(t, d, "change", "change_requests", r.ID)
		for _, v := range stale {
			res := sophie.Post("/staff"+path+"/reject", with(v, "reason", "Budget du trimestre épuisé"))
			wantStatus(t, "reject "+v.Encode(), res, 409)
			wantBody(t, "reject", res, "Quelqu’un a modifié cette demande", "Budget du trimestre épuisé", `name="version" value="1"`)
			res = marie.Post(path+"/cancel", v)
			wantStatus(t, "cancel "+v.Encode(), res, 409)
			wantBody(t, "cancel", res, "Quelqu’un a modifié cette demande", `name="version" value="1"`)
		}
		if after := written(t, d, "change", "change_requests", r.ID); after != before {
			t.Fatalf("stale steps wrote: %v, then %v", before, after)
		}
		wantStatus(t, "cancel from the current page", marie.Post(path+"/cancel", url.Values{"version": {"1"}, "confirm": {"1"}}), 303)
	})

	t.Run("contract request", func(t *testing.T) {
		r := insertRequest(t, d, d.tenant(t, "OCB0000003").ID, contract.MultiTenantBill)
		sophie := d.as(t, "Sophie.Commerciale")
		path := "/staff/sales/" + id(r.ID)
		sophie.Get(path)
		before := written(t, d, "request", "contract_requests", r.ID)
		for _, v := range stale {
			res := sophie.Post(path+"/reject", with(v, "reason", "Trois contrats au moins"))
			wantStatus(t, "reject "+v.Encode(), res, 409)
			wantBody(t, "reject", res, "Quelqu’un a statué sur cette demande", "Trois contrats au moins")
		}
		if after := written(t, d, "request", "contract_requests", r.ID); after != before {
			t.Fatalf("stale decisions wrote: %v, then %v", before, after)
		}
	})
}

// TestRepliesShareOneRule: the reply boxes of incidents, changes and contract requests refuse an
// empty or too long text with the same messages, keep the text, and store line breaks as LF.
func TestRepliesShareOneRule(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	inc := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Stockage lent")
	chg := mustChange(t, d, d.tenant(t, "OCB0000001").ID, "ecs_ram", "64", "80")
	req := insertRequest(t, d, d.tenant(t, "OCB0000003").ID, contract.MultiTenantBill)
	long := strings.Repeat("x", 20001)
	for _, tc := range []struct{ kind, path string }{
		{"incident", "/incidents/" + inc.Number() + "/reply"},
		{"change", "/changes/" + id(chg.ID) + "/replies"},
		{"request", "/contract/requests/" + id(req.ID) + "/reply"},
	} {
		r := marie.PostFiles(tc.path, url.Values{"body": {" \r\n "}})
		wantStatus(t, tc.kind+" empty", r, 422)
		wantBody(t, tc.kind+" empty", r, `id="f-body-error"`, "Écrivez un message.")
		r = marie.PostFiles(tc.path, url.Values{"body": {long}})
		wantStatus(t, tc.kind+" too long", r, 422)
		wantBody(t, tc.kind+" too long", r, "Un message compte au plus 20000 caractères.", long)
		r = marie.PostFiles(tc.path, url.Values{"body": {"ligne un\r\nligne deux\rfin"}},
			testutil.File{Field: "files", Name: "trace.txt", Data: []byte("trace\n")})
		wantStatus(t, tc.kind+" reply", r, 303)
		var body string
		if err := d.DB.NewRaw("SELECT body FROM timeline_entries WHERE subject_kind = ? AND kind = 'reply' ORDER BY id DESC LIMIT 1", tc.kind).
			Scan(context.Background(), &body); err != nil {
			t.Fatal(err)
		}
		if body != "ligne un\nligne deux\nfin" {
			t.Errorf("%s reply stored as %q", tc.kind, body)
		}
	}
}
