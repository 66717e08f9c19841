package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

// crFABAt is when the tests activate File and Applicative Backup: 23:30 UTC on 2 December is
// already 3 December in Paris, the day the Contract tab shows.
var crFABAt = time.Date(2026, 12, 2, 23, 30, 0, 0, time.UTC)

// crWords are what the pages of the Services work say in each language.
var crWords = map[string]struct {
	ref1, ref2, ref3, none, change, fab, console, consoleRole, fabInactive, ownerConsole, granted, withdrawn, held, forbidden string
}{
	"fr": {
		ref1: "Votre référence (REF1)", ref2: "Référence REF2", ref3: "Référence REF3", none: "Non renseignée", change: "Modifier",
		fab: "Actif depuis le ", console: "Console de sauvegarde", consoleRole: "Cust_Admin",
		fabInactive:  "Le droit Console de sauvegarde existe une fois File and Applicative Backup actif sur le tenant.",
		ownerConsole: "Le propriétaire du domaine dispose de la console de sauvegarde par son rôle.",
		granted:      "Le droit Console de sauvegarde est accordé.", withdrawn: "Le droit Console de sauvegarde est retiré.",
		held: "John Doe a le droit Console de sauvegarde (rôle Cust_Admin).", forbidden: "Accès refusé",
	},
	"en": {
		ref1: "Your reference (REF1)", ref2: "REF2 reference", ref3: "REF3 reference", none: "Not set", change: "Change",
		fab: "Active since ", console: "Backup console", consoleRole: "Cust_Admin",
		fabInactive:  "The Backup console right exists once File and Applicative Backup is active on the tenant.",
		ownerConsole: "The domain owner holds the Backup console by that role.",
		granted:      "The Backup console right is granted.", withdrawn: "The Backup console right is withdrawn.",
		held: "John Doe has the Backup console right (Cust_Admin role).", forbidden: "Access denied",
	},
}

// crSpeak logs login in, reading lang.
func crSpeak(t *testing.T, d *desk, login, lang string) *testutil.Client {
	t.Helper()
	c := d.as(t, login)
	wantStatus(t, login+" reads "+lang, c.Post("/profile/lang", url.Values{"lang": {lang}}), 303)
	return c
}

