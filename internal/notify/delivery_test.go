package notify_test

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/uptrace/bun"
)

// 1. Each recipient reads the mail in their own language, text and HTML, with a working link.
func TestPasswordResetInEachLanguage(t *testing.T) {
	a := newDesk(t)
	srv := testutil.StartSMTP(t)
	ctx := context.Background()
	for _, login := range []string{"Marie.Dupont", "John.Doe"} {
		if err := a.Identity.RequestPasswordReset(ctx, login); err != nil {
			t.Fatalf("RequestPasswordReset(%s): %v", login, err)
		}
	}
	runOnce(t, newWorker(a, newSender(a, srv.Port), newClock(time.Now())), 2)

	got := map[string]parsed{}
	for _, r := range srv.Received() {
		if len(r.To) != 1 {
			t.Fatalf("envelope recipients = %v, want one", r.To)
		}
		got[r.To[0]] = parseMail(t, r)
	}
	if len(got) != 2 {
		t.Fatalf("server received mail for %d recipients, want 2", len(got))
	}
	link := regexp.MustCompile(regexp.QuoteMeta(a.Config.BaseURL) + `/password/reset/([A-Za-z0-9_-]{16,})`)
	subjects := map[string]string{}
	for _, c := range []struct{ login, name, email, lang, hello, otherHello string }{
		{"Marie.Dupont", "Marie Dupont", "marie.dupont@example.fr", "fr", "Bonjour Marie Dupont,", "Hello"},
		{"John.Doe", "John Doe", "john.doe@example.com", "en", "Hello John Doe,", "Bonjour"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			p, ok := got[c.email]
			if !ok {
				t.Fatalf("no mail for %s", c.email)
			}
			want, err := a.Bundle.Lookup(c.lang, "email.password_reset.subject", nil)
			if err != nil {
				t.Fatal(err)
			}
			subjects[c.lang] = p.Subject
			if p.Subject != want {
				t.Errorf("subject = %q, want %q", p.Subject, want)
			}
			if len(p.To) != 1 || p.To[0].Address != c.email || p.To[0].Name != c.name {
				t.Errorf("To = %v, want %s <%s>", p.To, c.name, c.email)
			}
			if cl := p.Header.Get("Content-Language"); cl != c.lang {
				t.Errorf("Content-Language = %q, want %q", cl, c.lang)
			}
			if !slices.Equal(p.Parts, []string{"text/plain", "text/html"}) {
				t.Errorf("parts = %v, want text/plain then text/html", p.Parts)
			}
			if strings.TrimSpace(p.Text) == "" || strings.TrimSpace(p.HTML) == "" {
				t.Fatalf("empty alternative: text %d bytes, html %d bytes", len(p.Text), len(p.HTML))
			}
			if !strings.HasPrefix(p.Text, c.hello) || !strings.Contains(p.HTML, c.hello) {
				t.Errorf("greeting %q missing:\n%s", c.hello, p.Text)
			}
			if strings.Contains(p.Text, c.otherHello) || strings.Contains(p.HTML, c.otherHello) {
				t.Errorf("body mixes in the other language (%q):\n%s", c.otherHello, p.Text)
			}
			for _, key := range []string{"email.password_reset.expiry", "email.footer"} {
				s, err := a.Bundle.Lookup(c.lang, key, nil)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(p.Text, s) {
					t.Errorf("text lacks %s = %q:\n%s", key, s, p.Text)
				}
			}
			button, _ := a.Bundle.Lookup(c.lang, "email.password_reset.button", nil)
			if !strings.Contains(p.HTML, button) || !strings.Contains(p.HTML, `lang="`+c.lang+`"`) {
				t.Errorf("html lacks the %s button %q or lang attribute", c.lang, button)
			}
			if !strings.Contains(p.Text, c.login) {
				t.Errorf("text does not name the login %s", c.login)
			}
			m := link.FindStringSubmatch(p.Text)
			if m == nil {
				t.Fatalf("no link under %s in the text:\n%s", a.Config.BaseURL, p.Text)
			}
			if !strings.Contains(p.HTML, `href="`+m[0]+`"`) {
				t.Errorf("html lacks href=%q", m[0])
			}
			u, purpose, err := a.Identity.PasswordLinkUser(ctx, m[1])
			if err != nil || u.Login != c.login || purpose != identity.PurposeReset {
				t.Errorf("link %s: user %v, purpose %q, err %v; want %s", m[0], u, purpose, err, c.login)
			}
		})
	}
	if subjects["fr"] == subjects["en"] {
		t.Errorf("both languages got the subject %q", subjects["fr"])
	}
}

