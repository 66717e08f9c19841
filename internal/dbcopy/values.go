package dbcopy

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// timeLayouts are the ways a SQLite file may spell an instant: bun's (what the desk writes),
// then SQLite's own date and time formats.
var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02",
}

// value turns what a driver read for a column of kind k into the one Go value both databases'
// bun dialects write for it: int64, bool, time.Time (UTC, to the microsecond, which is what
// PostgreSQL keeps and bun writes into SQLite), []byte, string, or nil for NULL. SQLite hands
// booleans as integers and instants as text (or as time.Time when the column is declared
// TIMESTAMP); PostgreSQL hands each as its own type.
func value(k kind, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch k {
	case kInt:
		switch x := v.(type) {
		case int64:
			return x, nil
		case int32:
			return int64(x), nil
		case int:
			return int64(x), nil
		}
	case kBool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			if x == 0 || x == 1 {
				return x == 1, nil
			}
		}
	case kTime:
		switch x := v.(type) {
		case time.Time:
			return x.UTC().Truncate(time.Microsecond), nil
		case string:
			for _, layout := range timeLayouts {
				if t, err := time.Parse(layout, x); err == nil {
					return t.UTC().Truncate(time.Microsecond), nil
				}
			}
		}
	case kBytes:
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
	case kText:
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case []byte:
			s = string(x)
		default:
			return nil, fmt.Errorf("a %s column holds %T %v", k, v, v)
		}
		// SQLite keeps one; PostgreSQL's text cannot, and bun writes none.
		if strings.IndexByte(s, 0) >= 0 {
			return nil, fmt.Errorf("the text %.40q holds a NUL character, which cannot be written", s)
		}
		return s, nil
	}
	return nil, fmt.Errorf("a %s column holds %T %v", k, v, v)
}

// size is about how many bytes v takes in a statement's text.
func size(v any) int {
	switch x := v.(type) {
	case string:
		return len(x) + 2
	case []byte:
		return 2*len(x) + 4
	}
	return 24
}

// appendCanonical appends v, a value as value returns it, in a form that tells every value of
// every kind apart: a tag, then a fixed-size number or a length and the bytes.
func appendCanonical(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, 'N')
	case int64:
		return binary.BigEndian.AppendUint64(append(b, 'I'), uint64(x))
	case bool:
		if x {
			return append(b, 'B', 1)
		}
		return append(b, 'B', 0)
	case time.Time:
		return binary.BigEndian.AppendUint64(append(b, 'T'), uint64(x.UnixMicro()))
	case []byte:
		b = binary.BigEndian.AppendUint64(append(b, 'X'), uint64(len(x)))
		return append(b, x...)
	case string:
		b = binary.BigEndian.AppendUint64(append(b, 'S'), uint64(len(x)))
		return append(b, x...)
	}
	panic(fmt.Sprintf("dbcopy: no canonical form for %T", v))
}
