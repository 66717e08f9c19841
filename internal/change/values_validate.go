package change

import (
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/cloud"
	"github.com/guichet/guichet/internal/i18n"
)

// Validate checks a submitted form against the item's fields, on the server whatever the browser
// did, and returns the normalized values; or, with nil values, every failure beside its field.
// Form entries for fields the item does not have are ignored. A date must be today or later,
// today being the Paris day of the request (calendar.ParisDate); a zero today allows any date.
func (it *Item) Validate(form map[string]string, today calendar.Date) (Values, i18n.Errors) {
	var errs i18n.Errors
	vs := Values{}
	for _, f := range it.Fields {
		v, ok, err := f.parse(form[f.Code], today)
		switch {
		case err != nil:
			errs.Add(err)
		case ok:
			vs[f.Code] = v
		}
	}
	if it.Kind == KindQuota {
		cur, okc := vs.Int(FieldCurrent)
		req, okr := vs.Int(FieldRequested)
		// The other half of the quota rule, requested ≤ the item's maximum, is the requested
		// field's own max.
		if okc && okr && req <= cur {
			errs.Add(i18n.FieldError(FieldRequested, "change.error.requested_not_above_current", "Current", cur))
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return vs, nil
}

// parse returns the field's value read from raw; ok is false for an optional field left empty.
func (f *Field) parse(raw string, today calendar.Date) (v Value, ok bool, err *i18n.Error) {
	s := raw
	if f.Type == TypeTextarea {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	s = strings.TrimSpace(s)
	if s == "" {
		if f.Required {
			return Value{}, false, i18n.FieldError(f.Code, "change.error.required")
		}
		return Value{}, false, nil
	}
	v = Value{Type: f.Type, Text: s}
	switch f.Type {
	case TypeInt:
		v.Text = ""
		v.Int, err = f.parseInt(s)
	case TypeText, TypeTextarea:
		err = f.checkText(s)
	case TypeSelect:
		if _, found := f.Option(s); !found {
			err = i18n.FieldError(f.Code, "change.error.unknown_option")
		}
	case TypeRegion:
		if !cloud.IsRegion(s) {
			err = i18n.FieldError(f.Code, "change.error.unknown_region")
		}
	case TypeDate:
		v.Text = ""
		v.Date, err = f.parseDate(s, today)
	default:
		err = i18n.FieldError(f.Code, "change.error.unsupported_field")
	}
	if err != nil {
		return Value{}, false, err
	}
	return v, true, nil
}

// parseInt reads a whole number in base 10, ignoring the spaces people type between thousands
// ("1 000", with a plain, no-break or narrow no-break space).
func (f *Field) parseInt(s string) (int64, *i18n.Error) {
	digits := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' {
			return -1
		}
		return r
	}, s)
	n, err := strconv.ParseInt(digits, 10, 64)
	if errors.Is(err, strconv.ErrRange) {
		// Too large for int64 is still a number: say which bound it breaks, if any.
		if n < 0 && f.Min != nil {
			return 0, i18n.FieldError(f.Code, "change.error.below_min", "Min", *f.Min)
		}
		if n > 0 && f.Max != nil {
			return 0, i18n.FieldError(f.Code, "change.error.above_max", "Max", *f.Max)
		}
	}
	switch {
	case err != nil:
		return 0, i18n.FieldError(f.Code, "change.error.not_a_number")
	case f.Min != nil && n < *f.Min:
		return 0, i18n.FieldError(f.Code, "change.error.below_min", "Min", *f.Min)
	case f.Max != nil && n > *f.Max:
		return 0, i18n.FieldError(f.Code, "change.error.above_max", "Max", *f.Max)
	}
	return n, nil
}

// checkText accepts valid UTF-8 without control characters, save line breaks and tabs in a
// textarea, within the field's length bounds counted in characters.
func (f *Field) checkText(s string) *i18n.Error {
	forbidden := func(r rune) bool {
		return unicode.IsControl(r) && !(f.Type == TypeTextarea && (r == '\n' || r == '\t'))
	}
	if !utf8.ValidString(s) || strings.ContainsFunc(s, forbidden) {
		return i18n.FieldError(f.Code, "change.error.invalid_text")
	}
	n := int64(utf8.RuneCountInString(s))
	switch {
	case f.Min != nil && n < *f.Min:
		return i18n.FieldError(f.Code, "change.error.too_short", "Min", *f.Min, "Length", n)
	case f.Max != nil && n > *f.Max:
		return i18n.FieldError(f.Code, "change.error.too_long", "Max", *f.Max, "Length", n)
	}
	return nil
}

func (f *Field) parseDate(s string, today calendar.Date) (calendar.Date, *i18n.Error) {
	d, err := calendar.ParseDate(s)
	switch {
	case err != nil:
		return calendar.Date{}, i18n.FieldError(f.Code, "change.error.not_a_date")
	case d.Before(today):
		return calendar.Date{}, i18n.FieldError(f.Code, "change.error.date_in_past", "Today", today)
	}
	return d, nil
}
