package change

import (
	"strings"
	"testing"
)

// svcCatalogue returns a one-catalogue, one-category service catalogue holding items.
func svcCatalogue(items string) string {
	return `
[[catalogue]]
code = "services"
label = { fr = "Services", en = "Services" }
[[catalogue.category]]
code = "misc"
label = { fr = "Divers", en = "Misc" }
` + items
}

// svcItem returns a service item x with the item keys and the fields given.
func svcItem(keys, fields string) string {
	return `
[[catalogue.category.item]]
code = "x"
label = { fr = "X", en = "X" }
description = { fr = "X.", en = "X." }
` + keys + fields
}

// The terms and fields of well-formed service items, which each case below spoils in one way.
const (
	svcTerms         = "order_by = \"services\"\nprice = \"pricelist\"\neffect = \"none\"\n"
	svcRef1Terms     = "order_by = \"referent\"\nprice = \"free\"\nimmediate = true\neffect = \"ref1\"\n"
	svcNoteField     = "\n[[catalogue.category.item.field]]\ncode = \"note\"\ntype = \"textarea\"\nmax = 200\nlabel = { fr = \"Note\", en = \"Note\" }\n"
	svcRef1Field     = "\n[[catalogue.category.item.field]]\ncode = \"ref1\"\ntype = \"text\"\nrequired = true\nmax = 40\nlabel = { fr = \"REF1\", en = \"REF1\" }\n"
	svcNameField     = "\n[[catalogue.category.item.field]]\ncode = \"name\"\ntype = \"text\"\nrequired = true\nmax = 100\nlabel = { fr = \"Nom\", en = \"Name\" }\n"
	svcAllianceTerms = "order_by = \"services\"\nprice = \"pricelist\"\neffect = \"alliance\"\n"
	svcRegionSel     = `
[[catalogue.category.item.field]]
code = "region"
type = "select"
required = true
label = { fr = "Région", en = "Region" }
option = [{ code = "alliance-hk-1", label = { fr = "Hong Kong", en = "Hong Kong" } }, { code = "OPTION", label = { fr = "O", en = "O" } }]
`
	svcSubTerms  = "order_by = \"services\"\nprice = \"pricelist\"\nimmediate = true\neffect = \"subscription\"\n"
	svcSubFields = `
[[catalogue.category.item.field]]
code = "region"
type = "region"
required = true
label = { fr = "Région", en = "Region" }
[[catalogue.category.item.field]]
code = "template"
type = "select"
required = true
label = { fr = "Modèle", en = "Template" }
option = [{ code = "t1", label = { fr = "T1", en = "T1" } }]
[[catalogue.category.item.field]]
code = "instances"
type = "int"
required = true
min = 1
max = 10
label = { fr = "Instances", en = "Instances" }
[[catalogue.category.item.field]]
code = "term"
type = "select"
required = true
label = { fr = "Durée", en = "Term" }
option = [{ code = "12", label = { fr = "12 mois", en = "12 months" } }, { code = "TERM", label = { fr = "T", en = "T" } }]
`
)

// svcAlliance returns the region field of an alliance item with option as its second option.
func svcAlliance(option string) string { return strings.Replace(svcRegionSel, "OPTION", option, 1) }

// svcSub returns the fields of a subscription item with term as its second term option.
func svcSub(term string) string { return strings.Replace(svcSubFields, "TERM", term, 1) }

func TestSvcLoadEmbedded(t *testing.T) {
	c, err := LoadServices("")
	if err != nil {
		t.Fatalf("embedded services.toml: %v", err)
	}
	want := map[string]struct {
		by        OrderBy
		price     Price
		immediate bool
		effect    Effect
	}{
		"ref1":          {OrderByReferent, PriceFree, true, EffectRef1},
		"contract_name": {OrderByReferent, PriceFree, true, EffectContractName},
		"alliance":      {OrderByServices, PricePricelist, false, EffectAlliance},
		"dec_dss":       {OrderByServices, PriceQuote, false, EffectNone},
		"fab":           {OrderByOwner, PricePricelist, false, EffectFAB},
		"ecs_reserved":  {OrderByServices, PricePricelist, true, EffectSubscription},
		"workspace":     {OrderByServices, PricePricelist, true, EffectSubscription},
	}
	for code, w := range want {
		it, ok := c.Orderable(code)
		if !ok {
			t.Errorf("no orderable item %q", code)
			continue
		}
		if it.OrderBy != w.by || it.Price != w.price || it.Immediate != w.immediate || it.Effect != w.effect || !it.IsService() {
			t.Errorf("%s: %s %s immediate=%v %s", code, it.OrderBy, it.Price, it.Immediate, it.Effect)
		}
		if it.Category() == nil {
			t.Errorf("%s: no category", code)
		}
	}
	if it, _ := c.Item("dec_dss"); !it.Quoted() {
		t.Error("dec_dss is not on quote")
	}
	// The embedded change catalogue and the service catalogue use distinct item codes: an order
	// is read back from its own catalogue, but a shared code would confuse people and logs.
	std, err := LoadCatalogue("")
	if err != nil {
		t.Fatal(err)
	}
	for code := range want {
		if _, ok := std.Item(code); ok {
			t.Errorf("item %q is in both catalogues", code)
		}
	}
}

