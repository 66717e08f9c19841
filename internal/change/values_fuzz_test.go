package change

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/guichet/guichet/internal/cloud"
)

// FuzzValidate submits arbitrary values to an item with a field of every type, to a quota item
// and to a shipped item, and checks what must hold whatever the input.
func FuzzValidate(f *testing.F) {
	c, err := LoadCatalogue(writeTemp(f, testTOML))
	if err != nil {
		f.Fatal(err)
	}
	shipped, err := LoadCatalogue("")
	if err != nil {
		f.Fatal(err)
	}
	window, _ := c.Item("window")
	quota, _ := c.Item("quota")
	ecs, _ := shipped.Item("ecs_instances")
	en := loadMessages(f, "en")

	seeds := [][7]string{
		{"5", "note", "details", "gold", "eu-west-0", "2025-06-15", "-3"},
		{"10", "", "a\r\nb", "silver", "na-east-0", "2030-01-01", "1 000"},
		{"1", "ab", "", "bronze", "eu-west-9", "2025-06-14", "x"},
		{"99999999999999999999", "a\x00b", "\xff", "", "", "2025-02-30", "+7"},
		{"0", "éééééééééé", strings.Repeat("x", 21), "Gold", "EU-WEST-0", "30/06/2025", "-99999999999999999999"},
		{"  12\u00a0", " été ", "\t\n", "gold ", " eu-west-1 ", " 2026-02-28 ", "\u202f"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2], s[3], s[4], s[5], s[6])
	}
	f.Fuzz(func(t *testing.T, a, b, c, d, e, g, h string) {
		checkValidate(t, en, window, map[string]string{
			"count": a, "note": b, "details": c, "tier": d, "region": e, "on": g, "offset": h, "stray": a,
		})
		checkValidate(t, en, quota, map[string]string{"region": e, "current": a, "requested": h, "justification": c})
		checkValidate(t, en, ecs, map[string]string{"region": e, "current": h, "requested": a, "justification": b})
	})
}

// checkValidate validates form against it and checks the invariants of the result.
func checkValidate(t *testing.T, en map[string]string, it *Item, form map[string]string) {
	vs, errs := it.Validate(form, testToday)
	if (vs == nil) == (len(errs) == 0) {
		t.Fatalf("%s: values %v with errors %v", it.Code, vs, errs)
	}
	seen := map[string]bool{}
	for _, e := range errs {
		if _, ok := it.Field(e.Field); !ok || seen[e.Field] {
			t.Errorf("%s: error %v beside no field of the item, or a second one", it.Code, e)
		}
		seen[e.Field] = true
		if !strings.HasPrefix(e.Key, "change.error.") || en[e.Key] == "" {
			t.Errorf("%s: error %v has no translated key", it.Code, e)
		}
		checkArgs(t, en, e.Key, e.Args)
	}
	if vs == nil {
		return
	}
	for code := range vs {
		if _, ok := it.Field(code); !ok {
			t.Errorf("%s: value for %q, which the item does not have", it.Code, code)
		}
	}
	for _, f := range it.Fields {
		v, ok := vs[f.Code]
		if !ok {
			if f.Required {
				t.Errorf("%s: required %q accepted empty", it.Code, f.Code)
			}
			continue
		}
		checkValue(t, f, v)
	}
	if it.Kind == KindQuota {
		cur, _ := vs.Int(FieldCurrent)
		req, _ := vs.Int(FieldRequested)
		if req <= cur {
			t.Errorf("%s: requested %d not above current %d", it.Code, req, cur)
		}
		if it.PreApproved(vs) && (req > it.AutoApproveMax || float64(req) > it.AutoApproveFactor*float64(cur)) {
			t.Errorf("%s: %d from %d pre-approved", it.Code, req, cur)
		}
	}
	// Normalized values validate again to themselves, and survive a snapshot's JSON.
	again, errs := it.Validate(vs.Form(), testToday)
	if errs != nil || !reflect.DeepEqual(again, vs) {
		t.Errorf("%s: %v validates again to %v, %v", it.Code, vs, again, errs)
	}
	data, err := json.Marshal(it.Snapshot(vs))
	var back Snapshot
	if err != nil || json.Unmarshal(data, &back) != nil || !reflect.DeepEqual(back.Values, vs) {
		t.Errorf("%s: snapshot of %v does not round-trip: %s", it.Code, vs, data)
	}
}

// checkValue checks that an accepted value respects its field's schema.
func checkValue(t *testing.T, f *Field, v Value) {
	if v.Type != f.Type {
		t.Errorf("%s: value of type %q", f.Code, v.Type)
	}
	n := v.Int
	if f.Type == TypeText || f.Type == TypeTextarea {
		n = int64(utf8.RuneCountInString(v.Text))
		if !utf8.ValidString(v.Text) || v.Text != strings.TrimSpace(v.Text) || strings.ContainsRune(v.Text, '\r') {
			t.Errorf("%s: text %q not normalized", f.Code, v.Text)
		}
	}
	if f.Min != nil && n < *f.Min || f.Max != nil && n > *f.Max {
		t.Errorf("%s: %+v outside [%v, %v]", f.Code, v, f.Min, f.Max)
	}
	switch f.Type {
	case TypeSelect:
		if _, ok := f.Option(v.Text); !ok {
			t.Errorf("%s: unknown option %q accepted", f.Code, v.Text)
		}
	case TypeRegion:
		if !cloud.IsRegion(v.Text) {
			t.Errorf("%s: unknown region %q accepted", f.Code, v.Text)
		}
	case TypeDate:
		if v.Date.Before(testToday) || v.Date.IsZero() {
			t.Errorf("%s: date %v accepted", f.Code, v.Date)
		}
	}
}
