package notify_test

import (
	"context"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/replyaddr"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

// A display name with a comma, quotes, a line break or letters outside ASCII, as stored before
// names were checked at input, reaches the relay in a To header that reads back as that name,
// and adds no header; the mail is sent, not dead.
func TestDisplayNamesAreEncoded(t *testing.T) {
	for _, c := range []struct{ stored, reads string }{
		{"Dupont, \"Jean\"\r\nBcc: x@y", `Dupont, "Jean" Bcc: x@y`},
		{"Zoé « Œuvre », Ünal", "Zoé « Œuvre », Ünal"},
		{"<script>\"\\\t;:@", `<script>"\ ;:@`},
	} {
		t.Run(c.reads, func(t *testing.T) {
			a := newDesk(t)
			srv := testutil.StartSMTP(t)
			ctx := context.Background()
			john := user(t, a, "John.Doe")
			if _, err := a.DB.NewUpdate().Model((*identity.User)(nil)).Set("display_name = ?", c.stored).Where("id = ?", john.ID).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			if err := a.Identity.RequestPasswordReset(ctx, john.Login); err != nil {
				t.Fatal(err)
			}
			runOnce(t, newWorker(a, newSender(a, srv.Port), newClock(time.Now().Add(time.Minute))), 1)
			if m := oneRow(t, a); m.Status != notify.StatusSent {
				t.Fatalf("status %s (%s), want sent", m.Status, m.LastError)
			}
			got := srv.Received()
			if len(got) != 1 || len(got[0].To) != 1 || got[0].To[0] != john.Email {
				t.Fatalf("relay received %d messages, envelope %v; want one, to %s only", len(got), got[0].To, john.Email)
			}
			p := parseMail(t, got[0])
			if len(p.To) != 1 || p.To[0].Address != john.Email || p.To[0].Name != c.reads {
				t.Errorf("To %q reads %v, want %q <%s>", p.Header.Get("To"), p.To, c.reads, john.Email)
			}
			for key := range p.Header {
				if strings.EqualFold(key, "Bcc") {
					t.Errorf("the name added a header: Bcc %q", p.Header.Get(key))
				}
			}
			if n := len(p.Header["To"]); n != 1 {
				t.Errorf("%d To headers", n)
			}
		})
	}
}

// Mail about a ticket carries a Reply-To on the support address naming the ticket and the
// recipient it was sent to; account mail carries none.
func TestTicketMailCarriesItsRecipientsReplyAddress(t *testing.T) {
	a := newDesk(t)
	a.Config.ReplyTo = &mail.Address{Address: "support@desk.example.com"}
	srv := testutil.StartSMTP(t)
	ctx := context.Background()
	john, marie := user(t, a, "John.Doe"), user(t, a, "Marie.Dupont")
	tn, err := tenancy.TenantByCode(ctx, a.DB, "OCB0000001")
	if err != nil {
		t.Fatal(err)
	}
	inc, err := a.Incidents.Declare(ctx, tenancy.ActorOf(john), tn.ID, incident.Draft{Title: "Instance arrêtée",
		Description: "Depuis 9 h.", Service: "ecs", Region: "eu-west-0", Impact: "high", Urgency: "medium"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Identity.RequestPasswordReset(ctx, john.Login); err != nil {
		t.Fatal(err)
	}
	book, err := a.ReplyBook(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := newSender(a, srv.Port)
	s.Replies = book
	runOnce(t, newWorker(a, s, newClock(time.Now().Add(time.Minute))), 3)
	got := srv.Received()
	if len(got) != 3 {
		t.Fatalf("%d mails, want the declaration's two and the reset", len(got))
	}
	ids := map[string]int64{john.Email: john.ID, marie.Email: marie.ID}
	for _, r := range got {
		p := parseMail(t, r)
		replyTo := p.Header.Get("Reply-To")
		if strings.Contains(p.Subject, inc.Number()) {
			addr, err := mail.ParseAddress(replyTo)
			if err != nil {
				t.Fatalf("Reply-To %q: %v", replyTo, err)
			}
			ref, ok, _ := book.Read(addr.Address)
			if want := (replyaddr.Ref{Kind: replyaddr.Incident, TicketID: inc.ID, UserID: ids[r.To[0]]}); !ok || ref != want {
				t.Errorf("mail to %s: Reply-To %q reads %+v %v, want %+v", r.To[0], replyTo, ref, ok, want)
			}
		} else if replyTo != "" {
			t.Errorf("account mail %q has Reply-To %q", p.Subject, replyTo)
		}
	}
}
