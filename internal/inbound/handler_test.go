package inbound_test

import (
	"context"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/inbound"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/replyaddr"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/timeline"
)

const support = "support@desk.example.com"

// desk is a demo desk whose inbound mail goes to support.
type desk struct {
	*app.App
	book replyaddr.Book
}

func newDesk(t *testing.T) *desk {
	t.Helper()
	a := testutil.NewApp(t)
	a.Config.ReplyTo = &mail.Address{Address: support}
	book, err := a.ReplyBook(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a.Inbound.Book = book
	a.Inbound.Own = []string{a.Config.MailFrom.Address, support}
	return &desk{App: a, book: book}
}

func (d *desk) user(t *testing.T, login string) *identity.User {
	t.Helper()
	u, err := identity.UserByLogin(context.Background(), d.DB, login)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (d *desk) tenant(t *testing.T, code string) *tenancy.Tenant {
	t.Helper()
	tn, err := tenancy.TenantByCode(context.Background(), d.DB, code)
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

// declare has login declare an incident on tenant code through the service.
func (d *desk) declare(t *testing.T, login, code string) *incident.Incident {
	t.Helper()
	inc, err := d.Incidents.Declare(context.Background(), tenancy.ActorOf(d.user(t, login)), d.tenant(t, code).ID,
		incident.Draft{Title: "Instance ecs-prod-01 arrêtée", Description: "Depuis 9 h.", Service: "ecs", Region: "eu-west-0",
			Impact: "high", Urgency: "medium"})
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

// handle hands raw to the handler and fails the test on an error.
func (d *desk) handle(t *testing.T, raw []byte) inbound.Outcome {
	t.Helper()
	out, err := d.Inbound.Handle(context.Background(), raw, inbound.SourcePipe)
	if err != nil {
		t.Fatalf("handle: %v", err)
	}
	return out
}

func (d *desk) outbox(t *testing.T, kind string) []notify.Message {
	t.Helper()
	var ms []notify.Message
	if err := d.DB.NewSelect().Model(&ms).Where("kind = ?", kind).OrderExpr("id").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestAReplyByMailBecomesAReplyOnTheIncident(t *testing.T) {
	d := newDesk(t)
	john := d.user(t, "John.Doe")
	inc := d.declare(t, "John.Doe", "OCB0000001")
	to := d.book.For(fmt.Sprintf("incident-%d", inc.ID), john.ID)
	raw := testutil.InboundMail("John Doe <"+strings.ToUpper(john.Email)+">", "Support <"+to+">", "Re: ["+inc.Number()+"] Instance arrêtée",
		"Toujours en panne ce matin.\n\nLe lun. 30 nov. 2026 à 10:12, Guichet <guichet@localhost> a écrit :\n> Votre incident est enregistré.\n")
	out := d.handle(t, raw)
	if out.Status != inbound.Handled || out.Duplicate || out.ID == 0 {
		t.Fatalf("outcome %+v, want handled", out)
	}
	es := testutil.EntriesByMail(t, d.DB, inc.Subject())
	if len(es) != 1 || es[0].Kind != timeline.Reply || es[0].Body != "Toujours en panne ce matin." || *es[0].ActorID != john.ID {
		t.Fatalf("entries by mail: %+v", es)
	}
	// The same message again (a fetch after a crash): one reply.
	if again := d.handle(t, raw); !again.Duplicate || again.ID != out.ID || again.Status != inbound.Handled {
		t.Errorf("second handling: %+v", again)
	}
	if es := testutil.EntriesByMail(t, d.DB, inc.Subject()); len(es) != 1 {
		t.Errorf("%d replies after the same message twice", len(es))
	}
	if n := testutil.Count(t, d.DB, "inbound_messages", "entry_id = ?", es[0].ID); n != 1 {
		t.Errorf("%d records of the message with its entry", n)
	}
}

// A reply found by the Message-ID of the desk's mail it answers, without a reply address.
func TestAReplyIsFoundByTheMailItAnswers(t *testing.T) {
	d := newDesk(t)
	marie := d.user(t, "Marie.Dupont")
	inc := d.declare(t, "John.Doe", "OCB0000001")
	var sent notify.Message
	if err := d.DB.NewSelect().Model(&sent).Where("recipient_user_id = ? AND thread = ?", marie.ID, fmt.Sprintf("incident-%d", inc.ID)).
		Limit(1).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	raw := testutil.InboundMail(marie.Email, support, "Re: incident", "Je confirme, même chose chez nous.",
		"In-Reply-To: "+sent.MessageID, "References: <unknown@elsewhere> "+sent.MessageID)
	if out := d.handle(t, raw); out.Status != inbound.Handled {
		t.Fatalf("outcome %+v", out)
	}
	if es := testutil.EntriesByMail(t, d.DB, inc.Subject()); len(es) != 1 || *es[0].ActorID != marie.ID {
		t.Fatalf("entries by mail: %+v", es)
	}
}

// Whoever the mail claims to be, only the recipient of the reply address, still holding the
// right, writes on the ticket; the rest waits in the quarantine and nothing is written.
func TestRepliesFromOthersAreQuarantined(t *testing.T) {
	d := newDesk(t)
	john, paul := d.user(t, "John.Doe"), d.user(t, "Paul.Martin")
	inc := d.declare(t, "John.Doe", "OCB0000001")
	to := d.book.For(fmt.Sprintf("incident-%d", inc.ID), john.ID)
	tampered := strings.Replace(to, "."+strconv.FormatInt(john.ID, 36)+".", "."+strconv.FormatInt(paul.ID, 36)+".", 1)
	for _, tc := range []struct {
		name, from, to, reason string
	}{
		{"another sender", paul.Email, to, inbound.ReasonSender},
		{"a stranger", "mallory@evil.example", to, inbound.ReasonSender},
		{"a tampered token", paul.Email, tampered, inbound.ReasonNoTicket},
		{"nothing to answer", john.Email, "someone@desk.example.com", inbound.ReasonNoTicket},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := d.handle(t, testutil.InboundMail(tc.from, tc.to, "Re: ["+inc.Number()+"]", "Je réponds à la place de John."))
			if out.Status != inbound.Quarantined || out.Reason != tc.reason {
				t.Errorf("outcome %+v, want quarantined for %s", out, tc.reason)
			}
		})
	}
	// John loses the incidents right: his reply address no longer writes.
	testutil.SetRight(t, d.DB, d.tenant(t, "OCB0000001").ID, john.ID, "can_incidents", false)
	if out := d.handle(t, testutil.InboundMail(john.Email, to, "Re:", "Encore moi.")); out.Status != inbound.Quarantined || out.Reason != inbound.ReasonNotAllowed {
		t.Errorf("after the right was revoked: %+v", out)
	}
	if es := testutil.EntriesByMail(t, d.DB, inc.Subject()); len(es) != 0 {
		t.Errorf("%d entries written by refused mail", len(es))
	}
	if ms := d.outbox(t, "inbound_closed"); len(ms) != 0 {
		t.Errorf("a refused mail was answered")
	}
}

// A reply on a closed incident is not added; its verified writer is told, in their language,
// how to follow up.
func TestAReplyOnAClosedIncidentIsRefusedWithAnExplanation(t *testing.T) {
	d := newDesk(t)
	john := d.user(t, "John.Doe")
	inc := d.declare(t, "John.Doe", "OCB0000001")
	if _, err := d.DB.NewUpdate().Model((*incident.Incident)(nil)).Set("status = ?", incident.Closed).Where("id = ?", inc.ID).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	to := d.book.For(fmt.Sprintf("incident-%d", inc.ID), john.ID)
	out := d.handle(t, testutil.InboundMail(john.Email, to, "Re: ["+inc.Number()+"]", "Le problème est revenu."))
	if out.Status != inbound.Quarantined || out.Reason != inbound.ReasonClosed {
		t.Fatalf("outcome %+v", out)
	}
	ms := d.outbox(t, "inbound_closed")
	if len(ms) != 1 || ms[0].RecipientEmail != john.Email || ms[0].Lang != john.Lang || !strings.Contains(ms[0].BodyText, inc.Number()) {
		t.Fatalf("explanation: %+v", ms)
	}
	if es := testutil.EntriesByMail(t, d.DB, inc.Subject()); len(es) != 0 {
		t.Errorf("a reply was added to a closed incident")
	}
}

func TestMailToTheSupportAddressOpensAnIncident(t *testing.T) {
	d := newDesk(t)
	marie, paul := d.user(t, "Marie.Dupont"), d.user(t, "Paul.Martin")

	// Marie names her tenant in the subject.
	out := d.handle(t, testutil.InboundMail(marie.Email, "Support <"+support+">", "[ocb0000002] Volume cinder-data inaccessible",
		"Le volume ne se monte plus depuis 8 h sur eu-west-1.\n\n-- \nMarie Dupont\nDupont Industrie"))
	if out.Status != inbound.Handled {
		t.Fatalf("Marie's mail: %+v", out)
	}
	list, _, err := incident.List(context.Background(), d.DB, incident.Filter{TenantID: d.tenant(t, "OCB0000002").ID}, pageOne, time.Now())
	if err != nil || len(list) != 1 {
		t.Fatalf("incidents of OCB0000002: %d, %v", len(list), err)
	}
	got, err := incident.ByID(context.Background(), d.DB, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Volume cinder-data inaccessible" || got.Description != "Le volume ne se monte plus depuis 8 h sur eu-west-1." ||
		got.Impact != "medium" || got.Urgency != "medium" || got.Region != "eu-west-1" || got.ReporterID != marie.ID {
		t.Errorf("incident by mail: %+v", got)
	}
	if es := testutil.EntriesByMail(t, d.DB, got.Subject()); len(es) != 1 || es[0].Kind != timeline.Event {
		t.Errorf("creation event by mail: %+v", es)
	}
	if ms := d.outbox(t, "incident_declared"); len(ms) == 0 || ms[len(ms)-1].RecipientEmail != marie.Email && ms[0].RecipientEmail != marie.Email {
		t.Errorf("no confirmation mail to Marie: %+v", ms)
	}

	// Paul has one tenant: no tag needed.
	if out := d.handle(t, testutil.InboundMail(paul.Email, support, "Instance bloquée", "Elle ne répond plus.")); out.Status != inbound.Handled {
		t.Errorf("Paul's mail: %+v", out)
	}

	// Marie without a tag: she is asked which tenant, in her language, and nothing is created.
	before := testutil.Count(t, d.DB, "incidents", "1 = 1")
	out = d.handle(t, testutil.InboundMail(marie.Email, support, "Sauvegarde en échec", "La sauvegarde de cette nuit a échoué."))
	if out.Status != inbound.Quarantined || out.Reason != inbound.ReasonWhichTenant {
		t.Errorf("Marie without a tenant: %+v", out)
	}
	ms := d.outbox(t, "inbound_which_tenant")
	if len(ms) != 1 || ms[0].RecipientEmail != marie.Email || !strings.Contains(ms[0].BodyText, "[OCB0000001]") || ms[0].Lang != "fr" {
		t.Errorf("which tenant: %+v", ms)
	}
	if n := testutil.Count(t, d.DB, "incidents", "1 = 1"); n != before {
		t.Errorf("%d incidents created without a tenant", n-before)
	}

	// Another customer's tenant, a stranger, a staff member: quarantined, never answered.
	for _, tc := range []struct{ from, subject, reason string }{
		{paul.Email, "[OCB0000001] Chez Marie", inbound.ReasonNotAllowed},
		{"stranger@example.org", "[OCB0000001] Bonjour", inbound.ReasonUnknownSender},
		{d.user(t, "Alice.Agent").Email, "Test", inbound.ReasonUnknownSender},
	} {
		if out := d.handle(t, testutil.InboundMail(tc.from, support, tc.subject, "Texte.")); out.Status != inbound.Quarantined || out.Reason != tc.reason {
			t.Errorf("%s %q: %+v, want %s", tc.from, tc.subject, out, tc.reason)
		}
	}
	if ms := d.outbox(t, "inbound_which_tenant"); len(ms) != 1 {
		t.Errorf("%d which-tenant answers, want Marie's only", len(ms))
	}
}

var pageOne = paging.Number(1)

// Automated mail is recorded and never answered nor turned into a ticket.
func TestAutomatedMailIsIgnored(t *testing.T) {
	d := newDesk(t)
	marie := d.user(t, "Marie.Dupont")
	before := testutil.Count(t, d.DB, "outbox", "1 = 1")
	for _, h := range []string{"Auto-Submitted: auto-replied", "Precedence: bulk", "List-Id: <ops.example.com>"} {
		out := d.handle(t, testutil.InboundMail(marie.Email, support, "Absent du bureau", "Je suis absente jusqu'au 4 décembre.", h))
		if out.Status != inbound.Ignored || out.Reason == "" {
			t.Errorf("%s: %+v, want ignored", h, out)
		}
	}
	if out := d.handle(t, testutil.InboundMail(d.Config.MailFrom.String(), support, "[OCB0000001] boucle", "Texte.")); out.Status != inbound.Ignored {
		t.Errorf("mail from the desk itself: %+v", out)
	}
	if n := testutil.Count(t, d.DB, "outbox", "1 = 1"); n != before {
		t.Errorf("%d mails sent in answer to automated mail", n-before)
	}
	if n := testutil.Count(t, d.DB, "incidents", "1 = 1"); n != 0 {
		t.Errorf("%d incidents from automated mail", n)
	}
}

// Beyond PerHour mails an hour, a sender's mail waits in the quarantine.
func TestAFloodWaitsInTheQuarantine(t *testing.T) {
	d := newDesk(t)
	d.Inbound.PerHour = 2
	paul := d.user(t, "Paul.Martin")
	var got []inbound.Status
	for i := range 4 {
		got = append(got, d.handle(t, testutil.InboundMail(paul.Email, support, fmt.Sprintf("Panne %d", i), "Texte.")).Status)
	}
	if fmt.Sprint(got) != "[handled handled quarantined quarantined]" {
		t.Errorf("statuses %v", got)
	}
}

// A reply by mail on a contract request goes through its service too.
func TestAReplyOnAContractRequest(t *testing.T) {
	d := newDesk(t)
	marie := d.user(t, "Marie.Dupont")
	rq, err := d.Contracts.File(context.Background(), tenancy.ActorOf(marie), d.tenant(t, "OCB0000003").ID,
		contract.Form{Kind: contract.SupportLevel, Level: "premium"})
	if err != nil {
		t.Fatal(err)
	}
	out := d.handle(t, testutil.InboundMail(marie.Email, d.book.For(rq.Thread(), marie.ID), "Re: "+rq.Number(), "Nous préférons une mise en place en janvier."))
	if out.Status != inbound.Handled {
		t.Fatalf("reply on %s: %+v", rq.Number(), out)
	}
	if es := testutil.EntriesByMail(t, d.DB, rq.Subject()); len(es) != 1 || es[0].Body != "Nous préférons une mise en place en janvier." {
		t.Errorf("request timeline by mail: %+v", es)
	}
}

// A forbidden attachment keeps the whole mail in the quarantine.
func TestAForbiddenAttachmentIsQuarantined(t *testing.T) {
	d := newDesk(t)
	paul := d.user(t, "Paul.Martin")
	raw := []byte("From: " + paul.Email + "\r\nTo: " + support + "\r\nSubject: Panne\r\nMessage-ID: <exe-1@client.example.net>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nVoir le programme joint.\r\n" +
		"--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"outil.exe\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		"TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAA==\r\n--b1--\r\n")
	out := d.handle(t, raw)
	if out.Status != inbound.Quarantined || out.Reason != inbound.ReasonAttachment {
		t.Errorf("outcome %+v", out)
	}
	if n := testutil.Count(t, d.DB, "incidents", "1 = 1"); n != 0 {
		t.Errorf("%d incidents", n)
	}
}

// Mail that cannot be read at all, or too large, is recorded, never lost.
func TestUnreadableMailIsRecorded(t *testing.T) {
	d := newDesk(t)
	for _, raw := range [][]byte{[]byte("\x00\x01 not a mail"), []byte(""), make([]byte, inbound.MaxMessage+1)} {
		out := d.handle(t, raw)
		if out.Status != inbound.Quarantined || out.ID == 0 {
			t.Errorf("%d bytes: %+v", len(raw), out)
		}
	}
}
