package db

import (
	"errors"
	"testing"
)

func TestCheckServerRefusesOlderThan13(t *testing.T) {
	for version, want := range map[int]string{
		90624:  "db: the PostgreSQL server at h:5432/g is version 9.6; Guichet needs 13 or newer",
		120017: "db: the PostgreSQL server at h:5432/g is version 12.17; Guichet needs 13 or newer",
		130000: "",
		150018: "",
	} {
		err := checkServer("h:5432/g", version)
		var p *Problem
		switch {
		case want == "" && err != nil:
			t.Errorf("%d refused: %v", version, err)
		case want != "" && (!errors.As(err, &p) || err.Error() != want):
			t.Errorf("%d: %v, want %q", version, err, want)
		}
	}
}
