package web_test

import (
	"net/url"
	"testing"
)

func TestScopeSelectorOffersOnlyTheUsersTenantsAndKeepsTheChoice(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	home := marie.Get("/")
	wantBody(t, "Marie's selector", home, "OCB0000001", "OCB0000002", "OCB0000003")
	wantNoBody(t, "Marie's selector", home, "OCB0000004")

	second := d.tenant(t, "OCB0000002")
	r := marie.Post("/scope", url.Values{"tenant": {id(second.ID)}, "next": {"/users"}})
	wantStatus(t, "choose scope", r, 303)
	if r.Location != "/users" {
		t.Errorf("scope change went to %q, want to stay on /users", r.Location)
	}
	wantBody(t, "home after scope change", marie.Get("/"), `<h2 id="tenant-title">Dupont Industrie — Préproduction <span class="code">OCB0000002</span></h2>`)

	foreign := d.tenant(t, "OCB0000004")
	wantStatus(t, "foreign scope", marie.Post("/scope", url.Values{"tenant": {id(foreign.ID)}}), 404)
	wantStatus(t, "garbage scope", marie.Post("/scope", url.Values{"tenant": {"x"}}), 404)
	wantBody(t, "scope kept after refusals", marie.Get("/"), "OCB0000002</span>")

	john := d.as(t, "John.Doe")
	wantNoBody(t, "John's selector", john.Get("/"), "OCB0000002", "OCB0000003", "OCB0000004")
}

func TestTabsAndPagesFollowTheMembershipRights(t *testing.T) {
	d := newDesk(t)
	john := d.as(t, "John.Doe")
	home := john.Get("/")
	wantBody(t, "John's home", home, `<html lang="en">`, "Incidents")
	wantNoBody(t, "John's home", home, `href="/users"`, `href="/contract"`)
	wantStatus(t, "John's users tab", john.Get("/users"), 403)
	wantStatus(t, "John's contract tab", john.Get("/contract"), 403)

	marie := d.as(t, "Marie.Dupont")
	wantBody(t, "Marie's home", marie.Get("/"), `href="/users"`, `href="/contract"`)
	contract := marie.Get("/contract")
	wantStatus(t, "contract tab", contract, 200)
	wantBody(t, "contract tab", contract, "Premium", "Engagé jusqu’au", "Historique du niveau de support")
}

func TestUsersTabAddsEditsAndRemovesMembers(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	second := d.tenant(t, "OCB0000002")
	marie.Post("/scope", url.Values{"tenant": {id(second.ID)}})

	// Members join by invitation: John accepts from the mailed link.
	r := marie.Post("/users", url.Values{"email": {"john.doe@example.com"}, "changes": {"on"}, "lang": {"fr"}})
	wantStatus(t, "invite John", r, 303)
	wantNoBody(t, "members before acceptance", marie.Get("/users"), "John Doe")
	johnLink := invitationLinkTo(t, d, "john.doe@example.com")
	jc := d.as(t, "John.Doe")
	jc.Get(johnLink)
	wantStatus(t, "John accepts", jc.Post(johnLink+"/accept", nil), 303)
	wantBody(t, "members", marie.Get("/users"), "John Doe")

	r = marie.Post("/users", url.Values{"email": {"John.Doe@example.com"}, "incidents": {"on"}, "lang": {"fr"}})
	wantStatus(t, "invite a member", r, 422)
	wantBody(t, "invite a member", r, "Un membre du tenant a déjà cette adresse.", `value="John.Doe@example.com"`)

	r = marie.Post("/users", url.Values{"email": {"pas-une-adresse"}, "lang": {"fr"}, "incidents": {"on"}})
	wantStatus(t, "bad email", r, 422)
	wantBody(t, "bad email", r, "Saisissez une adresse e-mail", `value="pas-une-adresse"`, `aria-invalid="true"`)

	r = marie.Post("/users", url.Values{"email": {"lea@example.fr"}, "lang": {"fr"}})
	wantStatus(t, "no rights", r, 422)
	wantBody(t, "no rights", r, "Cochez au moins un droit")

	// A staff address gets the answer any address gets.
	wantStatus(t, "staff address", marie.Post("/users", url.Values{"email": {"alice.agent@example.com"}, "lang": {"fr"}, "incidents": {"on"}}), 303)

	r = marie.Post("/users", url.Values{"email": {"lea@example.fr"}, "lang": {"fr"}, "incidents": {"on"}, "users": {"on"}})
	wantStatus(t, "invite a new user", r, 303)
	lt := d.client(t)
	leaLink := invitationLinkTo(t, d, "lea@example.fr")
	lt.Get(leaLink)
	r = lt.Post(leaLink+"/account", url.Values{"login": {"Lea.Nouvelle"}, "display_name": {"Léa Nouvelle"}, "lang": {"fr"},
		"password": {"motdepasse-de-lea"}, "confirm": {"motdepasse-de-lea"}})
	wantStatus(t, "Léa creates her account", r, 303)
	lea := d.user(t, "Lea.Nouvelle")
	if lea.Kind != "customer" || lea.Lang != "fr" || lea.Email != "lea@example.fr" {
		t.Fatalf("new user: %+v", lea)
	}

	john := d.user(t, "John.Doe")
	wantStatus(t, "edit rights page", marie.Get("/users/"+id(john.ID)), 200)
	wantStatus(t, "save rights", marie.Post("/users/"+id(john.ID), url.Values{"contract": {"on"}}), 303)
	wantStatus(t, "save no rights", marie.Post("/users/"+id(john.ID), url.Values{}), 422)
	wantStatus(t, "remove", marie.Post("/users/"+id(john.ID)+"/remove", usersConfirmed()), 303)
	wantStatus(t, "removed member's page", marie.Get("/users/"+id(john.ID)), 404)

	marieID := d.user(t, "Marie.Dupont").ID
	r = marie.Post("/users/"+id(marieID)+"/remove", nil)
	wantStatus(t, "remove the referent", r, 422)
	wantBody(t, "remove the referent", r, "Le référent ne peut pas quitter le tenant")

	// Léa holds the users right: she manages members too, but cannot hand over roles.
	wantStatus(t, "Léa logs in", lt.Post("/login", url.Values{"login": {"Lea.Nouvelle"}, "password": {"motdepasse-de-lea"}}), 303)
	wantStatus(t, "Léa sees users", lt.Get("/users"), 200)
	wantStatus(t, "Léa hands over the referent role", lt.Post("/users/"+id(lea.ID)+"/referent", nil), 403)
}

