package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/demo"
)

// TestTwoFactorConfirmSentTwiceOffersNewCodes: a double click on "turn it on" lands the second
// answer on the two-factor page, which makes new recovery codes with the password and a code;
// the old ones stop working.
func TestTwoFactorConfirmSentTwiceOffersNewCodes(t *testing.T) {
	d := newDesk(t)
	k := d.clock(t)
	marie := d.as(t, "Marie.Dupont")
	secret, old := enrolWeb(t, d, marie, k, "Marie.Dupont")
	r := marie.Post("/profile/2fa", url.Values{"code": {k.next(t, secret)}})
	if r.Status != http.StatusSeeOther || r.Location != "/profile/2fa" {
		t.Fatalf("second confirm: %d to %q, want the two-factor page", r.Status, r.Location)
	}
	r = marie.Get("/profile/2fa")
	wantBody(t, "page after the second confirm", r, "La double authentification est déjà activée", "Créer de nouveaux codes de secours")

	r = marie.Post("/profile/2fa/codes", url.Values{"renew_password": {"wrong"}, "renew_code": {k.next(t, secret)}})
	wantStatus(t, "wrong password", r, http.StatusUnprocessableEntity)
	wantBody(t, "wrong password beside its field", r, `id="f-renew_password-error"`)
	r = marie.Post("/profile/2fa/codes", url.Values{"renew_password": {demo.Password}, "renew_code": {old[0]}})
	wantStatus(t, "new codes", r, http.StatusOK)
	fresh := recoveryCode.FindAllStringSubmatch(r.Body, -1)
	if len(fresh) != 10 {
		t.Fatalf("%d new codes", len(fresh))
	}
	visitor := d.client(t)
	loginPassword(t, visitor, "Marie.Dupont")
	if r := visitor.Post("/login/code", url.Values{"code": {old[1]}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("an old recovery code after renewal: %d", r.Status)
	}
	if r := visitor.Post("/login/code", url.Values{"code": {fresh[0][1]}}); r.Status != http.StatusSeeOther {
		t.Errorf("a new recovery code: %d", r.Status)
	}
}

// TestTokensStayOutOfTheLogs: the invitation and password links carry their token in the path;
// the request log shows the path without it.
func TestTokensStayOutOfTheLogs(t *testing.T) {
	d := newDesk(t)
	token := strings.Repeat("Ab3_-", 8) + "xyz"
	c := d.client(t)
	c.Get("/password/reset/" + token)
	c.Get("/invitation/" + token)
	if logs := d.logs.String(); strings.Contains(logs, token) || !strings.Contains(logs, "/password/reset/…") {
		t.Errorf("a token in the logs:\n%s", logs)
	}
}

// TestRefusalPageNeverShowsPasswords: of a refused password change, the page gives back no
// field, whatever the names of the password fields.
func TestRefusalPageNeverShowsPasswords(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	marie.Get("/profile")
	r := marie.Post("/profile/password", url.Values{"current": {demo.Password}, "password": {"new\x00secret-9"}, "confirm": {"new\x00secret-9"}})
	wantStatus(t, "refused", r, http.StatusBadRequest)
	wantNoBody(t, "refused", r, demo.Password, "secret-9")
}

// TestHeadLeavesTheFlashForTheGet: a HEAD changes nothing, not even the one-time message.
func TestHeadLeavesTheFlashForTheGet(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	marie.SetCookie("guichet_flash", "flash.twofactor_off")
	r := marie.Send(httptest.NewRequest(http.MethodHead, "/profile", nil))
	wantStatus(t, "HEAD", r, http.StatusOK)
	if sc := r.Header.Get("Set-Cookie"); strings.Contains(sc, "guichet_flash") {
		t.Errorf("HEAD consumed the flash: %q", sc)
	}
	wantBody(t, "GET", marie.Get("/profile"), "La double authentification est désactivée")
	secretBefore := d.user(t, "Marie.Dupont").TOTPSecret
	wantStatus(t, "HEAD of the two-factor page", marie.Send(httptest.NewRequest(http.MethodHead, "/profile/2fa", nil)), http.StatusOK)
	if after := d.user(t, "Marie.Dupont").TOTPSecret; after != secretBefore {
		t.Error("a HEAD started an enrolment")
	}
}
