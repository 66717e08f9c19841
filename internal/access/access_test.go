package access

import (
	"context"
	"strconv"
	"testing"
)

func at(n int64) context.Context { return context.WithValue(context.Background(), versionKey{}, n) }

// The cache answers only under the version its values were read under: a request that read a
// newer version reads again, a value read under an older version is not kept, and a request
// that read no version is never answered from the cache.
func TestCacheAnswersUnderItsVersionOnly(t *testing.T) {
	var c Cache[string]
	steps := []struct {
		do    string // "put" or "get"
		ctx   context.Context
		key   string
		value string // put: the value; get: the value wanted ("" for a miss)
	}{
		{"get", at(1), "a", ""},
		{"put", at(1), "a", "A1"},
		{"get", at(1), "a", "A1"},
		{"get", context.Background(), "a", ""}, // no version read: no answer
		{"get", at(2), "a", ""},                // the version moved: read again
		{"put", at(2), "a", "A2"},
		{"put", at(1), "b", "B1"}, // read under the old version, after the new: not kept
		{"get", at(2), "b", ""},
		{"get", at(1), "a", ""}, // an older request is not answered by the new value
		{"get", at(2), "a", "A2"},
		{"put", context.Background(), "c", "C"},
		{"get", at(2), "c", ""},
	}
	for i, s := range steps {
		switch s.do {
		case "put":
			c.Put(s.ctx, s.key, s.value)
		case "get":
			got, ok := c.Get(s.ctx, s.key)
			if ok != (s.value != "") || got != s.value {
				t.Fatalf("step %d: get %q = %q %v, want %q", i, s.key, got, ok, s.value)
			}
		}
	}
}

// A full cache starts again empty rather than growing.
func TestCacheIsBounded(t *testing.T) {
	var c Cache[int]
	for i := range MaxEntries + 10 {
		c.Put(at(1), strconv.Itoa(i), i)
	}
	if n := len(c.m); n > MaxEntries {
		t.Fatalf("%d entries", n)
	}
}
