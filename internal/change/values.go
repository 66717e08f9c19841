package change

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/guichet/guichet/internal/calendar"
)

// Values are a form's accepted values by field code. An optional field left empty is absent.
type Values map[string]Value

// Value is one accepted, normalized value: Int for an int field; Text for a text or textarea
// (trimmed, line ends as \n), a select (the option code) or a region (the region code); Date for
// a date field.
type Value struct {
	Type FieldType
	Int  int64
	Text string
	Date calendar.Date
}

// String returns the value as a form would submit it; validating it again gives the same value.
func (v Value) String() string {
	switch v.Type {
	case TypeInt:
		return strconv.FormatInt(v.Int, 10)
	case TypeDate:
		return v.Date.String()
	}
	return v.Text
}

// Int returns the int value of the field code.
func (vs Values) Int(code string) (int64, bool) {
	v, ok := vs[code]
	return v.Int, ok && v.Type == TypeInt
}

// Text returns the text, option code or region code of the field code; "" when absent.
func (vs Values) Text(code string) string {
	v := vs[code]
	if v.Type == TypeInt || v.Type == TypeDate {
		return ""
	}
	return v.Text
}

// Date returns the date value of the field code.
func (vs Values) Date(code string) (calendar.Date, bool) {
	v, ok := vs[code]
	return v.Date, ok && v.Type == TypeDate
}

// Form returns the values as form input, to fill a form in again.
func (vs Values) Form() map[string]string {
	form := make(map[string]string, len(vs))
	for code, v := range vs {
		form[code] = v.String()
	}
	return form
}

// jsonValue is how a Value is stored: its type, and an int as a JSON number or anything else as
// its string form, {"type":"int","value":42} or {"type":"date","value":"2025-06-30"}.
type jsonValue struct {
	Type  FieldType       `json:"type"`
	Value json.RawMessage `json:"value"`
}

// MarshalJSON implements json.Marshaler.
func (v Value) MarshalJSON() ([]byte, error) {
	var raw any = v.String()
	if v.Type == TypeInt {
		raw = v.Int
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	return json.Marshal(jsonValue{Type: v.Type, Value: b})
}

// UnmarshalJSON implements json.Unmarshaler.
func (v *Value) UnmarshalJSON(data []byte) error {
	var j jsonValue
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	x := Value{Type: j.Type}
	var err error
	switch j.Type {
	case TypeInt:
		err = json.Unmarshal(j.Value, &x.Int)
	case TypeDate:
		var s string
		if err = json.Unmarshal(j.Value, &s); err == nil {
			x.Date, err = calendar.ParseDate(s)
		}
	case TypeText, TypeTextarea, TypeSelect, TypeRegion:
		err = json.Unmarshal(j.Value, &x.Text)
	default:
		err = fmt.Errorf("change: value of unknown type %q", j.Type)
	}
	if err != nil {
		return err
	}
	*v = x
	return nil
}