// crSetTenant writes columns of tenant code directly, as the provider's tools or an applied
// service order do.
func crSetTenant(t *testing.T, d *desk, code string, set map[string]any) {
	t.Helper()
	q := d.DB.NewUpdate().Table("tenants").Where("code = ?", code)
	for col, v := range set {
		q = q.Set(col+" = ?", v)
	}
	if _, err := q.Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// crMember makes login a member of tenant code with rights r.
func crMember(t *testing.T, d *desk, code, login string, r tenancy.Rights) int64 {
	t.Helper()
	u := d.user(t, login)
	if err := tenancy.InsertMembership(context.Background(), d.DB, &tenancy.Membership{TenantID: d.tenant(t, code).ID, UserID: u.ID, Rights: r}); err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func crMembership(t *testing.T, d *desk, code string, userID int64) *tenancy.Membership {
	t.Helper()
	m, err := tenancy.MembershipOf(context.Background(), d.DB, d.tenant(t, code).ID, userID)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCrContractShowsTheBillReferences: the Contract tab shows REF1, REF2 and REF3 (an empty one
// says so), the referent may change REF1 and the contract name from the Services tab, a member
// with the contract right only reads them, and File and Applicative Backup shows once active,
// with its Paris day.
func TestCrContractShowsTheBillReferences(t *testing.T) {
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			w := crWords[lang]
			d := newDesk(t)
			crSetTenant(t, d, "OCB0000001", map[string]any{"ref1": "BC-2026-0042", "ref2": "PJ00012345", "ref3": ""})
			crMember(t, d, "OCB0000001", "Paul.Martin", tenancy.Rights{Contract: true})

			marie := crSpeak(t, d, "Marie.Dupont", lang)
			r := marie.Get("/contract")
			wantStatus(t, "contract tab", r, http.StatusOK)
			wantBody(t, "contract tab", r, w.ref1, "BC-2026-0042", w.ref2, "PJ00012345", w.ref3, w.none, "Dupont Industrie — Production",
				`href="/services/order/ref1"`, `href="/services/order/contract_name"`, ">"+w.change+"<")
			wantNoBody(t, "contract tab before FAB", r, "File and Applicative Backup", `id="fab"`)

			paul := crSpeak(t, d, "Paul.Martin", lang)
			paul.Post("/scope", url.Values{"tenant": {id(d.tenant(t, "OCB0000001").ID)}, "next": {"/contract"}})
			r = paul.Get("/contract")
			wantStatus(t, "member's contract tab", r, http.StatusOK)
			wantBody(t, "member's contract tab", r, "BC-2026-0042", "PJ00012345", w.none)
			wantNoBody(t, "member's contract tab", r, "/services/order/ref1", "/services/order/contract_name")

			crSetTenant(t, d, "OCB0000001", map[string]any{"fab_activated_at": crFABAt})
			r = marie.Get("/contract")
			wantBody(t, "contract tab after FAB", r, "File and Applicative Backup",
				w.fab+d.Bundle.FormatDate(lang, calendar.NewDate(2026, 12, 3)))
		})
	}
}

// TestCrUsersServicesRight: the services right is a box of the invitation and of a member's
// rights, stored, listed and named in the invitation mail.
func TestCrUsersServicesRight(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	marie := d.as(t, "Marie.Dupont")
	r := marie.Get("/users")
	wantBody(t, "invite form", r, `name="services"`, "Services")

	r = marie.Post("/users", url.Values{"email": {"lea.nouvelle@example.fr"}, "lang": {"fr"}, "incidents": {"on"}, "services": {"on"}})
	wantStatus(t, "invite", r, http.StatusSeeOther)
	var inv tenancy.Invitation
	if err := d.DB.NewSelect().Model(&inv).Where("email_key = ?", "lea.nouvelle@example.fr").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if inv.Rights != (tenancy.Rights{Incidents: true, Services: true}) {
		t.Errorf("invitation's rights: %+v", inv.Rights)
	}
	var mail notify.Message
	if err := d.DB.NewSelect().Model(&mail).Where("kind = 'invitation' AND recipient_email = ?", "lea.nouvelle@example.fr").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(mail.BodyText, "Services") {
		t.Errorf("the invitation mail does not name the services right: %s", mail.BodyText)
	}
	r = marie.Get("/users")
	wantBody(t, "pending invitation", r, "lea.nouvelle@example.fr")

	// A member's rights: the box is offered, saved and shown.
	paul := crMember(t, d, "OCB0000001", "Paul.Martin", tenancy.Rights{Incidents: true})
	r = marie.Get("/users/" + id(paul))
	wantBody(t, "member page", r, `name="services"`)
	wantNoBody(t, "member page", r, `name="services" checked`)
	r = marie.Post("/users/"+id(paul), url.Values{"incidents": {"on"}, "services": {"on"}})
	wantStatus(t, "save rights", r, http.StatusSeeOther)
	if m := crMembership(t, d, "OCB0000001", paul); m.Rights != (tenancy.Rights{Incidents: true, Services: true}) {
		t.Errorf("saved rights: %+v", m.Rights)
	}
	r = marie.Get("/users/" + id(paul))
	wantBody(t, "member page after", r, `name="services" checked`)
	// Taking it back leaves the member their other rights.
	wantStatus(t, "withdraw services", marie.Post("/users/"+id(paul), url.Values{"incidents": {"on"}}), http.StatusSeeOther)
	if m := crMembership(t, d, "OCB0000001", paul); m.Rights != (tenancy.Rights{Incidents: true}) {
		t.Errorf("rights after withdrawing services: %+v", m.Rights)
	}
}

// TestCrMemberBackupConsole: the « Backup console » right exists once File and Applicative
// Backup is active; the domain owner grants and withdraws it from the member page; the
// referent, not the owner, reads it and is refused; refusals say why in the reader's language
// and write nothing.
func TestCrMemberBackupConsole(t *testing.T) {
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			w := crWords[lang]
			d := newDesk(t)
			tn := d.tenant(t, "OCB0000001")
			// Paul Martin is the domain owner and manages users; Marie Dupont stays the referent.
			paulID := crMember(t, d, "OCB0000001", "Paul.Martin", tenancy.Rights{Users: true})
			tn.OwnerID = paulID
			if err := tenancy.UpdateTenant(context.Background(), d.DB, tn, "owner_id"); err != nil {
				t.Fatal(err)
			}
			john := d.user(t, "John.Doe").ID
			member, action := "/users/"+id(john), "/users/"+id(john)+"/backup-console"
			paul, marie := crSpeak(t, d, "Paul.Martin", lang), crSpeak(t, d, "Marie.Dupont", lang)
			paul.Post("/scope", url.Values{"tenant": {id(tn.ID)}, "next": {"/users"}})
			held := func() bool { return crMembership(t, d, "OCB0000001", john).BackupConsole }

			// Before FAB: no section, no column; the owner's POST is refused and says why.
			r := paul.Get(member)
			wantStatus(t, "member page", r, http.StatusOK)
			wantNoBody(t, "member page before FAB", r, `id="console"`, action)
			wantNoBody(t, "users before FAB", paul.Get("/users"), w.console)
			r = paul.Post(action, url.Values{"backup_console": {"on"}})
			wantStatus(t, "grant before FAB", r, http.StatusUnprocessableEntity)
			wantBody(t, "grant before FAB", r, w.fabInactive)
			wantNoBody(t, "grant before FAB", r, "data-unshown-field")
			wantStatus(t, "the referent before FAB", marie.Post(action, url.Values{"backup_console": {"on"}}), http.StatusForbidden)
			if held() {
				t.Fatal("granted before FAB")
			}

			crSetTenant(t, d, "OCB0000001", map[string]any{"fab_activated_at": crFABAt})
			r = paul.Get(member)
			wantBody(t, "owner's member page", r, `id="console"`, w.console, `action="`+action+`"`, `name="backup_console"`)
			r = paul.Post(action, url.Values{"backup_console": {"on"}})
			wantStatus(t, "grant", r, http.StatusSeeOther)
			if r.Location != member {
				t.Errorf("grant goes to %q, want %q", r.Location, member)
			}
			wantBody(t, "after grant", paul.Get(member), w.granted, `name="backup_console" id="f-backup_console" checked`)
			if !held() {
				t.Fatal("not granted")
			}
			r = paul.Get("/users")
			wantBody(t, "users column", r, ">"+w.console+"</th>", ">"+w.consoleRole+"</td>")

			// The referent, who is not the owner, reads it and may not change it.
			r = marie.Get(member)
			wantBody(t, "referent's member page", r, `id="console"`, w.held)
			wantNoBody(t, "referent's member page", r, action)
			r = marie.Post(action, url.Values{})
			wantStatus(t, "referent withdraws", r, http.StatusForbidden)
			wantBody(t, "referent withdraws", r, w.forbidden)
			if !held() {
				t.Fatal("the referent withdrew it")
			}

			// The owner holds it by role, and withdraws it from others.
			r = paul.Get("/users/" + id(paulID))
			wantBody(t, "owner's own page", r, w.ownerConsole)
			wantNoBody(t, "owner's own page", r, `name="backup_console"`)
			r = paul.Post("/users/"+id(paulID)+"/backup-console", url.Values{"backup_console": {"on"}})
			wantStatus(t, "owner grants themself", r, http.StatusUnprocessableEntity)
			wantNoBody(t, "owner grants themself", r, "data-unshown-field")
			wantStatus(t, "withdraw", paul.Post(action, url.Values{}), http.StatusSeeOther)
			wantBody(t, "after withdraw", paul.Get(member), w.withdrawn)
			if held() {
				t.Fatal("not withdrawn")
			}
		})
	}
}

