// Package change owns the standard change catalogue and the change requests made from it.
package change

import "strings"

// Catalogue is the whole change catalogue ("Catalogue de changements"): the collections a
// requester picks from, each with categories of items. It is read-only once loaded.
type Catalogue struct {
	Collections []*Collection `toml:"catalogue"`
}

// Collection is one catalogue of the list, such as "Catalogue de Changement Standard".
type Collection struct {
	Code       string      `toml:"code"`
	Label      Text        `toml:"label"`
	Categories []*Category `toml:"category"`
}

// Category groups items, such as "Gestion des Quotas".
type Category struct {
	Code  string  `toml:"code"`
	Label Text    `toml:"label"`
	Items []*Item `toml:"item"`

	collection *Collection
}

// Text is a label written in both languages of the desk, as data rather than a locale key.
type Text struct {
	FR string `toml:"fr" json:"fr"`
	EN string `toml:"en" json:"en"`
}

// In returns the text in lang ("fr", "fr-FR", "en"…), English for any other language.
func (t Text) In(lang string) string {
	if strings.HasPrefix(strings.ToLower(lang), "fr") {
		return t.FR
	}
	return t.EN
}

// Collection returns the collection whose code is code.
func (c *Catalogue) Collection(code string) (*Collection, bool) {
	for _, col := range c.Collections {
		if col.Code == code {
			return col, true
		}
	}
	return nil, false
}

// Category returns the category whose code is code.
func (col *Collection) Category(code string) (*Category, bool) {
	for _, cat := range col.Categories {
		if cat.Code == code {
			return cat, true
		}
	}
	return nil, false
}

// Item returns the item whose code is code, retired or not: a request made before an item was
// retired still finds it. Item codes are unique across the whole catalogue.
func (c *Catalogue) Item(code string) (*Item, bool) {
	for _, col := range c.Collections {
		for _, cat := range col.Categories {
			for _, it := range cat.Items {
				if it.Code == code {
					return it, true
				}
			}
		}
	}
	return nil, false
}

// Orderable returns the item whose code is code if a new request may still be made for it.
func (c *Catalogue) Orderable(code string) (*Item, bool) {
	it, ok := c.Item(code)
	if !ok || it.Retired {
		return nil, false
	}
	return it, true
}

// Offered returns the category's items that are not retired, in catalogue order.
func (cat *Category) Offered() []*Item {
	var items []*Item
	for _, it := range cat.Items {
		if !it.Retired {
			items = append(items, it)
		}
	}
	return items
}

// Collection returns the collection the category belongs to.
func (cat *Category) Collection() *Collection { return cat.collection }
