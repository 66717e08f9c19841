package ticketno

import "testing"

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in string
		id int64
		ok bool
	}{
		{"INC0000042", 42, true}, {"inc42", 42, true}, {"Inc1", 1, true},
		{"INC", 0, false}, {"INC0", 0, false}, {"INC+1", 0, false}, {"INC-1", 0, false}, {"INC1x", 0, false},
		{"MAJ1", 0, false}, {"", 0, false}, {"INC99999999999999999999", 0, false}, {"42", 0, false},
	} {
		id, ok := Parse("INC", c.in)
		if id != c.id || ok != c.ok {
			t.Errorf("Parse(INC, %q) = %d, %v; want %d, %v", c.in, id, ok, c.id, c.ok)
		}
	}
	if got := Format("MAJ", 7); got != "MAJ0000007" {
		t.Errorf("Format = %q", got)
	}
}
