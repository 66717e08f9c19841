package testutil

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/uptrace/bun"
)

// RecordHooks are identity hooks that record what they are told instead of mailing: the logins
// locked, created ("by>login") and sent a reset link.
type RecordHooks struct {
	mu                      sync.Mutex
	Locked, Created, Resets []string
}

// PasswordResetRequested records u's login.
func (h *RecordHooks) PasswordResetRequested(_ context.Context, _ bun.IDB, u *identity.User, _ string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.Resets = append(h.Resets, u.Login)
	return nil
}

// AccountLocked records u's login.
func (h *RecordHooks) AccountLocked(_ context.Context, _ bun.IDB, u *identity.User) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.Locked = append(h.Locked, u.Login)
	return nil
}

// UserCreated records "by>login".
func (h *RecordHooks) UserCreated(_ context.Context, _ bun.IDB, by identity.Actor, u *identity.User) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.Created = append(h.Created, by.Login+">"+u.Login)
	return nil
}

// FieldKeys renders a validation error as "field:key" strings, in order.
func FieldKeys(err error) []string {
	es, ok := i18n.AsErrors(err)
	if !ok {
		return []string{fmt.Sprintf("not a validation error: %v", err)}
	}
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Field + ":" + e.Key
	}
	return out
}

// WantFields fails t unless err carries exactly the "field:key" failures want, in order.
func WantFields(t testing.TB, err error, want ...string) {
	t.Helper()
	if got := FieldKeys(err); !reflect.DeepEqual(got, want) {
		t.Errorf("errors = %q, want %q", got, want)
	}
}

// Count returns the number of rows of table matching where.
func Count(t testing.TB, idb bun.IDB, table, where string, args ...any) int {
	t.Helper()
	n, err := idb.NewSelect().Table(table).Where(where, args...).Count(context.Background())
	if err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return int(n)
}

// SetRight grants or removes one right (its column: can_incidents…) of a user's membership.
func SetRight(t testing.TB, idb bun.IDB, tenantID, userID int64, column string, on bool) {
	t.Helper()
	res, err := idb.NewUpdate().Table("memberships").Set("? = ?", bun.Ident(column), on).
		Where("tenant_id = ? AND user_id = ?", tenantID, userID).Exec(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("no membership of user %d in tenant %d", userID, tenantID)
	}
}

// Tables lists the tables of the desk's database, either dialect, by name.
func Tables(t testing.TB, idb bun.IDB) []string {
	t.Helper()
	q := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
	if idb.Dialect().Name().String() == "pg" {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
	}
	var names []string
	if err := idb.NewRaw(q).Scan(context.Background(), &names); err != nil {
		t.Fatal(err)
	}
	return names
}
