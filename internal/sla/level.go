package sla

import "slices"

// Level is a tenant's support level. Its values are those of contract.Level; sla keeps its own
// type so that it stays a leaf package any other package can import.
type Level string

// The support levels, from the least to the most support.
const (
	Basic    Level = "basic"
	Standard Level = "standard"
	Business Level = "business"
	Premium  Level = "premium"
)

var levels = []Level{Basic, Standard, Business, Premium}

// targeted are the levels that have targets: every level but Basic.
var targeted = levels[1:]

func (l Level) valid() bool { return slices.Contains(levels, l) }

// Priority is an incident's ITIL priority, P1 being the most urgent.
type Priority string

// The priorities, from the most to the least urgent.
const (
	P1 Priority = "P1"
	P2 Priority = "P2"
	P3 Priority = "P3"
	P4 Priority = "P4"
)

var priorities = []Priority{P1, P2, P3, P4}

func (p Priority) valid() bool { return slices.Contains(priorities, p) }