// 2. Message-ID, threading and auto-reply headers, and the From display name.
func TestHeadersAndThreading(t *testing.T) {
	a := newDesk(t)
	srv := testutil.StartSMTP(t)
	ctx := context.Background()
	marie, john := user(t, a, "Marie.Dupont"), user(t, a, "John.Doe")
	// Marie's account is locked (fr subject with non-ASCII letters), then she asks for a new
	// password: two messages of one thread. John's reset is another thread.
	locked := false
	for range identity.MaxFailedLogins {
		_, err := a.Identity.Authenticate(ctx, marie.Login, "wrong password")
		locked = errors.Is(err, identity.ErrLocked)
	}
	if !locked {
		t.Fatal("Marie is not locked after the failed logins")
	}
	for _, login := range []string{"Marie.Dupont", "John.Doe"} {
		if err := a.Identity.RequestPasswordReset(ctx, login); err != nil {
			t.Fatal(err)
		}
	}
	rows := outboxRows(t, a)
	if len(rows) != 3 {
		t.Fatalf("outbox has %d rows, want 3 (locked + 2 resets)", len(rows))
	}
	runOnce(t, newWorker(a, newSender(a, srv.Port), newClock(time.Now())), 3)

	byID := map[string]notify.Message{}
	for _, r := range rows {
		byID[r.MessageID] = r
	}
	roots := map[string][]string{} // recipient → In-Reply-To of each of their messages
	got := srv.Received()
	if len(got) != 3 {
		t.Fatalf("server received %d messages, want 3", len(got))
	}
	for _, r := range got {
		p := parseMail(t, r)
		mid := p.Header.Get("Message-ID")
		row, ok := byID[mid]
		if !ok {
			t.Fatalf("Message-ID %q is none of the outbox rows' %v", mid, keys(byID))
		}
		delete(byID, mid) // each row's Message-ID is used once
		if !strings.HasPrefix(mid, "<") || !strings.HasSuffix(mid, ">") || !strings.Contains(mid, "@") {
			t.Errorf("Message-ID %q is not <left@right>", mid)
		}
		root := a.Notifier.ThreadRoot(row.Thread)
		if irt := p.Header.Get("In-Reply-To"); irt != root {
			t.Errorf("In-Reply-To = %q, want ThreadRoot(%q) = %q", irt, row.Thread, root)
		}
		if refs := p.Header.Get("References"); refs != root {
			t.Errorf("References = %q, want %q", refs, root)
		}
		if root == mid {
			t.Errorf("the thread root %q is the message's own id", root)
		}
		roots[r.To[0]] = append(roots[r.To[0]], p.Header.Get("In-Reply-To"))
		if v := p.Header.Get("Auto-Submitted"); v != "auto-generated" {
			t.Errorf("Auto-Submitted = %q", v)
		}
		if v := p.Header.Get("X-Auto-Response-Suppress"); v != "All" {
			t.Errorf("X-Auto-Response-Suppress = %q", v)
		}
		if p.From.Name != testFrom.Name || p.From.Address != testFrom.Address {
			t.Errorf("From = %q <%s>, want %q <%s>", p.From.Name, p.From.Address, testFrom.Name, testFrom.Address)
		}
		if r.From != testFrom.Address || len(r.To) != 1 || r.To[0] != row.RecipientEmail {
			t.Errorf("envelope %s → %v, want %s → %s", r.From, r.To, testFrom.Address, row.RecipientEmail)
		}
		if _, err := p.Header.Date(); err != nil {
			t.Errorf("Date: %v", err)
		}
		if p.Subject != row.Subject {
			t.Errorf("Subject = %q, want the row's %q", p.Subject, row.Subject)
		}
		if row.Kind == "account_locked" {
			want, _ := a.Bundle.Lookup("fr", "email.account_locked.subject", nil)
			if p.Subject != want {
				t.Errorf("locked subject = %q, want %q", p.Subject, want)
			}
		}
	}
	mr, jr := roots[marie.Email], roots[john.Email]
	if len(mr) != 2 || mr[0] != mr[1] || mr[0] != a.Notifier.ThreadRoot("account-"+strconv.FormatInt(marie.ID, 10)) {
		t.Errorf("Marie's two messages refer to %v, want one root for her account thread", mr)
	}
	if len(jr) != 1 || jr[0] == mr[0] {
		t.Errorf("John's message refers to %v, Marie's to %v: want distinct threads", jr, mr)
	}
}

