package change

import (
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/i18n"
)

// validWindow is a form the test item "window" accepts; each case changes one entry.
var validWindow = map[string]string{"count": "5", "details": "ok", "region": "eu-west-0"}

func TestValidateFields(t *testing.T) {
	it := testItem(t, "window")
	en, fr := loadMessages(t, "en"), loadMessages(t, "fr")
	tests := []struct {
		name    string
		field   string
		input   string
		want    Value  // when accepted
		absent  bool   // accepted, and the optional field left out
		wantKey string // when refused
		args    map[string]any
	}{
		// int
		{name: "int", field: "count", input: "7", want: Value{Type: TypeInt, Int: 7}},
		{name: "int spaces", field: "count", input: "  +08 ", want: Value{Type: TypeInt, Int: 8}},
		{name: "int at min", field: "count", input: "2", want: Value{Type: TypeInt, Int: 2}},
		{name: "int at max", field: "count", input: "10", want: Value{Type: TypeInt, Int: 10}},
		{name: "int required", field: "count", input: " ", wantKey: "change.error.required"},
		{name: "int decimal", field: "count", input: "5,5", wantKey: "change.error.not_a_number"},
		{name: "int word", field: "count", input: "five", wantKey: "change.error.not_a_number"},
		{name: "int below min", field: "count", input: "1", wantKey: "change.error.below_min", args: map[string]any{"Min": int64(2)}},
		{name: "int above max", field: "count", input: "11", wantKey: "change.error.above_max", args: map[string]any{"Max": int64(10)}},
		{name: "int overflow", field: "count", input: "99999999999999999999", wantKey: "change.error.above_max", args: map[string]any{"Max": int64(10)}},
		{name: "int negative overflow", field: "count", input: "-99999999999999999999", wantKey: "change.error.below_min", args: map[string]any{"Min": int64(2)}},
		{name: "unbounded int", field: "offset", input: "-1\u00a0000", want: Value{Type: TypeInt, Int: -1000}},
		{name: "unbounded int narrow space", field: "offset", input: "12\u202f345 678", want: Value{Type: TypeInt, Int: 12345678}},
		{name: "unbounded int overflow", field: "offset", input: "99999999999999999999", wantKey: "change.error.not_a_number"},
		{name: "optional int empty", field: "offset", input: "", absent: true},
		// text
		{name: "text", field: "note", input: " été ", want: Value{Type: TypeText, Text: "été"}},
		{name: "text optional", field: "note", input: "  ", absent: true},
		{name: "text at max in characters", field: "note", input: "éééééééééé", want: Value{Type: TypeText, Text: "éééééééééé"}},
		{name: "text too long", field: "note", input: "abcdefghijk", wantKey: "change.error.too_long", args: map[string]any{"Max": int64(10), "Length": int64(11)}},
		{name: "text too short", field: "note", input: "ab", wantKey: "change.error.too_short", args: map[string]any{"Min": int64(3), "Length": int64(2)}},
		{name: "text newline", field: "note", input: "a\nbcd", wantKey: "change.error.invalid_text"},
		{name: "text control", field: "note", input: "a\x00bcd", wantKey: "change.error.invalid_text"},
		{name: "text bad utf-8", field: "note", input: "ab\xffcd", wantKey: "change.error.invalid_text"},
		// textarea
		{name: "textarea lines", field: "details", input: "a\r\nb\rc\n\td", want: Value{Type: TypeTextarea, Text: "a\nb\nc\n\td"}},
		{name: "textarea required", field: "details", input: "\r\n \t", wantKey: "change.error.required"},
		{name: "textarea too long", field: "details", input: strings.Repeat("x", 21), wantKey: "change.error.too_long", args: map[string]any{"Max": int64(20), "Length": int64(21)}},
		{name: "textarea escape", field: "details", input: "a\x1bb", wantKey: "change.error.invalid_text"},
		// select
		{name: "select", field: "tier", input: "gold", want: Value{Type: TypeSelect, Text: "gold"}},
		{name: "select optional", field: "tier", input: "", absent: true},
		{name: "select unknown", field: "tier", input: "bronze", wantKey: "change.error.unknown_option"},
		{name: "select case", field: "tier", input: "Gold", wantKey: "change.error.unknown_option"},
		// region
		{name: "region", field: "region", input: "na-east-0", want: Value{Type: TypeRegion, Text: "na-east-0"}},
		{name: "region required", field: "region", input: "", wantKey: "change.error.required"},
		{name: "region unknown", field: "region", input: "eu-west-9", wantKey: "change.error.unknown_region"},
		// date
		{name: "date today", field: "on", input: "2025-06-15", want: Value{Type: TypeDate, Date: testToday}},
		{name: "date later", field: "on", input: "2026-02-28", want: Value{Type: TypeDate, Date: calendar.NewDate(2026, 2, 28)}},
		{name: "date past", field: "on", input: "2025-06-14", wantKey: "change.error.date_in_past", args: map[string]any{"Today": testToday}},
		{name: "date impossible", field: "on", input: "2026-02-30", wantKey: "change.error.not_a_date"},
		{name: "date French form", field: "on", input: "30/06/2025", wantKey: "change.error.not_a_date"},
		{name: "date optional", field: "on", input: "", absent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := maps.Clone(validWindow)
			form[tt.field] = tt.input
			vs, errs := it.Validate(form, testToday)
			if tt.wantKey != "" {
				want := i18n.Errors{{Key: tt.wantKey, Args: tt.args, Field: tt.field}}
				if vs != nil || !reflect.DeepEqual(errs, want) {
					t.Fatalf("got %v, %#v; want %#v", vs, errs, want[0])
				}
				checkArgs(t, en, tt.wantKey, tt.args)
				checkArgs(t, fr, tt.wantKey, tt.args)
				return
			}
			if errs != nil {
				t.Fatalf("refused: %v", errs)
			}
			got, ok := vs[tt.field]
			if tt.absent {
				if ok {
					t.Fatalf("empty optional field gave %+v", got)
				}
				return
			}
			if got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestValidateForm(t *testing.T) {
	it := testItem(t, "window")
	vs, errs := it.Validate(map[string]string{"count": "3", "details": "x", "region": "eu-west-1", "csrf": "t", "other": "1"}, testToday)
	if errs != nil {
		t.Fatal(errs)
	}
	want := Values{
		"count":   {Type: TypeInt, Int: 3},
		"details": {Type: TypeTextarea, Text: "x"},
		"region":  {Type: TypeRegion, Text: "eu-west-1"},
	}
	if !reflect.DeepEqual(vs, want) {
		t.Errorf("got %+v, want %+v (fields the item does not have are ignored)", vs, want)
	}
	_, errs = it.Validate(nil, testToday)
	var fields []string
	for _, e := range errs {
		fields = append(fields, e.Field+"="+e.Key)
	}
	if got := strings.Join(fields, " "); got != "count=change.error.required details=change.error.required region=change.error.required" {
		t.Errorf("empty form: %s", got)
	}
}

func TestValidateQuota(t *testing.T) {
	it := testItem(t, "quota")
	tests := []struct {
		current, requested string
		wantKey            string
		args               map[string]any
	}{
		{"10", "11", "", nil},
		{"0", "100", "", nil},
		{"10", "10", "change.error.requested_not_above_current", map[string]any{"Current": int64(10)}},
		{"10", "5", "change.error.requested_not_above_current", map[string]any{"Current": int64(10)}},
		{"150", "100", "change.error.requested_not_above_current", map[string]any{"Current": int64(150)}},
		{"10", "101", "change.error.above_max", map[string]any{"Max": int64(100)}},
		{"10", "0", "change.error.below_min", map[string]any{"Min": int64(1)}},
		{"-1", "5", "change.error.below_min", map[string]any{"Min": int64(0)}},
	}
	for _, tt := range tests {
		t.Run(tt.current+"→"+tt.requested, func(t *testing.T) {
			form := map[string]string{"region": "eu-west-0", "current": tt.current, "requested": tt.requested, "justification": "Black Friday"}
			vs, errs := it.Validate(form, testToday)
			if tt.wantKey == "" {
				if errs != nil {
					t.Fatalf("refused: %v", errs)
				}
				if vs.Text(FieldRegion) != "eu-west-0" || vs.Text(FieldJustification) != "Black Friday" {
					t.Errorf("values = %+v", vs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Key != tt.wantKey || !reflect.DeepEqual(errs[0].Args, tt.args) {
				t.Fatalf("got %#v, want %s %v", errs, tt.wantKey, tt.args)
			}
			if field := errs[0].Field; field != FieldRequested && field != FieldCurrent {
				t.Errorf("error beside %q", field)
			}
		})
	}
}

func TestValuesAccessors(t *testing.T) {
	d := calendar.NewDate(2025, 7, 1)
	vs := Values{"n": {Type: TypeInt, Int: 4}, "t": {Type: TypeText, Text: "a"}, "d": {Type: TypeDate, Date: d}}
	if n, ok := vs.Int("n"); !ok || n != 4 {
		t.Errorf("Int(n) = %d, %v", n, ok)
	}
	if _, ok := vs.Int("t"); ok {
		t.Error("Int of a text")
	}
	if got, ok := vs.Date("d"); !ok || got != d {
		t.Errorf("Date(d) = %v, %v", got, ok)
	}
	if vs.Text("t") != "a" || vs.Text("n") != "" || vs.Text("missing") != "" {
		t.Error("Text")
	}
	if got := vs.Form(); !reflect.DeepEqual(got, map[string]string{"n": "4", "t": "a", "d": "2025-07-01"}) {
		t.Errorf("Form() = %v", got)
	}
}
