package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/notify"
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
