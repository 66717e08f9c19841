package dbcopy

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestValue: what each driver hands back becomes one Go value per kind, the same from both
// databases; anything else is an error, not a guess.
func TestValue(t *testing.T) {
	at := time.Date(2026, 11, 30, 14, 25, 19, 156576000, time.UTC)
	paris := time.FixedZone("CET", 3600)
	for _, c := range []struct {
		kind kind
		in   any
		want any
	}{
		{kInt, int64(42), int64(42)},
		{kInt, nil, nil},
		{kBool, int64(1), true},
		{kBool, int64(0), false},
		{kBool, true, true},
		// SQLite as bun writes it, and as the driver parses a TIMESTAMP column; PostgreSQL's.
		{kTime, "2026-11-30 14:25:19.156576+00:00", at},
		{kTime, at.In(paris), at},
		{kTime, "2026-11-30 15:25:19.156576+01:00", at},
		{kTime, "2026-11-30 14:25:19", at.Truncate(time.Second)},
		// Nanoseconds neither database keeps: bun writes microseconds.
		{kTime, at.Add(999), at},
		{kBytes, []byte{0, 1, 255}, []byte{0, 1, 255}},
		{kText, "Réseau « coupé »", "Réseau « coupé »"},
		{kText, []byte("abc"), "abc"},
	} {
		got, err := value(c.kind, c.in)
		if err != nil {
			t.Errorf("value(%s, %#v): %v", c.kind, c.in, err)
			continue
		}
		switch w := c.want.(type) {
		case time.Time:
			if g, ok := got.(time.Time); !ok || !g.Equal(w) || g.Location() != time.UTC {
				t.Errorf("value(%s, %#v) = %#v, want %v", c.kind, c.in, got, w)
			}
		case []byte:
			if g, ok := got.([]byte); !ok || !bytes.Equal(g, w) {
				t.Errorf("value(%s, %#v) = %#v, want %v", c.kind, c.in, got, w)
			}
		default:
			if got != c.want {
				t.Errorf("value(%s, %#v) = %#v, want %#v", c.kind, c.in, got, c.want)
			}
		}
	}
	for _, c := range []struct {
		kind kind
		in   any
	}{{kBool, int64(2)}, {kInt, "12"}, {kTime, "yesterday"}, {kTime, int64(1700000000)}, {kText, "a\x00b"}, {kBytes, int64(1)}} {
		if got, err := value(c.kind, c.in); err == nil {
			t.Errorf("value(%s, %#v) = %#v, want an error", c.kind, c.in, got)
		}
	}
}

// TestCanonicalTellsValuesApart: values that differ, in kind or in content, never write the
// same bytes, even side by side in a row.
func TestCanonicalTellsValuesApart(t *testing.T) {
	rows := [][]any{
		{nil}, {int64(0)}, {int64(1)}, {false}, {true}, {""}, {[]byte{}}, {"1"},
		{time.UnixMicro(0).UTC()}, {time.UnixMicro(1).UTC()},
		{"ab", "c"}, {"a", "bc"}, {[]byte("ab"), "c"}, {nil, "x"}, {"x", nil},
	}
	seen := map[string]int{}
	for i, r := range rows {
		var b []byte
		for _, v := range r {
			b = appendCanonical(b, v)
		}
		if j, ok := seen[string(b)]; ok {
			t.Errorf("rows %v and %v write the same bytes", rows[j], r)
		}
		seen[string(b)] = i
	}
}

// TestOrder: referenced tables come first, a self-reference does not block, a cycle is an error.
func TestOrder(t *testing.T) {
	c := &catalogue{tables: map[string]*table{
		"incidents": {name: "incidents", refs: []string{"tenants", "users"}},
		"tenants":   {name: "tenants", refs: []string{"users"}},
		"users":     {name: "users", refs: []string{"users"}},
		"settings":  {name: "settings"},
	}}
	ts, err := c.order()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tb := range ts {
		got = append(got, tb.name)
	}
	if want := "settings users tenants incidents"; strings.Join(got, " ") != want {
		t.Errorf("order %v, want %s", got, want)
	}
	c.tables["users"].refs = []string{"incidents"}
	if _, err := c.order(); err == nil {
		t.Error("a cycle was ordered")
	}
}