func TestSvcLoadErrors(t *testing.T) {
	tests := []struct {
		name, toml string
		want       []string // substrings of the error
	}{
		{"missing order_by", svcCatalogue(svcItem(strings.Replace(svcTerms, `order_by = "services"`, "", 1), svcNoteField)),
			[]string{`item "x": order_by "": want referent, owner or services`}},
		{"unknown order_by", svcCatalogue(svcItem(strings.Replace(svcTerms, `"services"`, `"anyone"`, 1), svcNoteField)),
			[]string{`item "x": order_by "anyone"`}},
		{"missing price", svcCatalogue(svcItem(strings.Replace(svcTerms, `price = "pricelist"`, "", 1), svcNoteField)),
			[]string{`item "x": price "": want free, quote or pricelist`}},
		{"unknown price", svcCatalogue(svcItem(strings.Replace(svcTerms, `"pricelist"`, `"gratis"`, 1), svcNoteField)),
			[]string{`item "x": price "gratis": want free, quote or pricelist`}},
		{"immediate on quote", svcCatalogue(svcItem(strings.Replace(svcTerms, `"pricelist"`, `"quote"`, 1)+"immediate = true\n", svcNoteField)),
			[]string{`item "x": an item on quote cannot be applied at once`}},
		{"missing effect", svcCatalogue(svcItem(strings.Replace(svcTerms, `effect = "none"`, "", 1), svcNoteField)),
			[]string{`item "x": effect "": want none, ref1, contract_name, alliance, fab or subscription`}},
		{"unknown effect", svcCatalogue(svcItem(strings.Replace(svcTerms, `"none"`, `"magic"`, 1), svcNoteField)),
			[]string{`item "x": effect "magic"`}},
		{"kind on a service", svcCatalogue(svcItem(svcTerms+"kind = \"quota\"\n", svcNoteField)),
			[]string{`item "x": a service item has no kind and no auto_approve_max`}},
		{"effect ref1 without field ref1", svcCatalogue(svcItem(svcRef1Terms, svcNoteField)),
			[]string{`item "x": effect "ref1" needs a field "ref1"`}},
		{"field ref1 of the wrong type", svcCatalogue(svcItem(svcRef1Terms, strings.Replace(svcRef1Field, `"text"`, `"textarea"`, 1))),
			[]string{`item "x", field "ref1": effect "ref1" needs type "text", not "textarea"`}},
		{"field ref1 not required", svcCatalogue(svcItem(svcRef1Terms, strings.Replace(svcRef1Field, "required = true\n", "", 1))),
			[]string{`item "x", field "ref1": effect "ref1" needs the field required`}},
		{"ref1 max above 40", svcCatalogue(svcItem(svcRef1Terms, strings.Replace(svcRef1Field, "max = 40", "max = 41", 1))),
			[]string{`item "x", field "ref1": REF1 is at most 40 characters`}},
		{"contract name max above 100", svcCatalogue(svcItem(strings.Replace(svcRef1Terms, `"ref1"`, `"contract_name"`, 1),
			strings.Replace(svcNameField, "max = 100", "max = 101", 1))),
			[]string{`item "x", field "name": a contract name is at most 100 characters`}},
		{"contract name without field name", svcCatalogue(svcItem(strings.Replace(svcRef1Terms, `"ref1"`, `"contract_name"`, 1), svcRef1Field)),
			[]string{`item "x": effect "contract_name" needs a field "name"`}},
		{"alliance option not an alliance region", svcCatalogue(svcItem(svcAllianceTerms, svcAlliance("eu-west-0"))),
			[]string{`item "x", field "region": option "eu-west-0" is not a Cloud Alliance region`}},
		{"alliance region of the wrong type", svcCatalogue(svcItem(svcAllianceTerms, strings.Replace(strings.Replace(svcRegionSel, `type = "select"`, `type = "region"`, 1), "option = ", "# ", 1))),
			[]string{`item "x", field "region": effect "alliance" needs type "select", not "region"`}},
		{"term option not a number", svcCatalogue(svcItem(svcSubTerms, svcSub("twelve"))),
			[]string{`item "x", field "term": option "twelve" is not a number of months from 1 to 60`}},
		{"term option of no months", svcCatalogue(svcItem(svcSubTerms, svcSub("0"))),
			[]string{`item "x", field "term": option "0" is not a number of months from 1 to 60`}},
		{"term option above five years", svcCatalogue(svcItem(svcSubTerms, svcSub("61"))),
			[]string{`item "x", field "term": option "61" is not a number of months from 1 to 60`}},
		{"subscription without instances", svcCatalogue(svcItem(svcSubTerms, svcSub("24")[:strings.Index(svcSub("24"), "[[catalogue.category.item.field]]\ncode = \"instances\"")])),
			[]string{`item "x": effect "subscription" needs a field "instances"`, `item "x": effect "subscription" needs a field "term"`}},
		{"reservation option", svcCatalogue(svcItem(svcSubTerms, svcSub("24")+"[[catalogue.category.item.field]]\ncode = \"reservation\"\ntype = \"select\"\nrequired = true\n"+
			"label = { fr = \"R\", en = \"R\" }\noption = [{ code = \"spot\", label = { fr = \"S\", en = \"S\" } }]\n")),
			[]string{`item "x", field "reservation": option "spot": want standard or flexible`}},
		{"unknown key", svcCatalogue(svcItem(strings.Replace(svcTerms, "order_by", "order_bye", 1), svcNoteField)),
			[]string{"unknown keys", "order_bye"}},
		{"every problem at once", svcCatalogue(svcItem(strings.Replace(svcRef1Terms, `"free"`, `"quote"`, 1), strings.Replace(svcRef1Field, "max = 40", "max = 400", 1))),
			[]string{`item "x": an item on quote cannot be applied at once`, `item "x", field "ref1": REF1 is at most 40 characters`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadServices(writeTemp(t, tt.toml))
			if err == nil {
				t.Fatal("loaded a bad service catalogue")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\n does not contain %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), "service catalogue") || !strings.Contains(err.Error(), "catalogue.toml") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

// TestSvcLoadWellFormed: the well-formed items the error cases spoil load, so that each case
// fails for its own mistake.
func TestSvcLoadWellFormed(t *testing.T) {
	for name, toml := range map[string]string{
		"none":          svcCatalogue(svcItem(svcTerms, svcNoteField)),
		"ref1":          svcCatalogue(svcItem(svcRef1Terms, svcRef1Field)),
		"contract_name": svcCatalogue(svcItem(strings.Replace(svcRef1Terms, `"ref1"`, `"contract_name"`, 1), svcNameField)),
		"alliance":      svcCatalogue(svcItem(svcAllianceTerms, svcAlliance("alliance-sg-1"))),
		"subscription":  svcCatalogue(svcItem(svcSubTerms, svcSub("60"))),
		"quote":         svcCatalogue(svcItem(strings.Replace(svcTerms, `"pricelist"`, `"quote"`, 1), svcNoteField)),
	} {
		if _, err := LoadServices(writeTemp(t, toml)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := LoadServices(t.TempDir() + "/missing.toml"); err == nil || !strings.Contains(err.Error(), "service catalogue") {
		t.Errorf("missing file: %v", err)
	}
}

// TestSvcTermsOutsideTheServiceCatalogue: the change catalogue refuses the service terms.
func TestSvcTermsOutsideTheServiceCatalogue(t *testing.T) {
	for _, keys := range []string{"order_by = \"referent\"\n", "price = \"free\"\n", "immediate = true\n", "effect = \"none\"\n",
		"notice = { fr = \"Attention.\", en = \"Beware.\" }\n"} {
		_, err := parseCatalogue([]byte(catalogueWith(itemWith(keys + intField))))
		if err == nil || !strings.Contains(err.Error(), `item "x": order_by, price, immediate, effect and notice belong to the service catalogue`) {
			t.Errorf("%s: %v", strings.TrimSpace(keys), err)
		}
	}
	// And the service catalogue's own loader is the one that accepts them.
	if _, err := parseServices([]byte(svcCatalogue(svcItem(svcTerms, svcNoteField)))); err != nil {
		t.Errorf("parseServices: %v", err)
	}
	if _, err := parseServices([]byte(catalogueWith(itemWith(intField)))); err == nil {
		t.Error("an item without service terms loaded as a service")
	}
}
