// Package once makes a form that is submitted twice (a double click, a POST the browser sends
// again) create one ticket: each creating form carries a one-time token, recorded with the
// ticket it created in the same transaction; the second submission finds the first ticket.
package once

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/guichet/guichet/internal/db"
	"github.com/uptrace/bun"
)

// Field is the form field that carries the token.
const Field = "_once"

// NewToken returns a token for a new form.
func NewToken() string {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the system's random source never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hash(userID int64, token string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%d:%s", userID, token))
	return hex.EncodeToString(sum[:])
}

// Find returns the id of the kind of ticket that userID's form with token created, if it did.
// An empty token (a client that sends none) finds nothing. Call it inside the transaction that
// would create the ticket: on SQLite, whose transactions take the write lock as they begin, a
// second submission waits there for the first to commit; on PostgreSQL a concurrent twin passes
// it and fails on Record instead (see Repeated).
func Find(ctx context.Context, idb bun.IDB, userID int64, token, kind string) (int64, bool, error) {
	if token == "" {
		return 0, false, nil
	}
	var id int64
	err := idb.NewRaw("SELECT subject_id FROM form_submissions WHERE token_hash = ? AND subject_kind = ?",
		hash(userID, token), kind).Scan(ctx, &id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, false, nil
	case err != nil:
		return 0, false, fmt.Errorf("once: find form submission: %w", err)
	}
	return id, true, nil
}

// Record notes that userID's form with token created the ticket kind/id. On PostgreSQL a
// concurrent twin fails here on the primary key, and its transaction rolls back.
func Record(ctx context.Context, idb bun.IDB, userID int64, token, kind string, id int64, now time.Time) error {
	if token == "" {
		return nil
	}
	if _, err := idb.NewRaw("INSERT INTO form_submissions (token_hash, user_id, subject_kind, subject_id, created_at) VALUES (?, ?, ?, ?, ?)",
		hash(userID, token), userID, kind, id, now.UTC()).Exec(ctx); err != nil {
		return fmt.Errorf("once: record form submission: %w", err)
	}
	return nil
}

// Repeated says, after the transaction that would have created a ticket failed with err, whether
// it failed because a twin submission of the same form recorded its ticket first (on the token's
// primary key), and returns that ticket's id.
func Repeated(ctx context.Context, idb bun.IDB, err error, userID int64, token, kind string) (int64, bool) {
	if token == "" || !db.IsUniqueViolation(err) {
		return 0, false
	}
	id, found, ferr := Find(ctx, idb, userID, token, kind)
	return id, found && ferr == nil
}

// Forget deletes the records older than before: a form is not submitted again days later.
func Forget(ctx context.Context, idb bun.IDB, before time.Time) (int64, error) {
	res, err := idb.NewRaw("DELETE FROM form_submissions WHERE created_at < ?", before.UTC()).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("once: forget old form submissions: %w", err)
	}
	return res.RowsAffected()
}
