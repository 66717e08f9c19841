package web_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/tenancy"
)

// usersConfirmed is the form of a destructive action the user confirmed.
func usersConfirmed() url.Values { return url.Values{"confirm": {"1"}} }

// usersUXWords are what the Users tab's confirmations say in each language.
var usersUXWords = map[string]struct {
	removeQ, removeC, referentQ, referentC, kept, ownerC, refusedOwner, withdrawQ, withdrawC, keep string
}{
	"fr": {
		removeQ:      "Retirer Paul Martin du tenant OCB0000001\u00a0?",
		removeC:      "Paul Martin perdra aussitôt l’accès à OCB0000001, à ses incidents, à ses changements et à son contrat.",
		referentQ:    "Faire de Paul Martin le référent de OCB0000001\u00a0?",
		referentC:    "Vous ne serez plus le référent\u00a0: Paul Martin aura tous les droits sur OCB0000001",
		kept:         "Vous ne garderez que les droits de votre propre adhésion\u00a0: Incidents",
		ownerC:       "Vous ne serez plus le propriétaire du domaine\u00a0: Paul Martin le deviendra",
		refusedOwner: "Le propriétaire du domaine ne peut pas quitter le tenant",
		withdrawQ:    "Retirer vos droits sur OCB0000001\u00a0?",
		withdrawC:    "Vous perdrez aussitôt l’accès à OCB0000001",
		keep:         "Revenir en arrière",
	},
	"en": {
		removeQ:      "Remove Paul Martin from OCB0000001?",
		removeC:      "Paul Martin will lose access to OCB0000001 and its incidents, changes and contract at once.",
		referentQ:    "Make Paul Martin the referent of OCB0000001?",
		referentC:    "You will no longer be the referent: Paul Martin will hold every right on OCB0000001",
		kept:         "You will keep only the rights of your own membership: Incidents",
		ownerC:       "You will no longer be the domain owner: Paul Martin will be",
		refusedOwner: "The domain owner cannot leave the tenant",
		withdrawQ:    "Withdraw your rights on OCB0000001?",
		withdrawC:    "You will lose access to OCB0000001",
		keep:         "Go back",
	},
}

// usersUXMember makes Paul Martin a member of OCB0000001 with the incidents and changes rights.
func usersUXMember(t *testing.T, d *desk) (*tenancy.Tenant, int64) {
	t.Helper()
	tn, paul := d.tenant(t, "OCB0000001"), d.user(t, "Paul.Martin")
	if err := tenancy.InsertMembership(context.Background(), d.DB, &tenancy.Membership{TenantID: tn.ID, UserID: paul.ID,
		Rights: tenancy.Rights{Incidents: true, Changes: true}}); err != nil {
		t.Fatal(err)
	}
	return tn, paul.ID
}

func usersUXIsMember(t *testing.T, d *desk, tenantID, userID int64) bool {
	t.Helper()
	_, err := tenancy.MembershipOf(context.Background(), d.DB, tenantID, userID)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// TestUsersUXMemberActionsConfirmTheirConsequence: removing a member and handing over the
// referent or domain-owner role are offered with the consequence named; without confirm=1 the
// POST shows the confirmation page and changes nothing; with it, the action is done; and an
// action the rules refuse is neither offered nor asked about, only refused.
func TestUsersUXMemberActionsConfirmTheirConsequence(t *testing.T) {
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			w := usersUXWords[lang]
			d := newDesk(t)
			tn, paul := usersUXMember(t, d)
			marie := d.as(t, "Marie.Dupont")
			marieID := d.user(t, "Marie.Dupont").ID
			if lang == "en" {
				wantStatus(t, "Marie reads English", marie.Post("/profile/lang", url.Values{"lang": {"en"}}), 303)
			}
			page := "/users/" + id(paul)

			r := marie.Get(page)
			wantStatus(t, "Paul's page", r, 200)
			wantBody(t, "Paul's page", r, `data-confirm="`+w.removeC, `data-confirm-question="`+w.removeQ+`"`,
				`data-confirm="`+w.referentC, w.kept, `data-confirm-question="`+w.referentQ+`"`, `data-confirm="`+w.ownerC,
				`data-confirm-no="`+w.keep+`"`)

			for _, action := range []string{"remove", "referent", "owner"} {
				r := marie.Post(page+"/"+action, nil)
				wantStatus(t, action+" without confirmation", r, 200)
				wantBody(t, action+" without confirmation", r, `name="confirm" value="1"`, `action="`+page+"/"+action+`"`,
					`href="`+page+`"`, w.keep)
			}
			r = marie.Post(page+"/remove", nil)
			wantBody(t, "removal asked", r, w.removeQ, w.removeC)
			r = marie.Post(page+"/referent", nil)
			wantBody(t, "referent hand-over asked", r, w.referentQ, w.referentC, w.kept)
			wantBody(t, "owner hand-over asked", marie.Post(page+"/owner", nil), w.ownerC)
			if now := d.tenant(t, "OCB0000001"); now.ReferentID != marieID || now.OwnerID != marieID || !usersUXIsMember(t, d, tn.ID, paul) {
				t.Fatalf("unconfirmed actions changed something: referent %d owner %d", now.ReferentID, now.OwnerID)
			}

			wantStatus(t, "owner hand-over confirmed", marie.Post(page+"/owner", usersConfirmed()), 303)
			if now := d.tenant(t, "OCB0000001"); now.OwnerID != paul || now.ReferentID != marieID {
				t.Fatalf("after the owner hand-over: referent %d owner %d", now.ReferentID, now.OwnerID)
			}
			// Paul, domain owner now, cannot be removed: the page no longer offers it, and a
			// POST is refused at once, with no confirmation asked.
			r = marie.Get(page)
			if strings.Contains(r.Body, `action="`+page+`/remove"`) || strings.Contains(r.Body, `action="`+page+`/owner"`) {
				t.Errorf("the page offers what the rules refuse: %s", r.Body)
			}
			r = marie.Post(page+"/remove", nil)
			wantStatus(t, "remove the domain owner", r, 422)
			wantBody(t, "remove the domain owner", r, w.refusedOwner)
			if strings.Contains(r.Body, `name="confirm" value="1"`) {
				t.Errorf("a refused removal asks for confirmation")
			}

			wantStatus(t, "referent hand-over confirmed", marie.Post(page+"/referent", usersConfirmed()), 303)
			if now := d.tenant(t, "OCB0000001"); now.ReferentID != paul {
				t.Fatalf("after the referent hand-over: referent %d", now.ReferentID)
			}
			// Marie keeps her membership's rights; she may not hand over what she no longer holds.
			wantStatus(t, "hand over again", marie.Post("/users/"+id(marieID)+"/referent", nil), 403)

			// Paul, referent now, removes John: asked, then done.
			john := d.user(t, "John.Doe").ID
			pc := d.as(t, "Paul.Martin")
			wantStatus(t, "Paul chooses OCB0000001", pc.Post("/scope", url.Values{"tenant": {id(tn.ID)}, "next": {"/users"}}), 303)
			wantStatus(t, "John's removal asked", pc.Post("/users/"+id(john)+"/remove", nil), 200)
			if !usersUXIsMember(t, d, tn.ID, john) {
				t.Fatal("John removed without confirmation")
			}
			wantStatus(t, "John's removal confirmed", pc.Post("/users/"+id(john)+"/remove", usersConfirmed()), 303)
			if usersUXIsMember(t, d, tn.ID, john) {
				t.Fatal("John still a member")
			}
		})
	}
}