// crGrant grants a Cloud Alliance region to tenant code, as an applied service order does.
func crGrant(t *testing.T, d *desk, code, region string) {
	t.Helper()
	_, err := d.DB.NewRaw("INSERT INTO tenant_alliance_regions (tenant_id, region, granted_at) VALUES (?, ?, ?)",
		d.tenant(t, code).ID, region, time.Now().UTC()).Exec(context.Background())
	if err != nil {
		t.Fatal(err)
	}
}

// TestCrIncidentFormOffersGrantedAllianceRegions: the declaration form offers the Cloud
// Alliance regions granted to the tenant in scope, after the provider's, and the desk refuses
// one that is not granted, beside the field; a granted one is declared and shown by its name.
func TestCrIncidentFormOffersGrantedAllianceRegions(t *testing.T) {
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			d := newDesk(t)
			name := map[string]string{"fr": "Singapour (Cloud Alliance)", "en": "Singapore (Cloud Alliance)"}[lang]
			refused := map[string]string{"fr": "Choisissez une région dans la liste.", "en": "Choose a region in the list."}[lang]
			marie := crSpeak(t, d, "Marie.Dupont", lang)
			marie.Post("/scope", url.Values{"tenant": {id(d.tenant(t, "OCB0000001").ID)}, "next": {"/incidents"}})
			form := validIncidentForm()
			form.Set("region", "alliance-sg-1")
			form.Set("suggested", "1")

			r := marie.Get("/incidents/new")
			wantNoBody(t, "form before the grant", r, `value="alliance-sg-1"`)
			r = marie.Post("/incidents", form)
			wantStatus(t, "a region not granted", r, http.StatusUnprocessableEntity)
			wantBody(t, "a region not granted", r, `id="f-region-error">`+refused, "Volume EVS inaccessible")
			if n := countIncidents(t, d); n != 0 {
				t.Fatalf("%d incidents declared in a region not granted", n)
			}

			crGrant(t, d, "OCB0000002", "alliance-sg-1") // another tenant's grant is not this one's
			wantStatus(t, "granted elsewhere", marie.Post("/incidents", form), http.StatusUnprocessableEntity)

			crGrant(t, d, "OCB0000001", "alliance-sg-1")
			r = marie.Get("/incidents/new")
			body := r.Body
			paris, sg, other := strings.Index(body, `value="eu-west-0"`), strings.Index(body, `value="alliance-sg-1"`), strings.Index(body, `value="alliance"`)
			if paris < 0 || sg < paris || other < sg {
				t.Errorf("the form offers the regions at %d (Paris), %d (Singapore), %d (another Alliance region)", paris, sg, other)
			}
			wantBody(t, "form after the grant", r, name)
			wantNoBody(t, "form after the grant", r, `value="alliance-hk-1"`)

			r = marie.Post("/incidents", form)
			wantStatus(t, "a granted region", r, http.StatusSeeOther)
			var inc incident.Incident
			if err := d.DB.NewSelect().Model(&inc).Scan(context.Background()); err != nil {
				t.Fatal(err)
			}
			if inc.Region != "alliance-sg-1" || inc.RegionOther != "" {
				t.Errorf("declared in %q / %q", inc.Region, inc.RegionOther)
			}
			r = marie.Get("/incidents/" + inc.Number())
			wantStatus(t, "incident page", r, http.StatusOK)
			wantBody(t, "incident page", r, name)
			wantBody(t, "CSV", marie.Get("/incidents/export"), name)
		})
	}
}
