package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/tenancy"
)

func init() {
	// An invitation of another organisation's tenant, to someone else's address: a customer
	// cannot cancel it, nor accept or decline it from their home page.
	foreignParams["invitation"] = func(t *testing.T, d *desk, p persona, f foreignFixture) string {
		return id(inviteDirectly(t, d, f.ForeignTenant, "outsider@example.org").ID)
	}
}

// inviteDirectly has the tenant's referent invite email through the service.
func inviteDirectly(t *testing.T, d *desk, tenantID int64, email string) *tenancy.Invitation {
	t.Helper()
	ctx := context.Background()
	tn, err := tenancy.TenantByID(ctx, d.DB, tenantID)
	if err != nil {
		t.Fatal(err)
	}
	err = d.Tenancy.Invite(ctx, tenancy.ActorOf(tn.Referent), tenantID, tenancy.NewInvitation{Email: email, Lang: "fr", Rights: tenancy.Rights{Incidents: true}})
	if err != nil {
		t.Fatal(err)
	}
	return pendingInvitation(t, d, tenantID, email)
}

func pendingInvitation(t *testing.T, d *desk, tenantID int64, email string) *tenancy.Invitation {
	t.Helper()
	inv := new(tenancy.Invitation)
	err := d.DB.NewSelect().Model(inv).Where("tenant_id = ? AND email_key = ? AND status = 'pending'", tenantID, strings.ToLower(email)).Scan(context.Background())
	if err != nil {
		t.Fatalf("no pending invitation to %s: %v", email, err)
	}
	return inv
}

var invitationLink = regexp.MustCompile(`http://[^/\s]+(/invitation/[A-Za-z0-9_-]+)`)

// invitationLinkTo returns the path of the link of the newest invitation mail to email.
func invitationLinkTo(t *testing.T, d *desk, email string) string {
	t.Helper()
	m := lastMail(t, d, email)
	l := invitationLink.FindStringSubmatch(m.BodyText)
	if m.Kind != "invitation" || l == nil {
		t.Fatalf("no invitation link in the last mail to %s (%s): %q", email, m.Kind, m.BodyText)
	}
	return l[1]
}

func countInvitations(t *testing.T, d *desk) int {
	return countRows(t, d, "invitations", "1 = 1")
}

var (
	rowOf = func(email string) *regexp.Regexp {
		return regexp.MustCompile(`(?s)<tr>\s*<td[^>]*>` + regexp.QuoteMeta(email) + `</td>.*?</tr>`)
	}
	invitationN = regexp.MustCompile(`/users/invitations/\d+/cancel`)
)

