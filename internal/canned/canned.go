// Package canned owns canned responses: the library of replies agents and admins write once, in
// French and in English, with placeholders filled in when one is inserted on an incident, and an
// optional action (wait for the customer, resolve) applied with the reply.
package canned

import (
	"time"

	"github.com/guichet/guichet/internal/incident"
	"github.com/uptrace/bun"
)

// Action is what sending a canned response does besides replying.
type Action string

// The actions: none, putting the incident in wait of the customer, resolving it.
const (
	None    Action = ""
	Pending Action = Action(incident.Wait)
	Resolve Action = Action(incident.Resolve)
)

// Actions lists the actions in the order the form offers them.
var Actions = []Action{None, Pending, Resolve}

// Key is the translation key of the action's name.
func (a Action) Key() string {
	if a == None {
		return "canned.action.none"
	}
	return "canned.action." + string(a)
}

// Then is the incident action the reply carries (incident.Act.Then): "" for none.
func (a Action) Then() incident.Action { return incident.Action(a) }

// Limits of a canned response.
const (
	MaxName = 100
	// MaxClip is how much of an unknown placeholder a message repeats.
	MaxClip = 40
)

// Response is one canned response.
type Response struct {
	bun.BaseModel `bun:"table:canned_responses,alias:cr"`

	ID   int64  `bun:"id,pk,autoincrement"`
	Name string `bun:"name"`
	// NameKey is Name in lower case: names are unique in any case.
	NameKey   string    `bun:"name_key"`
	TextFR    string    `bun:"text_fr"`
	TextEN    string    `bun:"text_en"`
	Action    Action    `bun:"action"`
	Uses      int64     `bun:"uses"`
	Version   int       `bun:"version"`
	CreatedBy int64     `bun:"created_by"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
}

// Text is the response's text in lang (French for any language but English).
func (r *Response) Text(lang string) string {
	if lang == "en" {
		return r.TextEN
	}
	return r.TextFR
}
