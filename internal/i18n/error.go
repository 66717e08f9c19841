package i18n

import (
	"errors"
	"strings"
)

// Error is a failure a person can read once translated: a message key from the locale files and
// its template arguments. Domain code returns it; the web and API edges translate it.
type Error struct {
	Key  string
	Args map[string]any
	// Field names the form field the message belongs beside; empty for a page-level message.
	Field string
}

// NewError returns an Error for key with the template arguments given as name/value pairs.
func NewError(key string, pairs ...any) *Error {
	return &Error{Key: key, Args: argsOf(pairs)}
}

// FieldError returns an Error that belongs beside the form field named field.
func FieldError(field, key string, pairs ...any) *Error {
	return &Error{Key: key, Args: argsOf(pairs), Field: field}
}

func (e *Error) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Key
	}
	return e.Key
}

func argsOf(pairs []any) map[string]any {
	if len(pairs) == 0 {
		return nil
	}
	m := make(map[string]any, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		name, _ := pairs[i].(string)
		m[name] = pairs[i+1]
	}
	return m
}

// Errors is a set of validation failures, at most one per field, in the order found.
type Errors []*Error

// Add appends e unless its field already has a message.
func (es *Errors) Add(e *Error) {
	for _, x := range *es {
		if x.Field == e.Field && e.Field != "" {
			return
		}
	}
	*es = append(*es, e)
}

// Err returns the set as an error, or nil when it is empty.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// AsErrors returns the validation failures carried by err: an Errors set, or a single Error.
func AsErrors(err error) (Errors, bool) {
	var es Errors
	if errors.As(err, &es) {
		return es, true
	}
	var e *Error
	if errors.As(err, &e) {
		return Errors{e}, true
	}
	return nil, false
}
