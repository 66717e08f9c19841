package notify_test

import (
	"context"
	"errors"
	"testing"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
)

// The Outbox is the admins' only: anyone else is refused listing, reading and retrying; the list
// is read a page at a time with the count of all.
func TestOutboxIsForAdminsOnly(t *testing.T) {
	a := newDesk(t)
	ctx := context.Background()
	for _, th := range []string{"a", "b", "c"} {
		enqueueReset(t, a, th, notify.RecipientOf(user(t, a, "John.Doe")))
	}
	o := &notify.Outbox{DB: a.DB}
	admin := tenancy.ActorOf(user(t, a, "admin"))
	ms, total, err := o.List(ctx, admin.Actor, notify.StatusPending, paging.Page{Number: 2, Size: 2})
	if err != nil || total != 3 || len(ms) != 1 {
		t.Fatalf("second page of two: %d of %d, %v", len(ms), total, err)
	}
	if ms, total, _ := o.List(ctx, admin.Actor, notify.StatusSent, paging.Number(1)); total != 0 || len(ms) != 0 {
		t.Errorf("sent: %d of %d, want none", len(ms), total)
	}
	id := ms[0].ID
	for _, login := range []string{"Alice.Agent", "Sophie.Commerciale", "Marie.Dupont", "John.Doe"} {
		who := tenancy.ActorOf(user(t, a, login))
		if _, _, err := o.List(ctx, who.Actor, "", paging.Number(1)); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("%s lists: %v, want forbidden", login, err)
		}
		if _, err := o.Message(ctx, who.Actor, id, "[hidden]"); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("%s reads: %v, want forbidden", login, err)
		}
		if err := o.Retry(ctx, who.Actor, id); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("%s retries: %v, want forbidden", login, err)
		}
	}
	if err := o.Retry(ctx, admin.Actor, id+1000); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("retry of an unknown message: %v, want not found", err)
	}
}
