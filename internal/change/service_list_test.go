package change_test

import (
	"context"
	"errors"
	"testing"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/paging"
)

// Every list is authorized by the service and read a page at a time, with the count of all.
func TestListsAreAuthorizedAndPaged(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	for _, v := range []string{"6", "7", "8"} {
		if _, err := f.svc.Submit(ctx, f.marie, f.t1.ID, "vpcs", quota("5", v)); err != nil {
			t.Fatal(err)
		}
	}
	rs, n, err := f.svc.List(ctx, f.marie, f.t1.ID, change.Filter{}, paging.Page{Number: 2, Size: 2})
	if err != nil || n != 3 || len(rs) != 1 {
		t.Errorf("second page of two: %d of %d, %v", len(rs), n, err)
	}
	rs, n, err = f.svc.Queue(ctx, f.alice, change.Filter{}, paging.Page{Number: 1, Size: 2})
	if err != nil || n != 3 || len(rs) != 2 {
		t.Errorf("agents' queue, first page of two: %d of %d, %v", len(rs), n, err)
	}
	for _, c := range []struct {
		name      string
		err, want error
	}{
		{"a customer lists another tenant", errOf(f.svc.List(ctx, f.marie, f.t4.ID, change.Filter{}, paging.Number(1))), apperr.ErrNotFound},
		{"an agent lists a customer's tab", errOf(f.svc.List(ctx, f.alice, f.t1.ID, change.Filter{}, paging.Number(1))), apperr.ErrNotFound},
		{"a customer reads the agents' work", errOf(f.svc.Queue(ctx, f.marie, change.Filter{}, paging.Number(1))), apperr.ErrForbidden},
		{"a customer reads the approvals", errOf(f.svc.Approvals(ctx, f.marie, change.Filter{}, paging.Number(1))), apperr.ErrForbidden},
	} {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, c.err, c.want)
		}
	}
}

func errOf(_ []change.Request, _ int, err error) error { return err }
