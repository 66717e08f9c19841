package change

// Kind says which rules an item follows beyond its fields' own.
type Kind string

// KindQuota items raise a quota: they have the fields region, current and requested, the
// requested value must be above the current one, and they may be pre-approved.
const KindQuota Kind = "quota"

// The fields every quota item has.
const (
	FieldRegion        = "region"
	FieldCurrent       = "current"
	FieldRequested     = "requested"
	FieldJustification = "justification"
)

// Item is an "article de changement": what a requester orders, and the form they fill in.
type Item struct {
	Code        string `toml:"code" json:"code"`
	Kind        Kind   `toml:"kind" json:"kind,omitempty"`
	Label       Text   `toml:"label" json:"label"`
	Description Text   `toml:"description" json:"description"`
	// LeadTimeDays is how many business days implementing the change usually takes.
	LeadTimeDays int `toml:"lead_time_days" json:"lead_time_days"`
	// AutoApproveMax and AutoApproveFactor make the pre-approval rule of a quota item: a request
	// is approved at once when requested ≤ AutoApproveMax and requested ≤ factor × current.
	// Zero AutoApproveMax means a sales rep always decides.
	AutoApproveMax    int64   `toml:"auto_approve_max" json:"auto_approve_max,omitempty"`
	AutoApproveFactor float64 `toml:"auto_approve_factor" json:"auto_approve_factor,omitempty"`
	// Retired items stay in the catalogue for the requests made from them but take no new one.
	Retired bool     `toml:"retired" json:"retired,omitempty"`
	Fields  []*Field `toml:"field" json:"fields"`

	// The service catalogue's terms (see services.toml); the change catalogue has none of them.
	// OrderBy says who may order the item, Price what it costs, Immediate whether the desk
	// applies it at once (no agent), Effect what implementing it does, Notice a warning the
	// order form shows.
	OrderBy   OrderBy `toml:"order_by" json:"order_by,omitempty"`
	Price     Price   `toml:"price" json:"price,omitempty"`
	Immediate bool    `toml:"immediate" json:"immediate,omitempty"`
	Effect    Effect  `toml:"effect" json:"effect,omitempty"`
	Notice    Text    `toml:"notice" json:"notice,omitzero"`

	category *Category
}

// FieldType is the kind of value a field takes.
type FieldType string

// The field types a catalogue may use.
const (
	TypeInt      FieldType = "int"
	TypeText     FieldType = "text"     // one line
	TypeTextarea FieldType = "textarea" // several lines
	TypeSelect   FieldType = "select"   // one of the field's options
	TypeRegion   FieldType = "region"   // a cloud region code
	TypeDate     FieldType = "date"     // YYYY-MM-DD, today or later
)

// Field is one input of an item's form.
type Field struct {
	Code     string    `toml:"code" json:"code"`
	Type     FieldType `toml:"type" json:"type"`
	Label    Text      `toml:"label" json:"label"`
	Help     Text      `toml:"help" json:"help,omitzero"`
	Required bool      `toml:"required" json:"required,omitempty"`
	// Min and Max bound an int's value, or a text's length in characters; nil means unbounded.
	Min     *int64   `toml:"min" json:"min,omitempty"`
	Max     *int64   `toml:"max" json:"max,omitempty"`
	Unit    Text     `toml:"unit" json:"unit,omitzero"`
	Options []Option `toml:"option" json:"options,omitempty"`
}

// Option is one choice of a select field.
type Option struct {
	Code  string `toml:"code" json:"code"`
	Label Text   `toml:"label" json:"label"`
}

// Field returns the item's field whose code is code.
func (it *Item) Field(code string) (*Field, bool) {
	for _, f := range it.Fields {
		if f.Code == code {
			return f, true
		}
	}
	return nil, false
}

// Category returns the category the item belongs to; nil for an item taken from a snapshot.
func (it *Item) Category() *Category { return it.category }

// Option returns the field's option whose code is code.
func (f *Field) Option(code string) (Option, bool) {
	for _, o := range f.Options {
		if o.Code == code {
			return o, true
		}
	}
	return Option{}, false
}

// clone returns a deep copy of the item, detached from its category.
func (it *Item) clone() Item {
	c := *it
	c.category = nil
	c.Fields = make([]*Field, len(it.Fields))
	for i, f := range it.Fields {
		fc := *f
		fc.Min = copyInt(f.Min)
		fc.Max = copyInt(f.Max)
		fc.Options = append([]Option(nil), f.Options...)
		c.Fields[i] = &fc
	}
	return c
}

func copyInt(p *int64) *int64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
