// Package help owns the help center: articles written by agents and admins in French and in
// English (Markdown, rendered sanitized), read by customers and visitors according to their
// visibility, searched by whole words in any case and with or without accents, suggested while a
// customer declares an incident or orders a change, and counted (views, votes, deflections).
package help

import (
	"time"

	"github.com/uptrace/bun"
)

// Category is the topic an article is filed under: the topics of the provider's FAQ.
type Category string

// The categories, in the order the help center lists them.
const (
	General        Category = "general"
	Access         Category = "access"
	Account        Category = "account"
	Administrative Category = "administrative"
	Cloud          Category = "cloud"
)

// Categories lists the categories in the order the help center shows them.
var Categories = []Category{General, Access, Account, Administrative, Cloud}

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool {
	for _, x := range Categories {
		if x == c {
			return true
		}
	}
	return false
}

// Key is the translation key of the category's name.
func (c Category) Key() string { return "help.category." + string(c) }

// Visibility is who may read an article.
type Visibility string

// The visibilities: anyone, even without an account; logged-in customers (and staff); staff only.
const (
	Public    Visibility = "public"
	Customers Visibility = "customers"
	Staff     Visibility = "staff"
)

// Visibilities lists the visibilities in the order the form offers them.
var Visibilities = []Visibility{Public, Customers, Staff}

// Valid reports whether v is one of Visibilities.
func (v Visibility) Valid() bool { return v == Public || v == Customers || v == Staff }

// Key is the translation key of the visibility's name.
func (v Visibility) Key() string { return "help.visibility." + string(v) }

// ShortKey is the translation key of the visibility's short name, for a table's cell.
func (v Visibility) ShortKey() string { return "help.visibility_short." + string(v) }

// State is whether an article is read by anyone but its writers.
type State string

// The states: a draft only staff who write articles see; a published article its readers see.
const (
	Draft     State = "draft"
	Published State = "published"
)

// States lists the states in the order the form offers them.
var States = []State{Draft, Published}

// Valid reports whether s is one of States.
func (s State) Valid() bool { return s == Draft || s == Published }

// Key is the translation key of the state's name.
func (s State) Key() string { return "help.state." + string(s) }

// Langs are the languages an article is written in, French first.
var Langs = []string{"fr", "en"}

// Article is one help article, with its two language versions and its figures.
type Article struct {
	bun.BaseModel `bun:"table:help_articles,alias:ha"`

	ID         int64      `bun:"id,pk,autoincrement"`
	Category   Category   `bun:"category"`
	Visibility Visibility `bun:"visibility"`
	State      State      `bun:"state"`
	TitleFR    string     `bun:"title_fr"`
	BodyFR     string     `bun:"body_fr"`
	TitleEN    string     `bun:"title_en"`
	BodyEN     string     `bun:"body_en"`
	AuthorID   int64      `bun:"author_id"`
	EditorID   int64      `bun:"editor_id"`
	// IncidentID is the resolved incident the article was first written from, if any.
	IncidentID  *int64     `bun:"incident_id"`
	CreatedAt   time.Time  `bun:"created_at"`
	UpdatedAt   time.Time  `bun:"updated_at"`
	PublishedAt *time.Time `bun:"published_at"`
	// Version counts the article's saves; each is kept in help_versions.
	Version int `bun:"version"`
	// Seq numbers the article's last write across the desk (help_state): the instances' indexes
	// read the articles written since the number they saw.
	Seq int64 `bun:"seq"`
	// The figures: views by readers who are not staff, helpful and unhelpful votes (one per
	// person, the last one counting), and declarations given up on the article's answer.
	Views       int64 `bun:"views"`
	Helpful     int64 `bun:"helpful"`
	Unhelpful   int64 `bun:"unhelpful"`
	Deflections int64 `bun:"deflections"`

	// Read with the article: its author's and last editor's names.
	AuthorName string `bun:"author_name,scanonly"`
	EditorName string `bun:"editor_name,scanonly"`
}

// Title is the article's title in lang ("" when that version is not written).
func (a *Article) Title(lang string) string {
	if lang == "en" {
		return a.TitleEN
	}
	return a.TitleFR
}

// Body is the article's Markdown in lang.
func (a *Article) Body(lang string) string {
	if lang == "en" {
		return a.BodyEN
	}
	return a.BodyFR
}

// Has reports whether the article is written in lang.
func (a *Article) Has(lang string) bool { return a.Title(lang) != "" }

// Shown is the language the article is shown in to a reader of lang: lang when it is written in
// it, the other language otherwise.
func (a *Article) Shown(lang string) string {
	if a.Has(lang) {
		return lang
	}
	return Other(lang)
}

// Other is the other of the two languages.
func Other(lang string) string {
	if lang == "en" {
		return "fr"
	}
	return "en"
}

// Version is one saved state of an article: what it said after one save, and who saved it.
type Version struct {
	bun.BaseModel `bun:"table:help_versions,alias:hv"`

	ArticleID  int64      `bun:"article_id,pk"`
	Version    int        `bun:"version,pk"`
	Category   Category   `bun:"category"`
	Visibility Visibility `bun:"visibility"`
	State      State      `bun:"state"`
	TitleFR    string     `bun:"title_fr"`
	BodyFR     string     `bun:"body_fr"`
	TitleEN    string     `bun:"title_en"`
	BodyEN     string     `bun:"body_en"`
	EditorID   int64      `bun:"editor_id"`
	CreatedAt  time.Time  `bun:"created_at"`

	EditorName string `bun:"editor_name,scanonly"`
}

// Article is the version as an article, for rendering it.
func (v *Version) Article() *Article {
	return &Article{ID: v.ArticleID, Category: v.Category, Visibility: v.Visibility, State: v.State,
		TitleFR: v.TitleFR, BodyFR: v.BodyFR, TitleEN: v.TitleEN, BodyEN: v.BodyEN, Version: v.Version, UpdatedAt: v.CreatedAt}
}

// Event kinds of help_events: what the dashboard counts by period.
const (
	EventView       = "view"
	EventHelpful    = "helpful"
	EventUnhelpful  = "unhelpful"
	EventDeflection = "deflection"
)

// Sources of a deflection: the form the customer gave up.
const (
	FromIncident = "incident"
	FromChange   = "change"
)

// ValidSource reports whether s is a form a deflection may come from.
func ValidSource(s string) bool { return s == FromIncident || s == FromChange }