// TestUsersUXWithdrawingConfirms: a member's withdrawal asks first, naming the consequence; the
// referent is refused at once.
func TestUsersUXWithdrawingConfirms(t *testing.T) {
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			w := usersUXWords[lang]
			d := newDesk(t)
			tn, paul := usersUXMember(t, d)
			pc := d.as(t, "Paul.Martin")
			if lang == "en" {
				wantStatus(t, "Paul reads English", pc.Post("/profile/lang", url.Values{"lang": {"en"}}), 303)
			}
			wantStatus(t, "Paul chooses OCB0000001", pc.Post("/scope", url.Values{"tenant": {id(tn.ID)}, "next": {"/"}}), 303)
			pc.Get("/")
			r := pc.Post("/membership/withdraw", nil)
			wantStatus(t, "withdrawal asked", r, 200)
			wantBody(t, "withdrawal asked", r, w.withdrawQ, w.withdrawC, `name="confirm" value="1"`, `href="/"`)
			if !usersUXIsMember(t, d, tn.ID, paul) {
				t.Fatal("withdrawn without confirmation")
			}
			wantStatus(t, "withdrawal confirmed", pc.Post("/membership/withdraw", usersConfirmed()), 303)
			if usersUXIsMember(t, d, tn.ID, paul) {
				t.Fatal("still a member")
			}

			marie := d.as(t, "Marie.Dupont")
			r = marie.Post("/membership/withdraw", nil)
			wantStatus(t, "the referent withdraws", r, 422)
			if strings.Contains(r.Body, `name="confirm" value="1"`) {
				t.Error("the referent's refused withdrawal asks for confirmation")
			}
		})
	}
}

// TestUsersUXFormsKeepInput: the member's rights form comes back as sent, its error named.
func TestUsersUXFormsKeepInput(t *testing.T) {
	d := newDesk(t)
	_, paul := usersUXMember(t, d)
	marie := d.as(t, "Marie.Dupont")
	r := marie.Post("/users/"+id(paul), url.Values{})
	wantStatus(t, "no rights", r, 422)
	wantBody(t, "no rights", r, `id="f-rights"`, `href="#f-rights"`)
	if strings.Contains(r.Body, `name="incidents" checked`) {
		t.Error("the boxes come back as stored, not as sent")
	}
}

// TestUsersUXProfileKeepsTheCustomerSpace: a customer's profile and two-factor pages keep the
// tab bar and the Périmètre selector; staff pages have neither.
func TestUsersUXProfileKeepsTheCustomerSpace(t *testing.T) {
	d := newDesk(t)
	for _, c := range []struct{ login, tabs, scope string }{
		{"Marie.Dupont", `<nav class="tabs" aria-label="Rubriques du tenant">`, ">Périmètre<"},
		{"John.Doe", `<nav class="tabs" aria-label="Tenant sections">`, ">Scope<"},
	} {
		cl := d.as(t, c.login)
		for _, path := range []string{"/profile", "/profile/2fa"} {
			r := cl.Get(path)
			wantStatus(t, c.login+" "+path, r, 200)
			wantBody(t, c.login+" "+path, r, c.tabs, c.scope, `href="/incidents"`)
		}
		// A refused form keeps the space too, and the input.
		r := cl.Post("/profile/tokens", url.Values{"name": {"Mon script"}, "scope": {"read"}, "expires": {"pas une date"}})
		wantStatus(t, c.login+" bad token", r, 422)
		wantBody(t, c.login+" bad token", r, c.tabs, `value="Mon script"`, `href="#f-expires"`)
	}
	r := d.as(t, "Alice.Agent").Get("/profile")
	wantStatus(t, "agent's profile", r, 200)
	wantNoBody(t, "agent's profile", r, `aria-label="Tenant sections"`, ">Scope<")
}
