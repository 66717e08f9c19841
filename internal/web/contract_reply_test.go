package web_test

import (
	"context"
	"net/url"
	"regexp"
	"testing"

	"github.com/guichet/guichet/internal/testutil"
)

// TestRequestReplies: the requester replies with a file, the sales rep answers publicly and
// notes internally; the note stays on the staff side, the file is for readers of the request
// only, and each reply is mailed to the other side.
func TestRequestReplies(t *testing.T) {
	d := newDesk(t)
	marie := inScope(t, d, "Marie.Dupont", "OCB0000003")
	reqID := filed(t, "order", marie.Post("/contract/order", url.Values{"contract_name": {"Recette"}, "level": {"basic"}}))
	marie.Get("/contract/requests/" + reqID)
	r := marie.PostFiles("/contract/requests/"+reqID+"/reply", url.Values{"body": {""}})
	wantStatus(t, "empty reply", r, 422)
	wantBody(t, "empty reply", r, `id="f-body-error"`)
	r = marie.PostFiles("/contract/requests/"+reqID+"/reply", url.Values{"body": {"Le bon de commande signé"}},
		testutil.File{Field: "files", Name: "bon.txt", Data: []byte("bon de commande\n")})
	wantStatus(t, "reply with a file", r, 303)
	if got := mailsTo(t, d, "request_reply", "sophie.commerciale@example.fr"); len(got) != 1 {
		t.Fatalf("reply mails to the sales rep: %q", got)
	}

	sophie := d.as(t, "Sophie.Commerciale")
	page := sophie.Get("/staff/sales/" + reqID)
	wantBody(t, "staff page", page, "Le bon de commande signé", "bon.txt")
	att := regexp.MustCompile(`/attachments/(\d+)`).FindStringSubmatch(page.Body)
	if att == nil {
		t.Fatal("no attachment link")
	}
	wantStatus(t, "another customer downloads the file", d.as(t, "Paul.Martin").Get("/attachments/"+att[1]), 404)
	wantStatus(t, "the requester downloads the file", marie.Get("/attachments/"+att[1]), 200)
	wantStatus(t, "the sales rep downloads the file", sophie.Get("/attachments/"+att[1]), 200)

	wantStatus(t, "internal note", sophie.PostFiles("/staff/sales/"+reqID+"/reply", url.Values{"body": {"Client fiable"}, "visibility": {"internal"}}), 303)
	wantStatus(t, "public reply", sophie.PostFiles("/staff/sales/"+reqID+"/reply", url.Values{"body": {"Bien reçu"}, "visibility": {"public"}}), 303)
	cust := marie.Get("/contract/requests/" + reqID)
	wantBody(t, "customer page", cust, "Bien reçu")
	wantNoBody(t, "customer page", cust, "Client fiable")
	var n int
	if err := d.DB.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM outbox WHERE kind = 'request_reply' AND recipient_email = 'marie.dupont@example.fr' AND lang = 'fr'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("reply mails to Marie: %d, %v (the note is never mailed)", n, err)
	}
}
