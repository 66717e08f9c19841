// Package contract owns support levels and their rules, and the sales forms.
package contract

import (
	"cmp"
	"slices"
	"strings"
)

// Level is a tenant's support level; its value is what is stored and posted by forms.
type Level string

// The support levels, from the least to the most support.
const (
	Basic    Level = "basic"
	Standard Level = "standard"
	Business Level = "business"
	Premium  Level = "premium"
)

var levels = []Level{Basic, Standard, Business, Premium}

// Levels returns every level in order: Basic < Standard < Business < Premium.
func Levels() []Level { return slices.Clone(levels) }

// Paid returns the levels that are paid for and committed to, in order: all but Basic.
func Paid() []Level { return slices.Clone(levels[1:]) }

// ParseLevel reads a stored or posted level ("premium").
func ParseLevel(s string) (Level, bool) {
	if l := Level(s); l.rank() >= 0 {
		return l, true
	}
	return "", false
}

// rank is the level's place in the order, or -1 for an unknown level.
func (l Level) rank() int { return slices.Index(levels, l) }

// Compare returns -1, 0 or +1 as l is below, equal to or above o.
func (l Level) Compare(o Level) int { return cmp.Compare(l.rank(), o.rank()) }

// IsPaid reports whether l is a paid level, subscribed with a commitment.
func (l Level) IsPaid() bool { return l.rank() > 0 }

// NoneKey is the translation key read in place of a level's name where a request names none
// the desk knows (old data, written before the level was required).
const NoneKey = "contract.level.none"

// Key is the translation key of the level's name; a level that is empty or unknown reads as
// NoneKey, never as a raw key.
func (l Level) Key() string {
	if l.rank() < 0 {
		return NoneKey
	}
	return "contract.level." + string(l)
}

// Valid reports whether l is one of the four levels.
func (l Level) Valid() bool { return l.rank() >= 0 }

// DescriptionKey is the translation key of what the level includes.
func (l Level) DescriptionKey() string { return "contract.level_description." + string(l) }

// Name is the level's name as customers read it ("Premium"). It is the product's name, the same
// in every language, which is why error messages receive it as their Level argument.
func (l Level) Name() string {
	if l == "" {
		return ""
	}
	return strings.ToUpper(string(l[:1])) + string(l[1:])
}
