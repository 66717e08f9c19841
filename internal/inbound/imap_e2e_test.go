package inbound_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/inbound"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/timeline"
)

// End to end against a real Dovecot and the real handler: a customer's answer delivered to the
// mailbox becomes one reply on the incident, and the message is marked; the poller killed
// between the reply's commit and the mark, then restarted, reads it again and writes nothing
// more; a stranger's mail waits in the quarantine, marked all the same (it is recorded).
func TestIMAPRepliesEndToEnd(t *testing.T) {
	d := newDesk(t)
	dv := startDovecot(t)
	john := d.user(t, "John.Doe")
	inc := d.declare(t, "John.Doe", "OCB0000001")
	to := d.book.For(fmt.Sprintf("incident-%d", inc.ID), john.ID)

	first := dv.append(testutil.InboundMail(john.Email, to, "Re: ["+inc.Number()+"]", "Redémarrée, ça tient pour l’instant."))
	stranger := dv.append(testutil.InboundMail("mallory@evil.example", to, "Re: ["+inc.Number()+"]", "Bonjour."))
	p := &inbound.Poller{Config: dv.config(), Log: dovecotLog(t), Handle: d.Inbound.Handle}
	if n, err := p.Once(t.Context()); err != nil || n != 2 {
		t.Fatalf("Once = %d, %v; want both messages handled", n, err)
	}
	if !dv.done(first) || !dv.done(stranger) {
		t.Errorf("marked: reply %v, stranger %v", dv.done(first), dv.done(stranger))
	}
	if es := testutil.EntriesByMail(t, d.DB, inc.Subject()); len(es) != 1 || es[0].Body != "Redémarrée, ça tient pour l’instant." {
		t.Fatalf("replies by mail: %+v", es)
	}

	// Killed after the commit, before the mark.
	crash := dv.append(testutil.InboundMail(john.Email, to, "Re: ["+inc.Number()+"]", "Finalement, de nouveau en panne."))
	ctx, kill := context.WithCancel(t.Context())
	p.Handle = func(ctx context.Context, raw []byte, source inbound.Source) (inbound.Outcome, error) {
		out, err := d.Inbound.Handle(ctx, raw, source)
		kill()
		return out, err
	}
	p.Config.Poll = time.Hour
	if err := p.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if dv.done(crash) {
		t.Fatal("marked although killed before the mark")
	}
	p.Handle = d.Inbound.Handle
	if n, err := p.Once(t.Context()); err != nil || n != 1 || !dv.done(crash) {
		t.Fatalf("after the restart: Once = %d, %v, marked %v", n, err, dv.done(crash))
	}
	es := testutil.EntriesByMail(t, d.DB, inc.Subject())
	if len(es) != 2 || es[1].Body != "Finalement, de nouveau en panne." {
		t.Fatalf("replies by mail after the crash: %d, want 2 (one each)", len(es))
	}
	for _, e := range es {
		if e.Kind != timeline.Reply {
			t.Errorf("entry %d is a %s", e.ID, e.Kind)
		}
	}
}
