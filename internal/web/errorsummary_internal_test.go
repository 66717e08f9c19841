package web

import (
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/locales"
)

// The summary lists the errors in the order of the fields in the form, names each field by the
// label the reader sees, puts what concerns the whole form first, and links each to its field.
func TestErrorSummaryFollowsTheFormAndNamesFields(t *testing.T) {
	b, err := i18n.Load(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	h := &handler{}
	h.Bundle = b
	page := `<main>` + errorSlot + `<form>
<div class="field"><label for="f-title">Titre <span class="req" aria-hidden="true">*</span></label><input id="f-title"></div>
<fieldset id="f-rights"><legend>Droits &amp; accès</legend></fieldset>
<div><label for="f-body">Description</label><textarea id="f-body"></textarea></div>
<fieldset><legend id="f-region">Région <span class="req">*</span></legend></fieldset>
<div><input id="f-zone"></div>
</form></main>`
	errs := map[string]string{"body": "Ce champ est obligatoire.", "title": "Ce champ est obligatoire.",
		"rights": "Choisissez un droit.", "": "La demande a changé entre-temps.", "zone": "Zone <inconnue>.", "region": "Choisissez une région.", "gone": "Absent."}
	got := string(h.withErrorSummary([]byte(page), "fr", errs))
	want := `<ul><li>La demande a changé entre-temps.</li>` +
		`<li><a href="#f-title">Titre : Ce champ est obligatoire.</a></li>` +
		`<li><a href="#f-rights">Droits &amp; accès : Choisissez un droit.</a></li>` +
		`<li><a href="#f-body">Description : Ce champ est obligatoire.</a></li>` +
		`<li><a href="#f-region">Région : Choisissez une région.</a></li>` +
		`<li><a href="#f-zone">Zone &lt;inconnue&gt;.</a></li>` +
		`<li data-unshown-field="gone">Absent.</li></ul>`
	if !strings.Contains(got, want) {
		t.Errorf("summary:\n%s\nwant the list:\n%s", got, want)
	}
	if strings.Contains(got, errorSlot) || !strings.Contains(got, `<main><div class="errors" role="alert"`) {
		t.Errorf("the slot is not replaced by the summary:\n%s", got)
	}
	if got := string(h.withErrorSummary([]byte(page), "fr", nil)); strings.Contains(got, errorSlot) || strings.Contains(got, "errors") {
		t.Errorf("without errors the slot goes:\n%s", got)
	}
}
