package incident_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/testutil"
)

// A store error says what the store was doing and keeps its cause; a missing incident is still
// apperr.ErrNotFound.
func TestStoreErrorsSayWhatFailed(t *testing.T) {
	a := testutil.NewApp(t)
	ctx := t.Context()
	if _, err := incident.ByID(ctx, a.DB, 999999); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("missing incident: %v, want not found", err)
	}
	if _, err := a.DB.ExecContext(ctx, "ALTER TABLE incidents RENAME TO incidents_gone"); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	inc := &incident.Incident{ID: 7, Version: 3}
	for _, tc := range []struct {
		op   string
		err  error
		want string
	}{
		{"insert", incident.Insert(ctx, a.DB, &incident.Incident{Title: "x"}), "incident: insert incident: "},
		{"read", second(incident.ByID(ctx, a.DB, 42)), "incident: read incident 42: "},
		{"update", incident.Update(ctx, a.DB, inc), "incident: update incident 7: "},
		{"alerts", second(incident.DueForAlert(ctx, a.DB, now, 10)), "incident: list incidents due for an SLA alert: "},
		{"closing", second(incident.DueForClosing(ctx, a.DB, now, 10)), "incident: list incidents due for closing: "},
	} {
		if tc.err == nil || !strings.HasPrefix(tc.err.Error(), tc.want) || !strings.Contains(tc.err.Error(), testutil.NoSuchTable()) {
			t.Errorf("%s: %v, want %q and its cause", tc.op, tc.err, tc.want)
		}
		if errors.Is(tc.err, apperr.ErrNotFound) || errors.Is(tc.err, apperr.ErrStale) {
			t.Errorf("%s: a failure taken for a known answer: %v", tc.op, tc.err)
		}
	}
	if inc.Version != 3 {
		t.Errorf("a failed update moved the version to %d", inc.Version)
	}
}

func second[T any](_ T, err error) error { return err }
