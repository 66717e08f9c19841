// Package apperr names the failures every capability shares and the edges map to a status.
package apperr

import (
	"database/sql"
	"errors"
)

var (
	// ErrNotFound: the object does not exist, or the actor may not know that it does.
	ErrNotFound = errors.New("not found")
	// ErrForbidden: the actor knows the object but lacks the right for this action.
	ErrForbidden = errors.New("forbidden")
	// ErrStale: the object changed since the form was opened (version check failed).
	ErrStale = errors.New("stale")
)

// FromNoRows is ErrNotFound for a query that found no row, and err otherwise: a store's way to
// say "no such object" that every edge maps to 404.
func FromNoRows(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
