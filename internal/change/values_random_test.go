package change

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestValidateRandomForms runs the fuzz target's checks on a few thousand generated forms on
// every `go test`, so that the invariants are exercised beyond the seed corpus even when
// nobody runs `go test -fuzz=FuzzValidate`.
func TestValidateRandomForms(t *testing.T) {
	c, err := LoadCatalogue(writeTemp(t, testTOML))
	if err != nil {
		t.Fatal(err)
	}
	shipped, err := LoadCatalogue("")
	if err != nil {
		t.Fatal(err)
	}
	window, _ := c.Item("window")
	quota, _ := c.Item("quota")
	en := loadMessages(t, "en")
	pieces := []string{"", " ", "0", "1", "7", "10", "11", "-3", "1 000", "\u00a0", "99999999999999999999", "gold", "silver",
		"eu-west-0", "na-east-0", "EU-WEST-0", "2025-06-15", "2025-06-14", "2030-02-29", "été", "\r\n", "\t", "\x00", "\xff", "x"}
	rng := rand.New(rand.NewPCG(1, 2))
	gen := func() string {
		var b strings.Builder
		for range rng.IntN(4) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	items := []*Item{window, quota}
	for _, col := range shipped.Collections {
		for _, cat := range col.Categories {
			items = append(items, cat.Items...)
		}
	}
	// Half the values are plausible, so that whole forms are accepted too.
	plausible := map[FieldType][]string{TypeInt: {"1", "5", "10", "12"}, TypeText: {"abcd"}, TypeTextarea: {"ok"},
		TypeSelect: {"gold"}, TypeRegion: {"eu-west-0"}, TypeDate: {"2026-01-01"}}
	accepted := 0
	for range 3000 {
		it := items[rng.IntN(len(items))]
		form := map[string]string{"stray": gen()}
		for _, f := range it.Fields {
			if vs := plausible[f.Type]; rng.IntN(2) == 0 {
				form[f.Code] = vs[rng.IntN(len(vs))]
			} else {
				form[f.Code] = gen()
			}
		}
		if vs, _ := it.Validate(form, testToday); vs != nil {
			accepted++
		}
		checkValidate(t, en, it, form)
	}
	if accepted == 0 {
		t.Error("no generated form was accepted: the generator tests refusals only")
	}
}