func keys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

var errBoom = errors.New("boom")

// 7. Mail written in a transaction that rolls back is never sent.
func TestRolledBackTransactionSendsNothing(t *testing.T) {
	a := newDesk(t)
	srv := testutil.StartSMTP(t)
	ctx := context.Background()
	john := notify.RecipientOf(user(t, a, "John.Doe"))
	err := a.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := a.Notifier.Enqueue(ctx, tx, resetNotice(a, "t7"), john); err != nil {
			return err
		}
		n, err := tx.NewSelect().Model((*notify.Message)(nil)).Count(ctx)
		if err != nil || n != 1 {
			t.Errorf("inside the transaction: %d rows, %v; want 1", n, err)
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("RunInTx = %v, want boom", err)
	}
	clk := newClock(time.Now())
	w := newWorker(a, newSender(a, srv.Port), clk)
	runOnce(t, w, 0)
	if n := len(outboxRows(t, a)); n != 0 || len(srv.Received()) != 0 {
		t.Fatalf("after rollback: %d rows, %d delivered; want none", n, len(srv.Received()))
	}
	enqueueReset(t, a, "t7", john) // the same, committed, is sent
	clk.Add(time.Second)
	runOnce(t, w, 1)
	if len(srv.Received()) != 1 {
		t.Errorf("committed message delivered %d times, want 1", len(srv.Received()))
	}
}

// 8. A message that cannot be rendered fails Enqueue, and with it the transaction.
func TestUnrenderableFailsEnqueue(t *testing.T) {
	a := newDesk(t)
	ctx := context.Background()
	john := notify.RecipientOf(user(t, a, "John.Doe"))
	link := a.Notifier.Link("/x")
	for _, c := range []struct {
		name   string
		notice notify.Notice
		to     notify.Recipient
	}{
		{"unknown kind", notify.Notice{Kind: "no_such_mail", Thread: "t8"}, john},
		{"unknown language", resetNotice(a, "t8"), notify.Recipient{Email: "x@example.com", Name: "X", Lang: "de"}},
		{"no language", resetNotice(a, "t8"), notify.Recipient{Email: "x@example.com", Name: "X"}},
		{"missing template data", notify.Notice{Kind: "password_reset", Thread: "t8", Data: map[string]any{"Link": link}}, john},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := a.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				// A good message first: it must roll back with the bad one.
				if err := a.Notifier.Enqueue(ctx, tx, resetNotice(a, "t8"), john); err != nil {
					return err
				}
				return a.Notifier.Enqueue(ctx, tx, c.notice, c.to)
			})
			if err == nil {
				t.Errorf("Enqueue succeeded")
			}
			if rows := outboxRows(t, a); len(rows) != 0 {
				t.Errorf("outbox has %d rows after the failed transaction; last: %q", len(rows), rows[len(rows)-1].BodyText)
				a.DB.NewDelete().Model((*notify.Message)(nil)).Where("1 = 1").Exec(ctx) //nolint:errcheck
			}
		})
	}
}
