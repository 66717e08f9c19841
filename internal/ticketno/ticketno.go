// Package ticketno formats and reads the numbers people say for the desk's objects: a prefix of
// three letters and the id on seven digits (INC0000042, MAJ0000007, REQ0000003).
package ticketno

import (
	"fmt"
	"strconv"
	"strings"
)

// Format is id under prefix: INC0000042.
func Format(prefix string, id int64) string { return fmt.Sprintf("%s%07d", prefix, id) }

// Parse reads a number under prefix (any case, with or without its leading zeros: INC0000042,
// inc42) back into an id; ok is false for anything else, a sign or a zero id included.
func Parse(prefix, s string) (int64, bool) {
	n := len(prefix)
	if len(s) <= n || !strings.EqualFold(s[:n], prefix) || s[n] == '+' || s[n] == '-' {
		return 0, false
	}
	id, err := strconv.ParseInt(s[n:], 10, 64)
	if err != nil || id <= 0 {
		return 0, false
	}
	return id, true
}
