package web_test

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// French agrees with its nouns: the urgency is « Élevée », the impact « Élevé », and the SLA's
// count reads as part of its sentence, in both languages.
func TestIncidentWordingAgreesInFrench(t *testing.T) {
	d := newDesk(t)
	inc := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Stockage objet en erreur")
	fr := d.as(t, "Marie.Dupont").Get("/incidents/" + inc.Number()).Body
	for _, want := range []string{"Impact Moyen, Urgence Moyenne", "décompte 24\u00a0h/24, 7\u00a0j/7."} {
		if !strings.Contains(fr, want) {
			t.Errorf("French incident page lacks %q", want)
		}
	}
	if strings.Contains(fr, "décompte Heures") || strings.Contains(fr, "Urgence Moyen)") {
		t.Error("French incident page: a capital mid-sentence or an urgency in the masculine")
	}
	en := d.as(t, "John.Doe").Get("/incidents/" + inc.Number()).Body
	if !strings.Contains(en, "Impact Medium, Urgency Medium") || !strings.Contains(en, "counted around the clock (24/7).") {
		t.Error("English incident page lacks its impact, urgency or count wording")
	}
	form := d.as(t, "Marie.Dupont").Get("/incidents/new").Body
	if !strings.Contains(form, `name="urgency" value="high"`) || !strings.Contains(form, "> Élevée</label>") || !strings.Contains(form, "> Élevé</label>") {
		t.Error("the declare form's urgency choices do not agree with « urgence »")
	}
}

// The French desk says « e-mail », one word for one thing, and names no brand but its own.
func TestOneWordForEmailAndNoForeignBrand(t *testing.T) {
	for _, f := range []string{"../../locales/fr.toml", "../../locales/en.toml"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if strings.Contains(strings.ToLower(s), "courriel") {
			t.Errorf("%s says « courriel » besides « e-mail »", f)
		}
		if strings.Contains(s, "Cloudstore") {
			t.Errorf("%s names the Cloudstore brand, which the desk shows nowhere", f)
		}
	}
}

// Staff read the staff wording of an incident waiting for the customer on a tenant's page too.
func TestStaffTenantPageSaysWaitingForCustomer(t *testing.T) {
	d := newDesk(t)
	ten := d.tenant(t, "OCB0000001")
	d.waitingForCustomer(t, ten.ID, "Quota de volumes atteint")
	page := d.as(t, "Alice.Agent").Get("/staff/tenants/" + strconv.FormatInt(ten.ID, 10)).Body
	if !strings.Contains(page, `<span class="badge st-pending_customer">Waiting for customer</span>`) || strings.Contains(page, "Waiting for you") {
		t.Error("the staff tenant page does not say « Waiting for customer » to the agent")
	}
}
