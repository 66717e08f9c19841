package change

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/calendar"
)

func TestSnapshotRoundTrip(t *testing.T) {
	it := testItem(t, "window")
	form := map[string]string{"count": "4", "note": "abc", "details": "l1\r\nl2", "tier": "silver",
		"region": "eu-west-1", "on": "2025-07-01", "offset": "-3"}
	vs, errs := it.Validate(form, testToday)
	if errs != nil {
		t.Fatal(errs)
	}
	snap := it.Snapshot(vs)
	if snap.Collection.Code != "test" || snap.Category.Code != "misc" || snap.Category.Label.FR != "Divers" {
		t.Errorf("refs = %+v, %+v", snap.Collection, snap.Category)
	}
	data, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	var back Snapshot
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, snap) {
		t.Fatalf("round trip changed the snapshot\n got %+v\nwant %+v\njson %s", back, snap, data)
	}
	for _, want := range []string{`"on":{"type":"date","value":"2025-07-01"}`, `"count":{"type":"int","value":4}`, `"label":{"fr":"Divers","en":"Misc"}`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("json lacks %s: %s", want, data)
		}
	}
	// The restored item still validates and decides as the original did.
	again, errs := back.Item.Validate(vs.Form(), testToday)
	if errs != nil || !reflect.DeepEqual(again, vs) {
		t.Errorf("restored item validates to %v, %v", again, errs)
	}
}

func TestSnapshotIsDetached(t *testing.T) {
	it := testItem(t, "quota")
	vs := Values{FieldCurrent: {Type: TypeInt, Int: 10}, FieldRequested: {Type: TypeInt, Int: 20}}
	snap := it.Snapshot(vs)
	// The catalogue changes after the request was made.
	f, _ := it.Field(FieldRequested)
	*f.Max = 5
	f.Label.EN = "Changed"
	it.AutoApproveMax = 1
	vs[FieldCurrent] = Value{Type: TypeInt, Int: 1}

	got, _ := snap.Item.Field(FieldRequested)
	if *got.Max != 100 || got.Label.EN != "Requested quota" || snap.Item.AutoApproveMax != 50 {
		t.Errorf("snapshot followed the catalogue: %+v", got)
	}
	if n, _ := snap.Values.Int(FieldCurrent); n != 10 {
		t.Errorf("snapshot values followed the caller's map: %d", n)
	}
	if !snap.Item.PreApproved(snap.Values) {
		t.Error("snapshot no longer pre-approved")
	}
}

func TestValueJSON(t *testing.T) {
	tests := []struct {
		v    Value
		json string
	}{
		{Value{Type: TypeInt, Int: -7}, `{"type":"int","value":-7}`},
		{Value{Type: TypeText, Text: "é\"x"}, `{"type":"text","value":"é\"x"}`},
		{Value{Type: TypeSelect, Text: "gold"}, `{"type":"select","value":"gold"}`},
		{Value{Type: TypeRegion, Text: "eu-west-0"}, `{"type":"region","value":"eu-west-0"}`},
		{Value{Type: TypeDate, Date: calendar.NewDate(2025, 12, 31)}, `{"type":"date","value":"2025-12-31"}`},
	}
	for _, tt := range tests {
		data, err := json.Marshal(tt.v)
		if err != nil || string(data) != tt.json {
			t.Errorf("Marshal(%+v) = %s, %v; want %s", tt.v, data, err, tt.json)
		}
		var back Value
		if err := json.Unmarshal([]byte(tt.json), &back); err != nil || back != tt.v {
			t.Errorf("Unmarshal(%s) = %+v, %v", tt.json, back, err)
		}
	}
	for _, bad := range []string{`{"type":"blob","value":1}`, `{"type":"int","value":"1"}`, `{"type":"date","value":"2025-13-01"}`, `[]`} {
		var v Value
		if err := json.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("Unmarshal(%s) accepted: %+v", bad, v)
		}
	}
}
