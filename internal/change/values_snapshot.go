package change

import "maps"

// Snapshot is what a change request keeps of what it was made with: the item as it was defined
// then, where it sat in the catalogue, and the values. Later edits of the catalogue leave it as
// it is. It is stored as JSON (encoding/json).
type Snapshot struct {
	Collection Ref    `json:"catalogue"`
	Category   Ref    `json:"category"`
	Item       Item   `json:"item"`
	Values     Values `json:"values"`
}

// Ref names a catalogue or category as it was when the snapshot was taken.
type Ref struct {
	Code  string `json:"code"`
	Label Text   `json:"label"`
}

// Snapshot returns a copy of the item and of vs that shares nothing with the catalogue.
func (it *Item) Snapshot(vs Values) Snapshot {
	s := Snapshot{Item: it.clone(), Values: maps.Clone(vs)}
	if cat := it.category; cat != nil {
		s.Category = Ref{Code: cat.Code, Label: cat.Label}
		if col := cat.collection; col != nil {
			s.Collection = Ref{Code: col.Code, Label: col.Label}
		}
	}
	return s
}
