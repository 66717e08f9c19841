package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestBadFlags: a wrong flag or configuration is one line on standard error and exit status 2,
// before anything starts.
func TestBadFlags(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{nil, "guichet-load: want -desk PATH (spawn a desk) or -url URL (a desk already running)\n"},
		{[]string{"-desk", "/tmp/guichet"}, "guichet-load: -database is required: the desk's database, which the ceiling reads too\n"},
		{[]string{"-desk", "g", "-database", "x.db", "-scenarios", "customer-list,nope"}, `guichet-load: -scenarios: no scenario "nope"`},
		{[]string{"-desk", "g", "-database", "x.db", "-c", "0"}, "guichet-load: -c 0: want 1 to 10000 workers\n"},
		{[]string{"-desk", "g", "-database", "x.db", "extra"}, "guichet-load: unexpected argument \"extra\"\n"},
		{[]string{"-d", "ten"}, `invalid value "ten" for flag -d`},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		if code := run(c.args, &out, &errb, func(string) string { return "" }); code != 2 || out.Len() != 0 || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 and %q", c.args, code, out.String(), errb.String(), c.want)
		}
	}
	var errb bytes.Buffer
	if code := run([]string{"-h"}, &bytes.Buffer{}, &errb, func(string) string { return "" }); code != 0 ||
		!strings.Contains(errb.String(), "customer-list, filtered-list") || !strings.Contains(errb.String(), "GUICHET_DEMO_PASSWORD") {
		t.Errorf("-h: %d %s", code, errb.String())
	}
}

func TestCommandLine(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"guichet-load", "-desk", "/tmp/guichet", "-database", "/tmp/big.db"}, "guichet-load -desk /tmp/guichet -database /tmp/big.db"},
		{[]string{"guichet-load", "-database", "postgres://guichet:s3cret@db:5432/guichet?sslmode=disable"},
			"guichet-load -database 'postgres://guichet:xxxxx@db:5432/guichet?sslmode=disable'"},
		{[]string{"guichet-load", "-database=postgres://guichet:s3cret@db/guichet"}, "guichet-load -database=postgres://guichet:xxxxx@db/guichet"},
		{[]string{"guichet-load", "-common", "it's", "-rare", ""}, `guichet-load -common 'it'\''s' -rare ''`},
	}
	for _, c := range cases {
		if got := commandLine(c.args); got != c.want {
			t.Errorf("commandLine(%q) = %q, want %q", c.args, got, c.want)
		}
	}
}