func TestReferentAndDomainOwnerChangesAreIndependent(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	john := d.user(t, "John.Doe")
	marieID := d.user(t, "Marie.Dupont").ID

	r := marie.Get("/users/" + id(john.ID))
	wantBody(t, "member page", r, "Changer de référent", "Changer de propriétaire du domaine")

	wantStatus(t, "change referent", marie.Post("/users/"+id(john.ID)+"/referent", usersConfirmed()), 303)
	tn := d.tenant(t, "OCB0000001")
	if tn.ReferentID != john.ID || tn.OwnerID != marieID {
		t.Fatalf("after referent change: referent %d owner %d", tn.ReferentID, tn.OwnerID)
	}
	// Marie is no longer referent, and has the rights of her membership.
	wantStatus(t, "former referent tries again", marie.Post("/users/"+id(john.ID)+"/referent", nil), 403)

	wantStatus(t, "change owner", marie.Post("/users/"+id(john.ID)+"/owner", usersConfirmed()), 303)
	tn = d.tenant(t, "OCB0000001")
	if tn.ReferentID != john.ID || tn.OwnerID != john.ID {
		t.Fatalf("after owner change: referent %d owner %d", tn.ReferentID, tn.OwnerID)
	}
	wantStatus(t, "former owner tries again", marie.Post("/users/"+id(marieID)+"/owner", nil), 403)

	// John, now referent of OCB0000001, sees the Users tab there.
	jc := d.as(t, "John.Doe")
	wantStatus(t, "new referent's users tab", jc.Get("/users"), 200)
	paul := d.user(t, "Paul.Martin")
	wantStatus(t, "hand over to a non-member", jc.Post("/users/"+id(paul.ID)+"/referent", nil), 404)
}

func TestAMemberWithdrawsTheirOwnRights(t *testing.T) {
	d := newDesk(t)
	john := d.as(t, "John.Doe")
	wantBody(t, "home", john.Get("/"), "Withdraw my rights")
	wantStatus(t, "withdraw", john.Post("/membership/withdraw", usersConfirmed()), 303)
	wantBody(t, "home without tenant", john.Get("/"), "not attached to any tenant")

	marie := d.as(t, "Marie.Dupont")
	r := marie.Post("/membership/withdraw", nil)
	wantStatus(t, "referent withdraws", r, 422)
	wantBody(t, "referent withdraws", r, "Le référent ne peut pas quitter le tenant")
}
