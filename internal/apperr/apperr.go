// Package apperr names the failures every capability shares and the edges map to a status.
package apperr

import "errors"

var (
	// ErrNotFound: the object does not exist, or the actor may not know that it does.
	ErrNotFound = errors.New("not found")
	// ErrForbidden: the actor knows the object but lacks the right for this action.
	ErrForbidden = errors.New("forbidden")
	// ErrStale: the object changed since the form was opened (version check failed).
	ErrStale = errors.New("stale")
)
