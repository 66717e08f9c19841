package change

import (
	"strings"
	"testing"
)

func TestShippedCatalogue(t *testing.T) {
	c, err := LoadCatalogue("")
	if err != nil {
		t.Fatal(err)
	}
	col, ok := c.Collection("standard")
	if !ok || col.Label.FR != "Catalogue de Changement Standard" || col.Label.EN != "Standard change catalogue" {
		t.Fatalf("standard collection = %+v", col)
	}
	cat, ok := col.Category("quotas")
	if !ok || cat.Label.FR != "Gestion des Quotas" || cat.Label.EN != "Quota management" {
		t.Fatalf("quotas category = %+v", cat)
	}
	want := []string{"ecs_instances", "ecs_vcpus", "ecs_ram", "evs_disks", "evs_capacity",
		"evs_snapshots", "vpcs", "subnets", "eips", "security_groups", "security_group_rules",
		"load_balancers", "cce_clusters", "rds_instances"}
	for _, code := range want {
		it, ok := c.Orderable(code)
		if !ok {
			t.Errorf("item %q missing or retired", code)
			continue
		}
		if it.Kind != KindQuota || it.Category() != cat || cat.Collection() != col {
			t.Errorf("item %q: kind %q, category %v", code, it.Kind, it.Category())
		}
		checkQuotaFields(t, it)
	}
	if it, _ := c.Item("evs_capacity"); it.Label.FR != "Capacité EVS (Gio)" || it.Label.EN != "EVS capacity (GiB)" {
		t.Errorf("evs_capacity label = %+v", it.Label)
	}
	if it, _ := c.Item("ecs_instances"); it.Label.FR != "Nombre d’instances ECS" {
		t.Errorf("ecs_instances label = %+v", it.Label)
	}
}

// checkQuotaFields checks what the design asks of every shipped quota item.
func checkQuotaFields(t *testing.T, it *Item) {
	t.Helper()
	codes := []string{}
	for _, f := range it.Fields {
		codes = append(codes, f.Code+":"+string(f.Type))
	}
	if got := strings.Join(codes, " "); got != "region:region current:int requested:int justification:textarea" {
		t.Errorf("%s fields = %s", it.Code, got)
	}
	cur, _ := it.Field(FieldCurrent)
	req, _ := it.Field(FieldRequested)
	just, _ := it.Field(FieldJustification)
	if cur.Min == nil || *cur.Min != 0 {
		t.Errorf("%s: current min = %v", it.Code, cur.Min)
	}
	if req.Max == nil || *req.Max < it.AutoApproveMax || it.AutoApproveMax <= 0 {
		t.Errorf("%s: requested max %v, auto-approve max %d", it.Code, req.Max, it.AutoApproveMax)
	}
	if !just.Required || just.Max == nil {
		t.Errorf("%s: justification must be required and bounded", it.Code)
	}
	if req.Unit.FR == "" || it.LeadTimeDays <= 0 {
		t.Errorf("%s: unit %+v, lead time %d", it.Code, req.Unit, it.LeadTimeDays)
	}
}

func TestCatalogueRetiredItems(t *testing.T) {
	path := writeTemp(t, strings.Replace(testTOML, "lead_time_days = 1", "lead_time_days = 1\nretired = true", 1))
	c, err := LoadCatalogue(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Item("window"); !ok {
		t.Error("a retired item must still be found for the requests made from it")
	}
	if _, ok := c.Orderable("window"); ok {
		t.Error("a retired item must not be orderable")
	}
	cat := c.Collections[0].Categories[0]
	if got := cat.Offered(); len(got) != 1 || got[0].Code != "quota" {
		t.Errorf("Offered() = %v", got)
	}
	if _, ok := c.Orderable("nope"); ok {
		t.Error("unknown item orderable")
	}
}

func TestTextIn(t *testing.T) {
	text := Text{FR: "Région", EN: "Region"}
	for lang, want := range map[string]string{"fr": "Région", "fr-CA": "Région", "FR": "Région", "en": "Region", "de": "Region", "": "Region"} {
		if got := text.In(lang); got != want {
			t.Errorf("In(%q) = %q, want %q", lang, got, want)
		}
	}
}