// TestInvitingAnswersTheSameWhateverTheAddress: an unknown address, a staff member's and
// another company's customer get the same status, flash and list row, and nothing of the
// account an address belongs to shows before it is accepted.
func TestInvitingAnswersTheSameWhateverTheAddress(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	type answer struct{ status, location, body, flash, row string }
	answers := map[string]answer{}
	for _, email := range []string{"lea@example.fr", "alice.agent@example.com", "paul.martin@example.fr"} {
		r := marie.Post("/users", url.Values{"email": {email}, "lang": {"en"}, "incidents": {"on"}, "changes": {"on"}})
		page := marie.Get("/users")
		wantStatus(t, "users tab after inviting "+email, page, 200)
		row := rowOf(email).FindString(page.Body)
		if row == "" {
			t.Fatalf("no row for %s in %s", email, page.Body)
		}
		flash := regexp.MustCompile(`<p class="flash" role="status">[^<]*</p>`).FindString(page.Body)
		row = invitationN.ReplaceAllString(strings.ReplaceAll(row, email, "ADDRESS"), "/users/invitations/N/cancel")
		answers[email] = answer{id(int64(r.Status)), r.Location, r.Body, flash, row}
	}
	want := answers["lea@example.fr"]
	if want.status != "303" || want.location != "/users" || !strings.Contains(want.flash, "L’invitation a été envoyée.") ||
		!strings.Contains(want.row, "Invitation envoyée le") || !strings.Contains(want.row, "en attente") || !strings.Contains(want.row, ">Marie Dupont</td>") {
		t.Errorf("answer to an unknown address: %+v", want)
	}
	for email, got := range answers {
		if got != want {
			t.Errorf("the answer for %s differs:\n%+v\nwant\n%+v", email, got, want)
		}
	}
	page := marie.Get("/users")
	wantNoBody(t, "users tab before acceptance", page, "Paul Martin", "Paul.Martin", "Alice Agent", "Alice.Agent")
	if n := countRows(t, d, "memberships", "user_id = ?", d.user(t, "Paul.Martin").ID); n != 1 {
		t.Errorf("Paul has %d memberships, want only his own tenant's", n)
	}

	// The mails: the unknown address in the form's language, Paul in his own, staff nothing.
	if got := mailsTo(t, d, "invitation", "lea@example.fr"); len(got) != 1 || got[0] != "en|Invitation to join tenant OCB0000001 in the Guichet customer space" {
		t.Errorf("mail to the unknown address: %q", got)
	}
	if got := mailsTo(t, d, "invitation", "paul.martin@example.fr"); len(got) != 1 || got[0] != "fr|Invitation à rejoindre le tenant OCB0000001 dans l’espace client Guichet" {
		t.Errorf("mail to Paul: %q", got)
	}
	if got := mailsTo(t, d, "invitation", "alice.agent@example.com"); len(got) != 0 {
		t.Errorf("mail to staff: %q", got)
	}
	m := lastMail(t, d, "paul.martin@example.fr")
	for _, part := range []string{"Bonjour Paul Martin,", "Marie Dupont vous invite à rejoindre le tenant OCB0000001 (Dupont Industrie — Production)",
		"- Incidents\n- Changements\n", "/invitation/"} {
		if !strings.Contains(m.BodyText, part) {
			t.Errorf("mail to Paul lacks %q:\n%s", part, m.BodyText)
		}
	}
	if !strings.HasPrefix(m.Thread, "invitation-") || strings.Contains(m.Thread, "paul") {
		t.Errorf("thread %q", m.Thread)
	}
	if lea := lastMail(t, d, "lea@example.fr"); !strings.Contains(lea.BodyText, "Hello lea@example.fr,") || !strings.Contains(lea.BodyHTML, "See the invitation") {
		t.Errorf("mail to the unknown address: %q", lea.BodyText)
	}
}

