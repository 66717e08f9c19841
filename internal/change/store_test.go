package change_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/testutil"
)

// A store error says what the store was doing and keeps its cause; a missing request is still
// apperr.ErrNotFound.
func TestStoreErrorsSayWhatFailed(t *testing.T) {
	a := testutil.NewApp(t)
	ctx := context.Background()
	if _, err := change.ByID(ctx, a.DB, 999999); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("missing request: %v, want not found", err)
	}
	if _, err := a.DB.ExecContext(ctx, "ALTER TABLE change_requests RENAME TO change_requests_gone"); err != nil {
		t.Fatal(err)
	}
	r := &change.Request{ID: 9, Version: 2}
	_, err := change.ByID(ctx, a.DB, 42)
	_, _, lerr := change.List(ctx, a.DB, change.Filter{TenantID: 1}, paging.Page{})
	for _, tc := range []struct {
		op   string
		err  error
		want string
	}{
		{"insert", change.Insert(ctx, a.DB, &change.Request{}), "change: insert request: "},
		{"read", err, "change: read request 42: "},
		{"update", change.Update(ctx, a.DB, r, "state"), "change: update request 9: "},
		{"list", lerr, "change: list requests: "},
	} {
		if tc.err == nil || !strings.HasPrefix(tc.err.Error(), tc.want) || !strings.Contains(tc.err.Error(), testutil.NoSuchTable()) {
			t.Errorf("%s: %v, want %q and its cause", tc.op, tc.err, tc.want)
		}
		if errors.Is(tc.err, apperr.ErrNotFound) || errors.Is(tc.err, apperr.ErrStale) {
			t.Errorf("%s: a failure taken for a known answer: %v", tc.op, tc.err)
		}
	}
	if r.Version != 2 {
		t.Errorf("a failed update moved the version to %d", r.Version)
	}
}
