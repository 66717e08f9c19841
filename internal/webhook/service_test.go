package webhook_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/events"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/webhook"
	"github.com/uptrace/bun"
)

const hookURL = "https://127.0.0.1:9/hook"

func types(ds []webhook.Delivery) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.EventType)
	}
	return out
}

// TestIncidentEventsReachTheirTenantOnlyAndNeverCarryANote follows an incident through its life
// with four endpoints: the tenant's (every incident event), the tenant's for resolutions only,
// another tenant's, and an admin's of every tenant. Each hears what it subscribed to about its
// tenant only; an internal note reaches no tenant's endpoint, and the admin's hears of it
// without its text.
func TestIncidentEventsReachTheirTenantOnlyAndNeverCarryANote(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	mine, _ := f.register("Marie.Dupont", "OCB0000001", hookURL, "incident.*")
	resolved, _ := f.register("admin", "OCB0000001", hookURL, "incident.resolved")
	other, _ := f.register("Paul.Martin", "OCB0000004", hookURL, "incident.*", "change.*", "contract.request.*")
	all, _ := f.register("admin", "", hookURL, "incident.*")
	off, _ := f.register("Marie.Dupont", "OCB0000001", hookURL, "incident.*")
	if _, err := f.svc.Update(ctx, f.actor("Marie.Dupont"), off.ID, off.Version, webhook.Draft{URL: off.URL, Events: off.Events()}); err != nil {
		t.Fatal(err)
	}

	inc := f.declare("John.Doe", "OCB0000001", "API gateway answers 502")
	alice := f.actor("Alice.Agent")
	const secret = "the customer must never read this"
	if _, err := f.a.Incidents.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Reply, Body: secret, Internal: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.Incidents.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Reply, Body: "We are looking into it."}); err != nil {
		t.Fatal(err)
	}
	inc, err := f.a.Incidents.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Take, Version: inc.Version})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.Incidents.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Resolve, Version: inc.Version, Body: "The gateway was restarted."}); err != nil {
		t.Fatal(err)
	}
	// An incident of another tenant.
	f.declare("Paul.Martin", "OCB0000004", "Martin's VM is down")

	ds := f.deliveries(mine)
	if got := types(ds); !slices.Equal(got, []string{"incident.declared", "incident.updated", "incident.updated", "incident.resolved"}) {
		t.Fatalf("the tenant's endpoint got %v", got)
	}
	for _, d := range ds {
		p := payload(t, d)
		if p["tenant"] != "OCB0000001" || d.Status != webhook.StatusPending || !strings.HasPrefix(d.EventID, "evt_") || p["id"] != d.EventID || p["type"] != d.EventType {
			t.Errorf("delivery %+v: payload %v", d, p)
		}
		if strings.Contains(d.Payload, secret) || strings.Contains(d.Payload, `"note"`) || strings.Contains(d.Payload, "Martin") {
			t.Errorf("the tenant's endpoint read %s", d.Payload)
		}
		if !d.DeadlineAt.Equal(d.CreatedAt.Add(webhook.RetryWindow)) {
			t.Errorf("deadline %v for an event of %v", d.DeadlineAt, d.CreatedAt)
		}
	}
	decl := data(t, ds[0])
	if decl["number"] != inc.Number() || decl["title"] != "API gateway answers 502" || decl["status"] != "new" || decl["reporter"] != "John Doe" ||
		decl["entry"] != nil || decl["phone"] != nil {
		t.Errorf("declared: %v", decl)
	}
	reply, _ := data(t, ds[1])["entry"].(map[string]any)
	if reply["kind"] != "reply" || reply["body"] != "We are looking into it." || reply["author"].(map[string]any)["name"] != "Alice Agent" {
		t.Errorf("public reply: %v", reply)
	}
	res := data(t, ds[3])
	entry, _ := res["entry"].(map[string]any)
	if res["status"] != "resolved" || res["resolved_at"] == nil || entry["body"] != "The gateway was restarted." || entry["to"] != "incident.status.resolved" {
		t.Errorf("resolved: %v", res)
	}

	if got := types(f.deliveries(resolved)); !slices.Equal(got, []string{"incident.resolved"}) {
		t.Errorf("the endpoint of resolutions got %v", got)
	}
	if got := types(f.deliveries(off)); len(got) != 0 {
		t.Errorf("a switched-off endpoint got %v", got)
	}
	od := f.deliveries(other)
	if len(od) != 1 || payload(t, od[0])["tenant"] != "OCB0000004" || strings.Contains(od[0].Payload, "OCB0000001") ||
		strings.Contains(od[0].Payload, "gateway") {
		t.Errorf("another tenant's endpoint got %v", od)
	}

	ad := f.deliveries(all)
	if got := types(ad); !slices.Equal(got, []string{"incident.declared", "incident.updated", "incident.updated", "incident.updated", "incident.resolved", "incident.declared"}) {
		t.Fatalf("the endpoint of every tenant got %v", got)
	}
	note, _ := data(t, ad[1])["entry"].(map[string]any)
	if note["kind"] != "note" || note["body"] != nil || note["author"] == nil || strings.Contains(ad[1].Payload, secret) {
		t.Errorf("the note reached the admin's endpoint as %s", ad[1].Payload)
	}
	if payload(t, ad[5])["tenant"] != "OCB0000004" {
		t.Errorf("the admin's endpoint: %s", ad[5].Payload)
	}
	// One event, one id: the deliveries of the declaration to two endpoints share it.
	if ad[0].EventID != ds[0].EventID || ad[0].Payload != ds[0].Payload {
		t.Errorf("one event, two ids: %s, %s", ad[0].EventID, ds[0].EventID)
	}
}

