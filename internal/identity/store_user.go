package identity

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/db"
	"github.com/uptrace/bun"
)

// LoginKey is the case-insensitive form of a login: John.Doe and john.doe are one account.
func LoginKey(login string) string { return strings.ToLower(strings.TrimSpace(login)) }

func notFound(err error) error { return apperr.FromNoRows(err) }

// wrap says what was being done when err happened; nil stays nil, and apperr.ErrNotFound (and
// any other wrapped error) stays detectable with errors.Is.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("identity: "+format+": %w", append(args, err)...)
}

// UserByID returns the user with id, or apperr.ErrNotFound.
func UserByID(ctx context.Context, idb bun.IDB, id int64) (*User, error) {
	u := new(User)
	err := idb.NewSelect().Model(u).Where("id = ?", id).Scan(ctx)
	return u, wrap(notFound(err), "read user %d", id)
}

// UserByLogin returns the user whose login matches, case-insensitively.
func UserByLogin(ctx context.Context, idb bun.IDB, login string) (*User, error) {
	u := new(User)
	err := idb.NewSelect().Model(u).Where("login_key = ?", LoginKey(login)).Scan(ctx)
	return u, wrap(notFound(err), "read user by login")
}

// UserByEmail returns the first user with that address, case-insensitively.
func UserByEmail(ctx context.Context, idb bun.IDB, email string) (*User, error) {
	u := new(User)
	err := idb.NewSelect().Model(u).Where(db.LowerEquals("email", strings.TrimSpace(email))).
		Order("id").Limit(1).Scan(ctx)
	return u, wrap(notFound(err), "read user by email")
}

// InsertUser writes a new user; a taken login answers a field error.
func InsertUser(ctx context.Context, idb bun.IDB, u *User) error {
	now := time.Now().UTC()
	u.LoginKey = LoginKey(u.Login)
	u.CreatedAt, u.UpdatedAt = now, now
	_, err := idb.NewInsert().Model(u).Exec(ctx)
	if db.IsUniqueViolation(err) {
		return errLoginTaken
	}
	return wrap(err, "insert user %q", u.Login)
}

// UpdateUser writes the columns named.
func UpdateUser(ctx context.Context, idb bun.IDB, u *User, columns ...string) error {
	u.UpdatedAt = time.Now().UTC()
	_, err := idb.NewUpdate().Model(u).Column(append(columns, "updated_at")...).WherePK().Exec(ctx)
	return wrap(err, "update user %d %v", u.ID, columns)
}

// UserFilter selects users for the admin list.
type UserFilter struct {
	Query  string
	Kind   Kind
	Locked bool
	Limit  int
	Offset int
}

// Users lists users matching f, ordered by login, with the total count.
func Users(ctx context.Context, idb bun.IDB, f UserFilter) ([]User, int, error) {
	var us []User
	q := idb.NewSelect().Model(&us).Order("login_key")
	if f.Query != "" {
		c1, a := db.ContainsFold("login", f.Query)
		c2, _ := db.ContainsFold("display_name", f.Query)
		c3, _ := db.ContainsFold("email", f.Query)
		q = q.Where("("+c1+" OR "+c2+" OR "+c3+")", a, a, a)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.Locked {
		q = q.Where("locked_at IS NOT NULL")
	}
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit)).Offset(int64(f.Offset))
	}
	n, err := q.ScanAndCount(ctx)
	return us, int(n), wrap(err, "list users")
}
