package change

import (
	"strings"
	"testing"
)

// catalogueWith returns a one-catalogue, one-category TOML file holding items.
func catalogueWith(items string) string {
	return `
[[catalogue]]
code = "std"
label = { fr = "Standard", en = "Standard" }
[[catalogue.category]]
code = "quotas"
label = { fr = "Quotas", en = "Quotas" }
` + items
}

// itemWith returns a non-quota item x whose fields are fields.
func itemWith(fields string) string {
	return `
[[catalogue.category.item]]
code = "x"
label = { fr = "X", en = "X" }
description = { fr = "X.", en = "X." }
` + fields
}

const (
	intField = `
[[catalogue.category.item.field]]
code = "n"
type = "int"
label = { fr = "N", en = "N" }
`
	regionField = `
[[catalogue.category.item.field]]
code = "region"
type = "region"
required = true
label = { fr = "Région", en = "Region" }
`
	currentField = `
[[catalogue.category.item.field]]
code = "current"
type = "int"
required = true
label = { fr = "Actuel", en = "Current" }
`
	requestedField = `
[[catalogue.category.item.field]]
code = "requested"
type = "int"
required = true
max = 100
label = { fr = "Demandé", en = "Requested" }
`
)

// quotaItem returns a quota item q with the extra item keys and the fields given.
func quotaItem(keys, fields string) string {
	return `
[[catalogue.category.item]]
code = "q"
kind = "quota"
label = { fr = "Q", en = "Q" }
description = { fr = "Q.", en = "Q." }
` + keys + fields
}