// TestChangeAndContractEventsAreEmitted: a change request's submission and steps, and a contract
// request's filing, decision and reply, each become their event for the tenant's endpoint, with
// the public entry; a rejected request carries its reason, and a note reaches no one.
func TestChangeAndContractEventsAreEmitted(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	changes, _ := f.register("Marie.Dupont", "OCB0000001", hookURL, "change.*")
	requests, _ := f.register("Marie.Dupont", "OCB0000003", hookURL, "contract.request.*")
	marie, sophie, alice := f.actor("Marie.Dupont"), f.actor("Sophie.Commerciale"), f.actor("Alice.Agent")

	r, err := f.a.Changes.Submit(ctx, marie, f.tenant("OCB0000001"), "vpcs",
		map[string]string{"region": "eu-west-1", "current": "5", "requested": "6", "justification": "Croissance"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.a.Changes.Reply(ctx, alice, r.ID, "internal: check the capacity first", true, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.a.Changes.Reply(ctx, alice, r.ID, "We will schedule it.", false, nil); err != nil {
		t.Fatal(err)
	}
	r, _, _, err = f.a.Changes.Get(ctx, marie, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.Changes.Act(ctx, marie, r.ID, change.StepInput{Action: change.Cancel, Version: r.Version}); err != nil {
		t.Fatal(err)
	}
	ds := f.deliveries(changes)
	if got := types(ds); !slices.Equal(got, []string{events.ChangeSubmitted, events.ChangeUpdated, events.ChangeCancelled}) {
		t.Fatalf("change events: %v", got)
	}
	sub := data(t, ds[0])
	values, _ := sub["values"].(map[string]any)
	if sub["number"] != r.Number() || sub["item"] != "vpcs" || values["requested"] != "6" || sub["requester"] != "Marie Dupont" {
		t.Errorf("submitted: %v", sub)
	}
	for _, d := range ds {
		if strings.Contains(d.Payload, "capacity") {
			t.Errorf("a note reached the tenant's endpoint: %s", d.Payload)
		}
	}
	if e, _ := data(t, ds[2])["entry"].(map[string]any); data(t, ds[2])["state"] != "cancelled" || e["to"] != "change.state.cancelled" {
		t.Errorf("cancelled: %v", data(t, ds[2]))
	}

	req, err := f.a.Contracts.File(ctx, marie, f.tenant("OCB0000003"), contract.Form{Kind: contract.SupportLevel, Level: "premium"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.a.Contracts.Reply(ctx, sophie, req.ID, "Only a note for sales", true, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.a.Contracts.Reply(ctx, marie, req.ID, "Is it possible this month?", false, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.Contracts.Decide(ctx, sophie, req.ID, contract.Decision{Accept: false, Reason: "Ask again in January.", Version: req.Version}); err != nil {
		t.Fatal(err)
	}
	rs := f.deliveries(requests)
	if got := types(rs); !slices.Equal(got, []string{events.ContractRequestFiled, events.ContractRequestUpdated, events.ContractRequestRejected}) {
		t.Fatalf("contract events: %v", got)
	}
	filed, rejected := data(t, rs[0]), data(t, rs[2])
	if filed["number"] != req.Number() || filed["kind"] != "support_level" || filed["level"] != "premium" || filed["from_level"] != "standard" ||
		filed["requester"] != "Marie Dupont" {
		t.Errorf("filed: %v", filed)
	}
	if rejected["state"] != "rejected" || rejected["reason"] != "Ask again in January." {
		t.Errorf("rejected: %v", rejected)
	}
	for _, d := range rs {
		if strings.Contains(d.Payload, "note for sales") || strings.Contains(d.Payload, "password") {
			t.Errorf("the tenant's endpoint read %s", d.Payload)
		}
	}
}

// TestEmitWritesInTheCallersTransaction: deliveries written in a transaction that rolls back
// do not exist.
func TestEmitWritesInTheCallersTransaction(t *testing.T) {
	f := newFixture(t)
	w, _ := f.register("Marie.Dupont", "OCB0000001", hookURL, "incident.*")
	inc := f.declare("John.Doe", "OCB0000001", "Disk full")
	before := len(f.deliveries(w))
	boom := errors.New("the change fails after its event")
	err := f.a.DB.RunInTx(t.Context(), nil, func(ctx context.Context, tx bun.Tx) error {
		if err := f.svc.Emit(ctx, tx, events.Event{Type: events.IncidentUpdated, TenantID: inc.TenantID, Subject: inc}); err != nil {
			return err
		}
		if n := testutil.Count(t, tx, "webhook_deliveries", "webhook_id = ?", w.ID); n != before+1 {
			t.Errorf("inside the transaction: %d deliveries, want %d", n, before+1)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if n := len(f.deliveries(w)); n != before {
		t.Errorf("after the rollback: %d deliveries, want %d", n, before)
	}
	// An event about another tenant's ticket is a programming error, refused.
	err = f.a.DB.RunInTx(t.Context(), nil, func(ctx context.Context, tx bun.Tx) error {
		return f.svc.Emit(ctx, tx, events.Event{Type: events.IncidentUpdated, TenantID: f.tenant("OCB0000001"),
			Subject: &incident.Incident{ID: 99, TenantID: f.tenant("OCB0000004")}})
	})
	if err == nil {
		t.Error("an event carrying another tenant's incident was written")
	}
}

// TestWhoManagesEndpoints: admins manage every endpoint; a referent those of their tenants; a
// member who is not the referent is refused (403) on their tenant; anyone else finds nothing.
func TestWhoManagesEndpoints(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	t1, t4 := f.tenant("OCB0000001"), f.tenant("OCB0000004")
	marie, john, paul := f.actor("Marie.Dupont"), f.actor("John.Doe"), f.actor("Paul.Martin")
	alice, sophie, admin := f.actor("Alice.Agent"), f.actor("Sophie.Commerciale"), f.actor("admin")
	d := webhook.Draft{URL: hookURL, Events: []string{"incident.*"}, Active: true}

	for _, c := range []struct {
		who    string
		create func() error
		want   error
	}{
		{"John (member of OCB0000001, not its referent)", func() error { _, _, err := f.svc.Create(ctx, john, t1, d); return err }, apperr.ErrForbidden},
		{"Paul (another tenant)", func() error { _, _, err := f.svc.Create(ctx, paul, t1, d); return err }, apperr.ErrNotFound},
		{"Marie for every tenant", func() error { _, _, err := f.svc.Create(ctx, marie, 0, d); return err }, apperr.ErrForbidden},
		{"Alice", func() error { _, _, err := f.svc.Create(ctx, alice, t1, d); return err }, apperr.ErrForbidden},
		{"Sophie", func() error { _, _, err := f.svc.Create(ctx, sophie, t1, d); return err }, apperr.ErrForbidden},
		{"admin on a tenant that does not exist", func() error { _, _, err := f.svc.Create(ctx, admin, 999999, d); return err }, apperr.ErrNotFound},
	} {
		if err := c.create(); !errors.Is(err, c.want) {
			t.Errorf("%s registers: %v, want %v", c.who, err, c.want)
		}
	}
	if n := testutil.Count(t, f.a.DB, "webhooks", "1 = 1"); n != 0 {
		t.Fatalf("refused registrations wrote %d endpoints", n)
	}

	w1, secret := f.register("Marie.Dupont", "OCB0000001", hookURL, "incident.*")
	if !strings.HasPrefix(secret, webhook.SecretPrefix) || len(secret) < 40 || w1.TenantCode != "OCB0000001" || w1.CreatedByName != "Marie Dupont" {
		t.Errorf("registered %+v with secret %q", w1, secret)
	}
	w4, _ := f.register("Paul.Martin", "OCB0000004", hookURL, "change.*")
	wAdmin, _ := f.register("admin", "OCB0000001", hookURL, "incident.*")
	wAll, _ := f.register("admin", "", hookURL, "incident.*")

	ids := func(ws []webhook.Webhook) []int64 {
		var out []int64
		for _, w := range ws {
			out = append(out, w.ID)
		}
		return out
	}
	for _, c := range []struct {
		who    string
		list   func() ([]webhook.Webhook, bool, error)
		want   []int64
		refuse error
	}{
		{"Marie", func() ([]webhook.Webhook, bool, error) { return f.svc.List(ctx, marie, 0, paging.Number(1)) }, []int64{w1.ID, wAdmin.ID}, nil},
		{"Marie on OCB0000001", func() ([]webhook.Webhook, bool, error) { return f.svc.List(ctx, marie, t1, paging.Number(1)) }, []int64{w1.ID, wAdmin.ID}, nil},
		{"Paul", func() ([]webhook.Webhook, bool, error) { return f.svc.List(ctx, paul, 0, paging.Number(1)) }, []int64{w4.ID}, nil},
		{"John", func() ([]webhook.Webhook, bool, error) { return f.svc.List(ctx, john, 0, paging.Number(1)) }, nil, nil},
		{"admin", func() ([]webhook.Webhook, bool, error) { return f.svc.List(ctx, admin, 0, paging.Number(1)) }, []int64{w1.ID, w4.ID, wAdmin.ID, wAll.ID}, nil},
		{"admin on OCB0000004", func() ([]webhook.Webhook, bool, error) { return f.svc.List(ctx, admin, t4, paging.Number(1)) }, []int64{w4.ID}, nil},
		{"John on OCB0000001", func() ([]webhook.Webhook, bool, error) { return f.svc.List(ctx, john, t1, paging.Number(1)) }, nil, apperr.ErrForbidden},
		{"Paul on OCB0000001", func() ([]webhook.Webhook, bool, error) { return f.svc.List(ctx, paul, t1, paging.Number(1)) }, nil, apperr.ErrNotFound},
		{"Alice", func() ([]webhook.Webhook, bool, error) { return f.svc.List(ctx, alice, 0, paging.Number(1)) }, nil, apperr.ErrForbidden},
		{"Sophie", func() ([]webhook.Webhook, bool, error) { return f.svc.List(ctx, sophie, 0, paging.Number(1)) }, nil, apperr.ErrForbidden},
	} {
		ws, _, err := c.list()
		if c.refuse != nil {
			if !errors.Is(err, c.refuse) {
				t.Errorf("%s lists: %v, want %v", c.who, err, c.refuse)
			}
			continue
		}
		if err != nil || !slices.Equal(ids(ws), c.want) {
			t.Errorf("%s lists %v (%v), want %v", c.who, ids(ws), err, c.want)
		}
	}
	page, more, err := f.svc.List(ctx, admin, 0, paging.Page{Number: 2, Size: 3})
	if err != nil || more || !slices.Equal(ids(page), []int64{wAll.ID}) {
		t.Errorf("admin's second page of 3: %v, more %v, %v", ids(page), more, err)
	}

	// Reading, changing, deleting: what one may not manage does not exist.
	for _, c := range []struct {
		who string
		id  int64
	}{{"John.Doe", w1.ID}, {"Paul.Martin", w1.ID}, {"Alice.Agent", w1.ID}, {"Sophie.Commerciale", w1.ID}, {"Marie.Dupont", wAll.ID}, {"Marie.Dupont", w4.ID}} {
		a := f.actor(c.who)
		if _, err := f.svc.Get(ctx, a, c.id); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s reads endpoint %d: %v", c.who, c.id, err)
		}
		if _, err := f.svc.Update(ctx, a, c.id, 1, d); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s changes endpoint %d: %v", c.who, c.id, err)
		}
		if _, _, err := f.svc.RotateSecret(ctx, a, c.id, 1); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s rotates the secret of endpoint %d: %v", c.who, c.id, err)
		}
		if _, _, err := f.svc.Deliveries(ctx, a, c.id, "", paging.Number(1)); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s reads the deliveries of endpoint %d: %v", c.who, c.id, err)
		}
		if _, err := f.svc.Redeliver(ctx, a, c.id, 1); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s redelivers on endpoint %d: %v", c.who, c.id, err)
		}
		if err := f.svc.Delete(ctx, a, c.id); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s deletes endpoint %d: %v", c.who, c.id, err)
		}
	}
	if n := testutil.Count(t, f.a.DB, "webhooks", "version = 1"); n != 4 {
		t.Fatalf("refused changes touched the endpoints: %d at version 1", n)
	}

	// The referent manages the admin's endpoint of their tenant; a stale version is refused.
	got, err := f.svc.Update(ctx, marie, wAdmin.ID, wAdmin.Version, webhook.Draft{URL: "https://127.0.0.1:9/other", Events: []string{"change.*", "change.*"},
		Description: "  Chat  ", Active: false})
	if err != nil || got.URL != "https://127.0.0.1:9/other" || !slices.Equal(got.Events(), []string{"change.*"}) || got.Description != "Chat" ||
		got.Active || got.Version != 2 || got.Secret != wAdmin.Secret {
		t.Fatalf("updated: %+v, %v", got, err)
	}
	if _, err := f.svc.Update(ctx, marie, wAdmin.ID, 1, d); !errors.Is(err, apperr.ErrStale) {
		t.Errorf("a stale update: %v", err)
	}
	got, secret2, err := f.svc.RotateSecret(ctx, admin, w1.ID, w1.Version)
	if err != nil || secret2 == secret || got.Version != 2 {
		t.Fatalf("rotated: %+v, %v", got, err)
	}
	if err := f.svc.Delete(ctx, admin, w4.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Get(ctx, paul, w4.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("a deleted endpoint: %v", err)
	}
}

// TestDraftsAreValidated: each bad field is named; nothing is written.
func TestDraftsAreValidated(t *testing.T) {
	f := newFixture(t)
	f.svc.AllowPrivate = false
	f.svc.Resolver = resolver{}
	marie, t1 := f.actor("Marie.Dupont"), f.tenant("OCB0000001")
	for _, c := range []struct {
		d    webhook.Draft
		want []string
	}{
		{webhook.Draft{URL: "http://hooks.example.com/x", Events: []string{"incident.*"}}, []string{"url:webhook.error.url_https"}},
		{webhook.Draft{URL: "https://127.0.0.1/x", Events: []string{"incident.*"}}, []string{"url:webhook.error.url_private"}},
		{webhook.Draft{URL: "https://hooks.example.com/x", Events: []string{"incident.*"}}, []string{"url:webhook.error.url_resolve"}},
		{webhook.Draft{URL: "https://user:pw@203.0.113.7/x", Events: []string{"incident.*"}}, []string{"url:webhook.error.url_invalid"}},
		{webhook.Draft{URL: "https://203.0.113.7/x", Events: []string{"incident.*", "incident.deleted"}}, []string{"events:webhook.error.event_unknown"}},
		{webhook.Draft{URL: "https://203.0.113.7/x"}, []string{"events:webhook.error.events_required"}},
		{webhook.Draft{URL: "", Events: []string{"*"}, Description: strings.Repeat("x", 201)}, []string{"url:webhook.error.url_required", "events:webhook.error.event_unknown", "description:webhook.error.description_too_long"}},
		{webhook.Draft{URL: "https://203.0.113.7/x", Events: []string{"change.*"}, Description: "bell\x07"}, []string{"description:webhook.error.description_invalid"}},
	} {
		_, _, err := f.svc.Create(t.Context(), marie, t1, c.d)
		testutil.WantFields(t, err, c.want...)
	}
	if n := testutil.Count(t, f.a.DB, "webhooks", "1 = 1"); n != 0 {
		t.Errorf("%d endpoints written", n)
	}
	for range webhook.MaxPerTenant {
		if _, _, err := f.svc.Create(t.Context(), marie, t1, webhook.Draft{URL: "https://203.0.113.7/x", Events: []string{"incident.*"}}); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err := f.svc.Create(t.Context(), marie, t1, webhook.Draft{URL: "https://203.0.113.7/x", Events: []string{"incident.*"}})
	testutil.WantFields(t, err, ":webhook.error.too_many")
}
