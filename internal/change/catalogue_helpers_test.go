package change

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/guichet/guichet/internal/calendar"
)

// testToday is the day the value tests are run "on".
var testToday = calendar.NewDate(2025, 6, 15)

// testTOML has an item with a field of every type and a quota item with a pre-approval rule.
const testTOML = `
[[catalogue]]
code = "test"
label = { fr = "Essai", en = "Test" }

[[catalogue.category]]
code = "misc"
label = { fr = "Divers", en = "Misc" }

[[catalogue.category.item]]
code = "window"
label = { fr = "Fenêtre de maintenance", en = "Maintenance window" }
description = { fr = "Une fenêtre.", en = "A window." }
lead_time_days = 1

[[catalogue.category.item.field]]
code = "count"
type = "int"
required = true
min = 2
max = 10
label = { fr = "Nombre", en = "Count" }

[[catalogue.category.item.field]]
code = "note"
type = "text"
min = 3
max = 10
label = { fr = "Note", en = "Note" }

[[catalogue.category.item.field]]
code = "details"
type = "textarea"
required = true
max = 20
label = { fr = "Détails", en = "Details" }

[[catalogue.category.item.field]]
code = "tier"
type = "select"
label = { fr = "Gamme", en = "Tier" }
option = [
	{ code = "gold", label = { fr = "Or", en = "Gold" } },
	{ code = "silver", label = { fr = "Argent", en = "Silver" } },
]

[[catalogue.category.item.field]]
code = "region"
type = "region"
required = true
label = { fr = "Région", en = "Region" }

[[catalogue.category.item.field]]
code = "on"
type = "date"
label = { fr = "Le", en = "On" }

[[catalogue.category.item.field]]
code = "offset"
type = "int"
label = { fr = "Décalage", en = "Offset" }

[[catalogue.category.item]]
code = "quota"
kind = "quota"
label = { fr = "Quota", en = "Quota" }
description = { fr = "Un quota.", en = "A quota." }
lead_time_days = 2
auto_approve_max = 50
auto_approve_factor = 2

[[catalogue.category.item.field]]
code = "region"
type = "region"
required = true
label = { fr = "Région", en = "Region" }

[[catalogue.category.item.field]]
code = "current"
type = "int"
required = true
min = 0
label = { fr = "Quota actuel", en = "Current quota" }

[[catalogue.category.item.field]]
code = "requested"
type = "int"
required = true
min = 1
max = 100
label = { fr = "Quota demandé", en = "Requested quota" }
unit = { fr = "instances", en = "instances" }

[[catalogue.category.item.field]]
code = "justification"
type = "textarea"
required = true
max = 200
label = { fr = "Justification", en = "Justification" }
`

// writeTemp writes content to a file of its own and returns its path.
func writeTemp(t testing.TB, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "catalogue.toml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// testItem returns the item code of the test catalogue.
func testItem(t testing.TB, code string) *Item {
	t.Helper()
	c, err := LoadCatalogue(writeTemp(t, testTOML))
	if err != nil {
		t.Fatal(err)
	}
	it, ok := c.Item(code)
	if !ok {
		t.Fatalf("no item %q", code)
	}
	return it
}