func TestLoadCatalogueErrors(t *testing.T) {
	quotaFields := regionField + currentField + requestedField
	tests := []struct {
		name, toml string
		want       []string // substrings of the error
	}{
		{"syntax", `[[catalogue]`, []string{"toml"}},
		{"empty", ``, []string{"no [[catalogue]]"}},
		{"unknown key", catalogueWith(itemWith(strings.Replace(intField, "type", "requird = true\ntype", 1))),
			[]string{"unknown keys", "requird"}},
		{"duplicate catalogue", catalogueWith(itemWith(intField)) + `
[[catalogue]]
code = "std"
label = { fr = "Autre", en = "Other" }`, []string{`catalogue "std": duplicate code`}},
		{"duplicate category", catalogueWith(itemWith(intField)) + `
[[catalogue.category]]
code = "quotas"
label = { fr = "Q", en = "Q" }` + strings.Replace(itemWith(intField), `"x"`, `"y"`, 1),
			[]string{`category "quotas": duplicate code`}},
		{"duplicate item across categories", catalogueWith(itemWith(intField)) + `
[[catalogue.category]]
code = "other"
label = { fr = "Autre", en = "Other" }` + itemWith(intField), []string{`item "x": duplicate code`}},
		{"duplicate field", catalogueWith(itemWith(intField + intField)), []string{`item "x", field "n": duplicate code`}},
		{"duplicate option", catalogueWith(itemWith(`
[[catalogue.category.item.field]]
code = "s"
type = "select"
label = { fr = "S", en = "S" }
option = [{ code = "a", label = { fr = "A", en = "A" } }, { code = "a", label = { fr = "B", en = "B" } }]
`)), []string{`item "x", field "s", option "a": duplicate code`}},
		{"bad code", catalogueWith(strings.Replace(itemWith(intField), `"x"`, `"ECS Instances"`, 1)),
			[]string{`item "ECS Instances": code must be`}},
		{"missing item code", catalogueWith(strings.Replace(itemWith(intField), `code = "x"`, ``, 1)),
			[]string{`category "quotas", item #1: missing code`}},
		{"missing field code", catalogueWith(itemWith(strings.Replace(intField, `code = "n"`, ``, 1))),
			[]string{`item "x", field #1: missing code`}},
		{"unknown field type", catalogueWith(itemWith(strings.Replace(intField, `"int"`, `"number"`, 1))),
			[]string{`item "x", field "n": unknown type "number"`}},
		{"missing field type", catalogueWith(itemWith(strings.Replace(intField, `type = "int"`, ``, 1))),
			[]string{`item "x", field "n": missing type`}},
		{"missing French item label", catalogueWith(strings.Replace(itemWith(intField), `label = { fr = "X", en = "X" }`, `label.en = "X"`, 1)),
			[]string{`item "x": missing French label`}},
		{"missing English field label", catalogueWith(itemWith(strings.Replace(intField, `en = "N"`, `en = " "`, 1))),
			[]string{`item "x", field "n": missing English label`}},
		{"missing description", catalogueWith(strings.Replace(itemWith(intField), `description = { fr = "X.", en = "X." }`, ``, 1)),
			[]string{`item "x": missing French description`, `item "x": missing English description`}},
		{"missing catalogue label", strings.Replace(catalogueWith(itemWith(intField)), `label = { fr = "Standard", en = "Standard" }`, `label.fr = "Standard"`, 1),
			[]string{`catalogue "std": missing English label`}},
		{"missing category label", strings.Replace(catalogueWith(itemWith(intField)), `label = { fr = "Quotas", en = "Quotas" }`, ``, 1),
			[]string{`catalogue "std", category "quotas": missing French label`}},
		{"help in one language", catalogueWith(itemWith(intField + "help.fr = \"Aide\"\n")),
			[]string{`item "x", field "n": missing English help`}},
		{"unit in one language", catalogueWith(itemWith(intField + "unit.en = \"GiB\"\n")),
			[]string{`item "x", field "n": missing French unit`}},
		{"min above max", catalogueWith(itemWith(intField + "min = 10\nmax = 5\n")),
			[]string{`item "x", field "n": min 10 is above max 5`}},
		{"select without options", catalogueWith(itemWith(strings.Replace(intField, `"int"`, `"select"`, 1))),
			[]string{`item "x", field "n": select field without options`}},
		{"options on an int", catalogueWith(itemWith(intField + `option = [{ code = "a", label = { fr = "A", en = "A" } }]` + "\n")),
			[]string{`item "x", field "n": options on a field of type "int"`}},
		{"option without label", catalogueWith(itemWith(strings.Replace(intField, `"int"`, `"select"`, 1) + `option = [{ code = "a" }]` + "\n")),
			[]string{`item "x", field "n", option "a": missing French label`}},
		{"text without max", catalogueWith(itemWith(strings.Replace(intField, `"int"`, `"textarea"`, 1))),
			[]string{`item "x", field "n": textarea field needs a max`}},
		{"text with negative min", catalogueWith(itemWith(strings.Replace(intField, `"int"`, `"text"`, 1) + "min = -1\nmax = 5\n")),
			[]string{`item "x", field "n": length bounds`}},
		{"bounds on a date", catalogueWith(itemWith(strings.Replace(intField, `"int"`, `"date"`, 1) + "max = 5\n")),
			[]string{`item "x", field "n": date field takes no min or max`}},
		{"item without fields", catalogueWith(itemWith(``)), []string{`item "x": no field`}},
		{"category without items", catalogueWith(``), []string{`category "quotas": no item`}},
		{"unknown kind", catalogueWith(strings.Replace(itemWith(intField), `code = "x"`, "code = \"x\"\nkind = \"quotum\"", 1)),
			[]string{`item "x": unknown kind "quotum"`}},
		{"negative lead time", catalogueWith(itemWith("lead_time_days = -1\n" + intField)),
			[]string{`item "x": lead_time_days -1 is negative`}},
		{"quota without region", catalogueWith(quotaItem(``, currentField+requestedField)),
			[]string{`item "q": quota item without field "region"`}},
		{"quota without current", catalogueWith(quotaItem(``, regionField+requestedField)),
			[]string{`item "q": quota item without field "current"`}},
		{"quota without requested", catalogueWith(quotaItem(``, regionField+currentField)),
			[]string{`item "q": quota item without field "requested"`}},
		{"quota region of the wrong type", catalogueWith(quotaItem(``, strings.Replace(regionField, `type = "region"`, `type = "text"`+"\nmax = 9", 1)+currentField+requestedField)),
			[]string{`item "q", field "region": quota field must have type "region", not "text"`}},
		{"quota field not required", catalogueWith(quotaItem(``, regionField+strings.Replace(currentField, "required = true", "", 1)+requestedField)),
			[]string{`item "q", field "current": quota field must be required`}},
		{"quota requested without max", catalogueWith(quotaItem(``, regionField+currentField+strings.Replace(requestedField, "max = 100", "", 1))),
			[]string{`item "q", field "requested": quota field needs a max`}},
		{"auto-approve above the item max", catalogueWith(quotaItem("auto_approve_max = 500\nauto_approve_factor = 2\n", quotaFields)),
			[]string{`item "q": auto_approve_max 500 is above the requested field's max 100`}},
		{"auto-approve factor of 1", catalogueWith(quotaItem("auto_approve_max = 50\nauto_approve_factor = 1\n", quotaFields)),
			[]string{`item "q": auto_approve_factor 1 must be above 1`}},
		{"auto-approve factor alone", catalogueWith(quotaItem("auto_approve_factor = 2\n", quotaFields)),
			[]string{`item "q": auto_approve_factor without auto_approve_max`}},
		{"auto-approve on a non-quota item", catalogueWith(itemWith("auto_approve_max = 5\nauto_approve_factor = 2\n" + intField)),
			[]string{`item "x": auto_approve_max on an item that is not a quota item`}},
		{"every problem at once", catalogueWith(itemWith(intField+"min = 3\nmax = 1\n") + quotaItem(``, regionField)),
			[]string{`item "x", field "n": min 3 is above max 1`, `item "q": quota item without field "current"`, `item "q": quota item without field "requested"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadCatalogue(writeTemp(t, tt.toml))
			if err == nil {
				t.Fatal("loaded a bad catalogue")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\n does not contain %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), "catalogue.toml") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestLoadCatalogueFiles(t *testing.T) {
	if _, err := LoadCatalogue(writeTemp(t, testTOML)); err != nil {
		t.Errorf("valid override refused: %v", err)
	}
	if _, err := LoadCatalogue(writeTemp(t, catalogueWith(quotaItem("auto_approve_max = 50\nauto_approve_factor = 1.5\n", regionField+currentField+requestedField)))); err != nil {
		t.Errorf("minimal quota item refused: %v", err)
	}
	if _, err := LoadCatalogue(t.TempDir() + "/missing.toml"); err == nil {
		t.Error("missing file accepted")
	}
}