func TestInviteRefusesBadInputAndKeepsIt(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	outbox := outboxCount(t, d)
	tests := []struct {
		name string
		form url.Values
		want []string
	}{
		{"malformed email", url.Values{"email": {"pas-une-adresse"}, "lang": {"en"}, "incidents": {"on"}},
			[]string{"Saisissez une adresse e-mail", `value="pas-une-adresse"`, `aria-invalid="true"`, `name="incidents" checked`, `<option value="en" selected`}},
		{"no right", url.Values{"email": {"lea@example.fr"}, "lang": {"fr"}},
			[]string{"Cochez au moins un droit", `value="lea@example.fr"`}},
		{"bad language", url.Values{"email": {"lea@example.fr"}, "lang": {"de"}, "contract": {"on"}},
			[]string{"Choisissez l’une des valeurs proposées", `value="lea@example.fr"`, `name="contract" checked`}},
		{"a member's address", url.Values{"email": {"John.Doe@example.com"}, "lang": {"fr"}, "incidents": {"on"}},
			[]string{"Un membre du tenant a déjà cette adresse.", `value="John.Doe@example.com"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := marie.Post("/users", tt.form)
			wantStatus(t, tt.name, r, 422)
			wantBody(t, tt.name, r, tt.want...)
			if n := countInvitations(t, d); n != 0 {
				t.Errorf("%d invitations written", n)
			}
		})
	}
	if outboxCount(t, d) != outbox {
		t.Error("a refused form wrote a mail")
	}
}

func TestInvitationsAreRateLimitedPerTenant(t *testing.T) {
	d := newDesk(t)
	t1 := d.tenant(t, "OCB0000001")
	for i := 0; i < tenancy.InvitationsPerDay; i++ {
		inviteDirectly(t, d, t1.ID, "person"+id(int64(i))+"@example.org")
	}
	marie := d.as(t, "Marie.Dupont")
	before, outbox := countInvitations(t, d), outboxCount(t, d)
	r := marie.Post("/users", url.Values{"email": {"one.more@example.org"}, "lang": {"fr"}, "users": {"on"}})
	wantStatus(t, "over the limit", r, 422)
	wantBody(t, "over the limit", r, "Ce tenant a déjà envoyé 20 invitations", `value="one.more@example.org"`, `name="users" checked`)
	if countInvitations(t, d) != before || outboxCount(t, d) != outbox {
		t.Error("a refused invitation wrote")
	}
	// The limit is the tenant's: Marie's other tenant invites.
	marie.Post("/scope", url.Values{"tenant": {id(d.tenant(t, "OCB0000002").ID)}})
	wantStatus(t, "another tenant", marie.Post("/users", url.Values{"email": {"one.more@example.org"}, "lang": {"fr"}, "users": {"on"}}), 303)
}

func TestAcceptingFromTheLink(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	second := d.tenant(t, "OCB0000002")
	marie.Post("/scope", url.Values{"tenant": {id(second.ID)}})
	wantStatus(t, "invite", marie.Post("/users", url.Values{"email": {"paul.martin@example.fr"}, "lang": {"en"}, "changes": {"on"}}), 303)
	link := invitationLinkTo(t, d, "paul.martin@example.fr")

	// Opening the link changes nothing; what it offers depends on who opens it.
	visitor := d.client(t)
	r := visitor.Get(link)
	wantStatus(t, "visitor", r, 200)
	wantBody(t, "visitor", r, "Invitation au tenant OCB0000002", "Marie Dupont vous invite", "Changements", "Un compte a déjà l’adresse invitée", `href="/login"`)
	wantNoBody(t, "visitor", r, "Accepter l’invitation", `action="`+link+`/account"`)

	john := d.as(t, "John.Doe")
	wantBody(t, "John opens Paul's link", john.Get(link), "This invitation was sent to another email address")
	wantStatus(t, "John accepts Paul's invitation", john.Post(link+"/accept", nil), 403)
	alice := d.as(t, "Alice.Agent")
	wantBody(t, "staff opens the link", alice.Get(link), "Staff accounts cannot become members")
	wantStatus(t, "staff accepts", alice.Post(link+"/accept", nil), 403)
	wantStatus(t, "visitor accepts", visitor.Post(link+"/accept", nil), 303)
	if n := countRows(t, d, "memberships", "tenant_id = ? AND user_id = ?", second.ID, d.user(t, "Paul.Martin").ID); n != 0 {
		t.Fatal("Paul became a member before accepting")
	}

	// Paul logs in first, then comes back to the link.
	paul := d.as(t, "Paul.Martin")
	r = paul.Get(link)
	wantBody(t, "Paul opens his link", r, "Accepter l’invitation", "Refuser l’invitation")
	r = paul.Post(link+"/accept", nil)
	wantStatus(t, "Paul accepts", r, 303)
	home := paul.Get("/")
	wantBody(t, "Paul's home", home, "Vous êtes maintenant membre du tenant.", `OCB0000002</span></h2>`, "Changements")
	wantBody(t, "members after acceptance", marie.Get("/users"), "Paul Martin", "paul.martin@example.fr")
	wantNoBody(t, "members after acceptance", marie.Get("/users"), "Invitations en attente")

	// The link has served: the same "not found" page as any dead link.
	r = paul.Get(link)
	wantStatus(t, "used link", r, 404)
	wantBody(t, "used link", r, "Invitation introuvable")
	wantStatus(t, "accept twice", paul.Post(link+"/accept", nil), 404)
}

func TestHomePageListsInvitationsToAccept(t *testing.T) {
	d := newDesk(t)
	t2, t3 := d.tenant(t, "OCB0000002"), d.tenant(t, "OCB0000003")
	to2 := inviteDirectly(t, d, t2.ID, "paul.martin@example.fr")
	to3 := inviteDirectly(t, d, t3.ID, "Paul.Martin@Example.fr")

	paul := d.as(t, "Paul.Martin")
	home := paul.Get("/")
	wantBody(t, "Paul's home", home, "Invitations reçues", "Marie Dupont vous invite à rejoindre le tenant OCB0000002",
		"le tenant OCB0000003", `action="/invitations/`+id(to2.ID)+`/accept"`, `action="/invitations/`+id(to3.ID)+`/decline"`)
	wantNoBody(t, "John's home", d.as(t, "John.Doe").Get("/"), "Invitations reçues", "Invitations received")

	john := d.as(t, "John.Doe")
	wantStatus(t, "John accepts Paul's invitation", john.Post("/invitations/"+id(to2.ID)+"/accept", nil), 404)
	wantStatus(t, "John declines Paul's invitation", john.Post("/invitations/"+id(to2.ID)+"/decline", nil), 404)

	paul.Get("/")
	wantStatus(t, "accept", paul.Post("/invitations/"+id(to2.ID)+"/accept", nil), 303)
	wantBody(t, "after accepting", paul.Get("/"), "OCB0000002</span></h2>", "Vous êtes maintenant membre du tenant.")
	wantStatus(t, "decline", paul.Post("/invitations/"+id(to3.ID)+"/decline", nil), 303)
	home = paul.Get("/")
	wantBody(t, "after declining", home, "Vous avez refusé l’invitation.")
	wantNoBody(t, "after declining", home, "Invitations reçues")
	wantStatus(t, "accept a declined invitation", paul.Post("/invitations/"+id(to3.ID)+"/accept", nil), 404)
	if n := countRows(t, d, "memberships", "tenant_id = ? AND user_id = ?", t3.ID, d.user(t, "Paul.Martin").ID); n != 0 {
		t.Error("a declined invitation made a membership")
	}
}

func TestCreatingTheAccountFromTheLink(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	wantStatus(t, "invite", marie.Post("/users", url.Values{"email": {"Lea@Example.fr"}, "lang": {"fr"}, "incidents": {"on"}, "users": {"on"}}), 303)
	link := invitationLinkTo(t, d, "Lea@Example.fr")

	lea := d.client(t)
	r := lea.Get(link)
	wantStatus(t, "open", r, 200)
	wantBody(t, "open", r, "Créer votre compte", "Votre compte aura l’adresse Lea@Example.fr", `action="`+link+`/account"`, "Refuser l’invitation")

	users := countRows(t, d, "users", "1 = 1")
	r = lea.Post(link+"/account", url.Values{"login": {"Lea.Nouvelle"}, "display_name": {"Léa Nouvelle"}, "lang": {"fr"},
		"password": {"court"}, "confirm": {"autre"}})
	wantStatus(t, "bad account form", r, 422)
	wantBody(t, "bad account form", r, "Au moins 10 caractères", "Les deux mots de passe sont différents", `value="Lea.Nouvelle"`, `value="Léa Nouvelle"`)
	r = lea.Post(link+"/account", url.Values{"login": {"john.doe"}, "display_name": {"Léa Nouvelle"}, "lang": {"fr"},
		"password": {"le-mot-de-lea"}, "confirm": {"le-mot-de-lea"}})
	wantStatus(t, "taken login", r, 422)
	wantBody(t, "taken login", r, "Cet identifiant est déjà pris.", `value="john.doe"`)
	if countRows(t, d, "users", "1 = 1") != users {
		t.Fatal("a refused account form wrote a user")
	}

	r = lea.Post(link+"/account", url.Values{"login": {"Lea.Nouvelle"}, "display_name": {"Léa Nouvelle"}, "lang": {"en"},
		"password": {"le-mot-de-lea"}, "confirm": {"le-mot-de-lea"}})
	wantStatus(t, "create", r, 303)
	if r.Location != "/login" {
		t.Errorf("after creating: to %q", r.Location)
	}
	wantBody(t, "login page", lea.Get("/login"), "Votre compte a été créé et a rejoint le tenant.")
	if got := mailsTo(t, d, "welcome", "Lea@Example.fr"); len(got) != 0 {
		t.Errorf("welcome mail for an account whose password was just chosen: %q", got)
	}
	wantStatus(t, "log in", lea.Post("/login", url.Values{"login": {"lea.nouvelle"}, "password": {"le-mot-de-lea"}}), 303)
	wantBody(t, "Léa's home", lea.Get("/"), `<html lang="en">`, "OCB0000001</span></h2>", `href="/users"`)
	wantBody(t, "members", marie.Get("/users"), "Léa Nouvelle", "Lea.Nouvelle")

	// The link has served; a new invitation to her address asks her to log in.
	wantStatus(t, "used link", d.client(t).Get(link), 404)
	marie.Post("/scope", url.Values{"tenant": {id(d.tenant(t, "OCB0000002").ID)}})
	marie.Post("/users", url.Values{"email": {"lea@example.fr"}, "lang": {"fr"}, "incidents": {"on"}})
	wantBody(t, "second invitation", d.client(t).Get(invitationLinkTo(t, d, "Lea@Example.fr")), "Un compte a déjà l’adresse invitée")
}

func TestCancelledExpiredUnknownAndUsedLinksGetOneAnswer(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	t1 := d.tenant(t, "OCB0000001")
	invite := func(email string) string {
		wantStatus(t, "invite "+email, marie.Post("/users", url.Values{"email": {email}, "lang": {"fr"}, "incidents": {"on"}}), 303)
		return invitationLinkTo(t, d, email)
	}
	cancelled := invite("cancelled@example.org")
	inv := pendingInvitation(t, d, t1.ID, "cancelled@example.org")
	john := d.as(t, "John.Doe")
	wantStatus(t, "John cancels without the users right", john.Post("/users/invitations/"+id(inv.ID)+"/cancel", nil), 403)
	wantStatus(t, "Paul cancels", d.as(t, "Paul.Martin").Post("/users/invitations/"+id(inv.ID)+"/cancel", nil), 404)
	marie.Get("/users")
	wantStatus(t, "cancel", marie.Post("/users/invitations/"+id(inv.ID)+"/cancel", nil), 303)
	wantBody(t, "after cancelling", marie.Get("/users"), "L’invitation a été annulée.")
	wantStatus(t, "cancel twice", marie.Post("/users/invitations/"+id(inv.ID)+"/cancel", nil), 404)

	used := invite("used@example.org")
	if err := d.Tenancy.DeclineInvitation(context.Background(), strings.TrimPrefix(used, "/invitation/")); err != nil {
		t.Fatal(err)
	}
	expired := invite("expired@example.org")
	real := d.Tenancy.Now
	d.Tenancy.Now = func() time.Time { return real().Add(tenancy.InvitationLifetime + time.Minute) }
	defer func() { d.Tenancy.Now = real }()

	c := d.client(t)
	var first string
	for _, link := range []string{"/invitation/not-a-token", cancelled, used, expired} {
		r := c.Get(link)
		wantStatus(t, link, r, 404)
		wantBody(t, link, r, "Invitation introuvable", "Cette invitation n’existe pas ou ne fonctionne plus")
		body := strings.ReplaceAll(r.Body, link, "LINK") // the language switcher comes back to the page
		if first == "" {
			first = body
		} else if body != first {
			t.Errorf("%s: another page than for an unknown token", link)
		}
		for _, action := range []string{"/accept", "/decline", "/account"} {
			r := c.Post(link+action, url.Values{"login": {"X.Y"}, "display_name": {"X"}, "lang": {"fr"}, "password": {"0123456789"}, "confirm": {"0123456789"}})
			if action == "/accept" {
				wantStatus(t, link+action, r, 303) // a visitor logs in first
				continue
			}
			wantStatus(t, link+action, r, 404)
		}
	}
	if n := countRows(t, d, "users", "login_key = 'x.y'"); n != 0 {
		t.Error("an account was created from a dead link")
	}
	// The inviter sees the expired invitation as expired (her session has expired too).
	wantBody(t, "expired in the list", d.as(t, "Marie.Dupont").Get("/users"), "expired@example.org", "expirée")
}

// The notify package renders the invitation in both languages; a broken template would have
// stopped the desk at start, so rendering here proves each language has its text.
func TestInvitationMailInBothLanguages(t *testing.T) {
	d := newDesk(t)
	t1 := d.tenant(t, "OCB0000001")
	marie := tenancy.ActorOf(d.user(t, "Marie.Dupont"))
	for _, lang := range []string{"fr", "en"} {
		email := "new." + lang + "@example.org"
		if err := d.Tenancy.Invite(context.Background(), marie, t1.ID, tenancy.NewInvitation{Email: email, Lang: lang, Rights: tenancy.AllRights}); err != nil {
			t.Fatal(err)
		}
		m := lastMail(t, d, email)
		if m.Lang != lang || m.Kind != "invitation" || m.RecipientUserID != nil || m.Status != notify.StatusPending {
			t.Errorf("%s: %+v", lang, m)
		}
		for _, part := range []string{"OCB0000001", "Dupont Industrie — Production", "Marie Dupont", "/invitation/"} {
			if !strings.Contains(m.BodyText, part) || !strings.Contains(m.BodyHTML, part) {
				t.Errorf("%s mail lacks %q", lang, part)
			}
		}
	}
}
